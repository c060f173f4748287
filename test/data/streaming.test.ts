import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IdInterner,
  InteractionColumns,
  InteractionDataset,
  convertToParquet,
  loadDataset,
  loadInteractionsCsv,
  loadItemTokens,
  loadItemsJsonl,
  preprocess,
  readInteractionsCsv,
  readInteractionsParquet,
  splitPerUser,
  TokenStore,
  UserSplit,
} from '../../src/data';
import type { CsrMatrix } from '../../src/data';
import { evaluateRanking, evaluateSampledUsers, sampleEvaluationUsers } from '../../src/metrics';
import { encodeCorpus, Tokenizer, Vocabulary } from '../../src/text';

function tempFolder(): string {
  return mkdtempSync(join(tmpdir(), 'mars-stream-'));
}

function writeTemp(name: string, content: string, folder = tempFolder()): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

/** Rows of a CSR matrix as [item, time] pairs, for comparisons. */
function rowsOf(matrix: CsrMatrix): [number, number][][] {
  return Array.from({ length: matrix.rowCount }, (_, row) =>
    Array.from({ length: matrix.offsets[row + 1] - matrix.offsets[row] }, (_, k) => {
      const p = matrix.offsets[row] + k;
      return [matrix.indices[p], matrix.timestamps ? matrix.timestamps[p] : NaN] as [number, number];
    }),
  );
}

describe('IdInterner', () => {
  it('gives dense indices in order of first appearance, like a Map, in either mode', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat(2000).map(String), fc.constantFrom('007', 'a', 'ü', '-1', '')), {
          maxLength: 300,
        }),
        (ids) => {
          const interner = new IdInterner();
          const reference = new Map<string, number>();
          for (const id of ids) {
            if (!reference.has(id)) reference.set(id, reference.size);
            expect(interner.internString(id)).toBe(reference.get(id));
          }
          expect(interner.size).toBe(reference.size);
          for (const [id, index] of reference) {
            expect(interner.indexOf(id)).toBe(index);
            expect(interner.idAt(index)).toBe(id);
          }
          expect(interner.indexOf('never-seen')).toBeUndefined();
          expect(IdInterner.fromColumns(interner.toColumns()).toArray()).toEqual([...reference.keys()]);
        },
      ),
    );
  });

  it('keeps canonical integers as numbers until another id arrives, and "007" is not "7"', () => {
    const interner = new IdInterner();
    expect(interner.internNumber(7)).toBe(0);
    expect(interner.internString('12')).toBe(1);
    expect(interner.isNumeric).toBe(true);
    expect(interner.internString('007')).toBe(2);
    expect(interner.isNumeric).toBe(false);
    expect(interner.indexOf('7')).toBe(0);
    expect(interner.findNumber(12)).toBe(1);
    const bytes = new TextEncoder().encode('x,12,y');
    expect(interner.findBytes(bytes, 2, 4)).toBe(1);
    expect(interner.select(Int32Array.of(2, 0)).toArray()).toEqual(['007', '7']);
    expect(() => interner.select(Int32Array.of(1, 1))).toThrow(/appears twice/);
    expect(() => IdInterner.fromIds(['a', 'b', 'a'])).toThrow(/'a' appears twice/);
  });
});

describe('InteractionColumns.toCsr', () => {
  it('groups by user in place, sorts rows, keeps the latest time and highest rating of repeats', () => {
    const entry = fc.record({
      user: fc.nat(600),
      item: fc.nat(40),
      time: fc.oneof(fc.nat(1000), fc.constant(2 ** 32 + 0.5)),
      rating: fc.oneof(fc.constant(NaN), fc.integer({ min: 1, max: 5 })),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 3000 }), (entries) => {
        const columns = new InteractionColumns({ capacity: 4, ratings: true });
        const expected = new Map<number, Map<number, { time: number; rating: number }>>();
        const max = (a: number, b: number): number =>
          Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b);
        for (const { user, item, time, rating } of entries) {
          columns.push(user, item, time, rating);
          const row = expected.get(user) ?? new Map();
          const previous = row.get(item);
          row.set(
            item,
            previous
              ? { time: max(previous.time, time), rating: max(previous.rating, rating) }
              : { time, rating },
          );
          expected.set(user, row);
        }
        const { matrix, ratings } = columns.toCsr(601, 41);
        const rows = rowsOf(matrix);
        for (let user = 0; user <= 600; user++) {
          const want = [...(expected.get(user) ?? new Map()).entries()].sort((a, b) => a[0] - b[0]);
          expect(rows[user]).toEqual(want.map(([item, value]) => [item, value.time]));
          const start = matrix.offsets[user];
          want.forEach(([, value], k) => expect(ratings?.[start + k]).toEqual(value.rating));
        }
        if (entries.length > 0) expect(matrix.timestamps).toBeDefined();
      }),
      { numRuns: 40 },
    );
  });

  it('groups many users (two sorting levels) like a reference sort', () => {
    const users = 20_000;
    const columns = new InteractionColumns({ capacity: 16 });
    const entries: [number, number, number][] = [];
    let state = 7;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    for (let k = 0; k < 120_000; k++) {
      const entry: [number, number, number] = [next(users), next(5000), k];
      entries.push(entry);
      columns.push(...entry, NaN);
    }
    const { matrix } = columns.toCsr(users, 5000);
    const latest = new Map<string, [number, number, number]>();
    for (const entry of entries) latest.set(`${entry[0]}/${entry[1]}`, entry); // times ascend: the last wins
    const expected = [...latest.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(Array.from(matrix.indices)).toEqual(expected.map((entry) => entry[1]));
    expect(Array.from(matrix.timestamps ?? [])).toEqual(expected.map((entry) => entry[2]));
    const offsets = new Int32Array(users + 1);
    for (const [user] of expected) offsets[user + 1]++;
    for (let user = 0; user < users; user++) offsets[user + 1] += offsets[user];
    expect(Array.from(matrix.offsets)).toEqual(Array.from(offsets));
  });

  it('drops the timestamps at the first interaction without one', () => {
    const columns = new InteractionColumns();
    columns.push(0, 1, 5, NaN);
    columns.push(0, 0, NaN, NaN);
    expect(columns.toCsr(1, 2).matrix.timestamps).toBeUndefined();
  });
});

describe('readInteractionsCsv', () => {
  it('reads what loadInteractionsCsv reads: the same dataset, quoted fields, CRLF, BOM and blank lines', async () => {
    const csv =
      '\uFEFFuser,item,rating,timestamp\r\nu1,a,5,100\r\n\r\n"u,2",b,,\r\nu1 , b ,3.5,200\r\nu3,a,1e0,0x10\r\nu1,a,4,300\r\n';
    const path = writeTemp('interactions.csv', csv);
    const items = [
      { id: 'a', text: 'alpha' },
      { id: 'b', text: 'beta' },
    ];
    const reference = InteractionDataset.build(items, await loadInteractionsCsv(path));
    const streamed = await readInteractionsCsv(path, { items: IdInterner.fromIds(['a', 'b']) });
    expect(streamed.rows).toBe(5);
    const { matrix, ratings } = streamed.columns.toCsr(streamed.users.size, 2);
    expect(streamed.users.toArray()).toEqual(reference.userIds);
    expect(Array.from(matrix.offsets)).toEqual(Array.from(reference.interactions.offsets));
    expect(Array.from(matrix.indices)).toEqual(Array.from(reference.interactions.indices));
    expect(Array.from(ratings ?? [])).toEqual(Array.from(reference.ratings ?? []));
    // one row lacks a timestamp: neither path keeps timestamps
    expect(matrix.timestamps).toBeUndefined();
    expect(reference.interactions.timestamps).toBeUndefined();
  });

  it('keeps Uint32 timestamps while they fit, Float64 otherwise, and filters by rating while reading', async () => {
    const folder = tempFolder();
    const whole = await readInteractionsCsv(
      writeTemp('a.csv', 'user,item,timestamp\n1,2,100\n1,3,4000000000\n', folder),
    );
    expect(whole.columns.toCsr(whole.users.size, whole.items.size).matrix.timestamps).toBeInstanceOf(
      Uint32Array,
    );
    const fractional = await readInteractionsCsv(
      writeTemp('b.csv', 'user,item,timestamp\n1,2,100.5\n1,3,-7\n', folder),
    );
    const times = fractional.columns.toCsr(1, 2).matrix.timestamps;
    expect(times).toBeInstanceOf(Float64Array);
    expect(Array.from(times ?? [])).toEqual([100.5, -7]);
    const rated = await readInteractionsCsv(
      writeTemp('c.csv', 'user,item,rating\nu,a,2\nu,b,4\nu,c,\n', folder),
      {
        minRating: 3,
        keepRatings: false,
      },
    );
    expect(rated.belowMinRating).toBe(1);
    expect(rated.items.toArray()).toEqual(['b', 'c']);
  });

  it('reads lines that straddle its 4 MiB chunks', async () => {
    const lines = ['user,item,timestamp'];
    for (let k = 0; k < 200_000; k++) lines.push(`user-${k % 997},${k % 101},${k}`);
    const streamed = await readInteractionsCsv(writeTemp('big.csv', `${lines.join('\n')}\n`));
    expect(streamed.rows).toBe(200_000);
    expect(streamed.users.size).toBe(997);
    const { matrix } = streamed.columns.toCsr(997, 101);
    // user-5 holds k = 5, 1002, ...: items k % 101, latest time per item
    const user = streamed.users.indexOf('user-5') as number;
    const expected = new Map<number, number>();
    for (let k = 5; k < 200_000; k += 997) expected.set(k % 101, k);
    expect(rowsOf(matrix)[user]).toEqual([...expected.entries()].sort((a, b) => a[0] - b[0]));
  });

  it('names the file and the line, with the messages of loadInteractionsCsv', async () => {
    const cases: [string, RegExp][] = [
      ['user,item,rating\nu1,a,5\nu2,b,five\n', /:3: rating 'five' is not a number/],
      ['user,item\nu1,a,extra\n', /:2: expected 2 fields as in the header, got 3/],
      ['userid,movie\n', /:1: the header must name the columns/],
      ['user,item\n"u1,a\n', /:2: a quoted field is not closed/],
      ['user,item\n ,a\n', /:2: empty user field/],
      ['user,item,timestamp\nu,a,yesterday\n', /:2: timestamp 'yesterday' is not a number \(Unix seconds\)/],
      ['\n\n', /:2: the file is empty/],
    ];
    for (const [content, message] of cases) {
      const path = writeTemp('bad.csv', content);
      await expect(readInteractionsCsv(path)).rejects.toThrow(message);
      await expect(readInteractionsCsv(path)).rejects.toThrow(path);
    }
    const unknown = writeTemp('u.csv', 'user,item\nu1,a\nu1,zzz\n');
    await expect(
      readInteractionsCsv(unknown, { items: IdInterner.fromIds(['a']), onUnknownItem: 'error' }),
    ).rejects.toThrow(/:3: item 'zzz' is not among the items/);
    const skipped = await readInteractionsCsv(unknown, { items: IdInterner.fromIds(['a']) });
    expect(skipped.unknownItemInteractions).toBe(1);
  });
});

describe('token store', () => {
  const texts = ['The cat sat on the mat.', '', 'A <b>dog</b> and a cat; the dog ran!', 'Mat mat MAT'];
  const jsonl = texts.map((text, index) => JSON.stringify({ id: `i${index}`, text })).join('\n');

  it('encodes like encodeCorpus on the texts, for any vocabulary and length', async () => {
    const tokenizer = new Tokenizer({ html: true, stopwords: 'en' });
    const path = writeTemp('items.jsonl', jsonl);
    const { store } = await loadItemTokens(path, { tokenizer, cache: false });
    expect(store.itemIds.toArray()).toEqual(['i0', 'i1', 'i2', 'i3']);
    for (const [minCount, maxLength] of [
      [1, Infinity],
      [2, 2],
    ]) {
      const vocabulary = Vocabulary.fit(texts, { tokenizer, minCount });
      expect(Vocabulary.fromCounts(store.tokenCounts(), { minCount }).tokens).toEqual(vocabulary.tokens);
      expect(store.encode(vocabulary, maxLength)).toEqual(
        encodeCorpus(texts, tokenizer, vocabulary, { maxLength }),
      );
    }
    expect(store.lengthOf(1)).toBe(0);
    const selected = store.select(Int32Array.of(3, 0));
    expect(selected.itemIds.toArray()).toEqual(['i3', 'i0']);
    expect(selected.textOf(0)).toBe('mat mat mat');
  });

  it('is cached, reused while file and tokenizer are unchanged, rebuilt when either changes', async () => {
    const folder = tempFolder();
    const path = writeTemp('items.jsonl', jsonl, folder);
    const cache = join(folder, 'items.tokens');
    const tokenizer = new Tokenizer();
    expect((await loadItemTokens(path, { tokenizer, cache })).fromCache).toBe(false);
    const again = await loadItemTokens(path, { tokenizer, cache });
    expect(again.fromCache).toBe(true);
    expect(again.store.textOf(0)).toBe('the cat sat on the mat');
    expect(
      (await loadItemTokens(path, { tokenizer: new Tokenizer({ stopwords: 'en' }), cache })).fromCache,
    ).toBe(false);
    writeFileSync(path, `${jsonl}\n{"id":"i4","text":"new"}\n`);
    const changed = await loadItemTokens(path, { tokenizer: new Tokenizer({ stopwords: 'en' }), cache });
    expect(changed.fromCache).toBe(false);
    expect(changed.store.size).toBe(5);
    // written through a temporary file: nothing else is left in the folder
    expect(readdirSync(folder).sort()).toEqual(['items.jsonl', 'items.tokens']);
    expect((await TokenStore.load(cache)).size).toBe(5);
  });

  it("reports loadItemsJsonl's errors with file and line", async () => {
    const tokenizer = new Tokenizer();
    const cases: [string, RegExp][] = [
      ['{"id":"a","text":"x"}\n{"id":"b",', /:2: invalid JSON/],
      ['{"id":"a","text":"x"}\n\n{"id":"a","text":"y"}', /:3: item id 'a' already appeared on line 1/],
      ['{"id":"a","text":3}', /:1: field "text" of item 'a' must be a string/],
      ['{"text":"x"}', /:1: field "id" must be a non-empty string/],
    ];
    for (const [content, message] of cases) {
      const path = writeTemp('items.jsonl', content);
      await expect(loadItemTokens(path, { tokenizer, cache: false })).rejects.toThrow(message);
      await expect(loadItemsJsonl(path)).rejects.toThrow(message);
    }
  });
});

describe('loadDataset', () => {
  const items = Array.from({ length: 30 }, (_, k) => ({
    id: `n${k}`,
    text: k === 7 ? '' : `word${k % 5} common text ${k}`,
  }));
  const lines = ['user,item,timestamp'];
  for (let k = 0; k < 900; k++) lines.push(`u${(k * 7) % 61},n${(k * 13) % 31},${1000 + k}`);

  it('gives the dataset, preprocessing and split of the record path, from CSV and from Parquet', async () => {
    const folder = tempFolder();
    const itemsPath = writeTemp('items.jsonl', items.map((item) => JSON.stringify(item)).join('\n'), folder);
    const csvPath = writeTemp('interactions.csv', `${lines.join('\n')}\n`, folder);
    const reference = InteractionDataset.build(
      await loadItemsJsonl(itemsPath),
      await loadInteractionsCsv(csvPath),
    );
    const referenceSplit = splitPerUser(preprocess(reference, { minUserInteractions: 3 }).dataset, {
      seed: 4,
    });
    const parquetPath = join(folder, 'interactions.parquet');
    await convertToParquet(csvPath, parquetPath);
    const itemsParquet = join(folder, 'items.parquet');
    await convertToParquet(itemsPath, itemsParquet);
    for (const [itemFile, interactionFile] of [
      [itemsPath, csvPath],
      [itemsParquet, parquetPath],
    ]) {
      const { dataset, report } = await loadDataset({
        items: itemFile,
        interactions: interactionFile,
        tokenCache: false,
      });
      expect(report.unknownItemInteractions).toBe(reference.unknownItemInteractions); // n30 is unknown
      expect(report.rows).toBe(900);
      expect(dataset.userIds).toEqual(reference.userIds);
      expect(Array.from(dataset.interactions.indices)).toEqual(Array.from(reference.interactions.indices));
      expect(Array.from(dataset.interactions.timestamps ?? [])).toEqual(
        Array.from(reference.interactions.timestamps ?? []),
      );
      const processed = preprocess(dataset, { minUserInteractions: 3 });
      expect(processed.report.itemsWithoutText).toBe(1);
      const split = splitPerUser(processed.dataset, { seed: 4 });
      expect(split.userIds).toEqual(referenceSplit.userIds);
      expect(split.itemIds).toEqual(referenceSplit.itemIds);
      for (const part of ['train', 'validation', 'test'] as const)
        expect(rowsOf(split[part])).toEqual(rowsOf(referenceSplit[part]));
      // the binary split file gives the same split back
      const file = join(folder, 'split.bin');
      await split.save(file);
      const restored = await UserSplit.load(file);
      expect(restored.userIds).toEqual(split.userIds);
      for (const part of ['train', 'validation', 'test'] as const)
        expect(rowsOf(restored[part])).toEqual(rowsOf(split[part]));
    }
  });

  it('reads Parquet columns by name, with a clear error for a missing one', async () => {
    const folder = tempFolder();
    const csv = writeTemp('x.csv', 'who,item\nu1,a\n', folder);
    const parquet = join(folder, 'x.parquet');
    await convertToParquet(csv, parquet);
    await expect(readInteractionsParquet(parquet)).rejects.toThrow(
      /x\.parquet:1: the file must have the columns user,item/,
    );
    await expect(readInteractionsParquet(join(folder, 'missing.parquet'))).rejects.toThrow(
      /missing\.parquet/,
    );
  });
});

describe('sampled evaluation', () => {
  const rows = Array.from({ length: 50 }, (_, user) => (user % 5 === 0 ? [] : [user % 7, (user * 3) % 11]));
  const unique = rows.map((row) => [...new Set(row)].sort((a, b) => a - b));
  const offsets = new Int32Array(unique.length + 1);
  unique.forEach((row, user) => (offsets[user + 1] = offsets[user] + row.length));
  const matrix: CsrMatrix = {
    rowCount: unique.length,
    columnCount: 12,
    offsets,
    indices: Int32Array.from(unique.flat()),
  };

  it('draws a seeded uniform sample of users with targets, all of them when asked for more', () => {
    const sample = sampleEvaluationUsers(matrix, 10, 3);
    expect(sample).toHaveLength(10);
    expect(Array.from(sample)).toEqual([...sample].sort((a, b) => a - b));
    expect(new Set(sample).size).toBe(10);
    for (const user of sample) expect(user % 5).not.toBe(0);
    expect(sampleEvaluationUsers(matrix, 10, 3)).toEqual(sample);
    expect(sampleEvaluationUsers(matrix, 10, 4)).not.toEqual(sample);
    expect(sampleEvaluationUsers(matrix, 1000)).toHaveLength(40);
    // every user with a target is drawn about equally often
    const counts = new Map<number, number>();
    for (let seed = 0; seed < 400; seed++)
      for (const user of sampleEvaluationUsers(matrix, 10, seed))
        counts.set(user, (counts.get(user) ?? 0) + 1);
    expect(counts.size).toBe(40);
    for (const count of counts.values()) expect(count).toBeGreaterThan(50); // expected 100 each
    expect(() => sampleEvaluationUsers(matrix, 0)).toThrow(/positive integer/);
  });

  it('evaluates the sample with population standard errors; the full set matches evaluateRanking', async () => {
    const score = (users: Int32Array): Float32Array => {
      const scores = new Float32Array(users.length * 12);
      users.forEach((user, b) => {
        for (let item = 0; item < 12; item++) scores[b * 12 + item] = ((user * 31 + item * 17) % 13) / 13;
      });
      return scores;
    };
    const full = await evaluateSampledUsers({ itemCount: 12, targets: matrix, score, metrics: ['recall@3'] });
    const reference = await evaluateRanking({ itemCount: 12, targets: matrix, score, metrics: ['recall@3'] });
    expect(full.mean['recall@3']).toBeCloseTo(reference.mean['recall@3'], 12);
    expect(full.sampled).toBe(false);
    expect(full.populationStandardError['recall@3']).toBe(0);
    const sampled = await evaluateSampledUsers({
      itemCount: 12,
      targets: matrix,
      score,
      metrics: ['recall@3'],
      sampleUsers: 10,
      seed: 3,
    });
    expect(Array.from(sampled.users)).toEqual(Array.from(sampleEvaluationUsers(matrix, 10, 3)));
    const correction = Math.sqrt(30 / 39);
    expect(sampled.populationStandardError['recall@3']).toBeCloseTo(
      sampled.standardError['recall@3'] * correction,
      12,
    );
  });
});
