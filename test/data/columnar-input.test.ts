import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Int32,
  Int64,
  TimestampMillisecond,
  Utf8,
  tableFromArrays,
  tableToIPC,
  vectorFromArray,
  Table,
  makeVector,
} from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IdInterner,
  InteractionDataset,
  convertToParquet,
  loadDataset,
  loadInteractionsCsv,
  loadItemTokens,
  loadItemsJsonl,
  readInteractionsArrow,
  readInteractionsCsv,
  readInteractionsParquet,
  readItemsArrow,
} from '../../src/data';
import type { StreamedInteractions } from '../../src/data';
import { Tokenizer } from '../../src/text';

function writeTemp(name: string, content: string | Buffer | Uint8Array, folder = tempFolder()): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

function tempFolder(): string {
  return mkdtempSync(join(tmpdir(), 'mars-columnar-'));
}

/** What a reader gave, in plain values: ids, and each user's (item, time, rating) rows. */
function contentOf(streamed: StreamedInteractions): {
  users: string[];
  items: string[];
  rows: (string | number)[][][];
  counts: number[];
} {
  const { matrix, ratings } = streamed.columns.toCsr(streamed.users.size, streamed.items.size);
  const items = streamed.items.toArray();
  const rows = Array.from({ length: matrix.rowCount }, (_, user) => {
    const row: (string | number)[][] = [];
    for (let p = matrix.offsets[user]; p < matrix.offsets[user + 1]; p++) {
      row.push([items[matrix.indices[p]], matrix.timestamps?.[p] ?? NaN, ratings?.[p] ?? NaN]);
    }
    return row;
  });
  return {
    users: streamed.users.toArray(),
    items,
    rows,
    counts: [streamed.rows, streamed.unknownItemInteractions, streamed.belowMinRating],
  };
}

describe('IdInterner with integer ids', () => {
  it('interns like a Map in every mode: dense, hashed, growing, beyond 2^32, batched or not', () => {
    const key = fc.oneof(
      fc.nat(3000), // dense: goes to the direct map
      fc.integer({ min: 0, max: 2 ** 31 - 1 }), // sparse: stays in the hash table
      fc.integer({ min: 2 ** 32, max: 2 ** 32 + 50 }), // beyond 32 bits
      fc.nat(50).map((k) => k * 2 ** 32 + 7), // same low 32 bits, different ids
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(key, { maxLength: 400 }), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (runs, ascending) => {
          // runs of keys, optionally a growing sequence first (auto-increment ids)
          const keys = (ascending ? [Array.from({ length: 3000 }, (_, k) => 5000 + k)] : [])
            .concat(runs)
            .flat();
          const reference = new Map<number, number>();
          const batched = new IdInterner();
          const single = new IdInterner();
          let position = 0;
          for (const run of ascending ? [keys.slice(0, 3000), ...runs] : runs) {
            const out = new Int32Array(run.length);
            batched.internNumbers(Float64Array.from(run), run.length, out);
            run.forEach((value, k) => {
              if (!reference.has(value)) reference.set(value, reference.size);
              expect(out[k]).toBe(reference.get(value));
              expect(single.internNumber(value)).toBe(reference.get(value));
            });
            position += run.length;
          }
          expect(position).toBe(keys.length);
          for (const interner of [batched, single, IdInterner.fromColumns(batched.toColumns())]) {
            expect(interner.size).toBe(reference.size);
            for (const [value, index] of reference) {
              expect(interner.findNumber(value)).toBe(index);
              expect(interner.idAt(index)).toBe(String(value));
            }
            expect(interner.findNumber(2 ** 40 + 3)).toBe(-1);
            const probe = Float64Array.of(...[...reference.keys()].slice(0, 5), 2 ** 41, 999_999);
            const found = new Int32Array(probe.length);
            interner.internNumbers(probe, probe.length, found, false);
            expect(Array.from(found)).toEqual(Array.from(probe, (value) => reference.get(value) ?? -1));
            expect(interner.size).toBe(reference.size);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('readInteractionsCsv fast path', () => {
  it('reads any mixture of plain and other lines as loadInteractionsCsv does', async () => {
    const id = fc.oneof(
      fc.nat(40).map(String),
      fc.constantFrom('007', '0', ' 12', '"3"', 'u"x"', '1234567890123456', 'x', '-4'),
    );
    const line = fc.tuple(
      id,
      fc.oneof(fc.nat(8).map(String), fc.constantFrom('02', ' 3', '"4"', '9')),
      fc.oneof(fc.nat(5).map(String), fc.constantFrom('4.5', '', ' 2', '1e0')),
      fc.oneof(fc.nat(1e6).map(String), fc.constantFrom('4294967296', '12.5', '')),
      fc.constantFrom('\n', '\r\n', '\n\n'),
    );
    const items = Array.from({ length: 8 }, (_, k) => String(k));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 120 }), fc.boolean(), async (lines, rated) => {
        const csv =
          'user,item,rating,timestamp\n' +
          lines.map(([user, item, rating, time, end]) => `${user},${item},${rating},${time}${end}`).join('');
        const path = writeTemp('interactions.csv', csv);
        const reference = InteractionDataset.build(
          items.map((item) => ({ id: item, text: '' })),
          (await loadInteractionsCsv(path)).filter((record) => !rated || !(Number(record.rating) < 3)),
        );
        const streamed = await readInteractionsCsv(path, {
          items: IdInterner.fromIds(items),
          ...(rated ? { minRating: 3 } : {}),
        });
        const { matrix, ratings } = streamed.columns.toCsr(streamed.users.size, items.length);
        // users that only rated below the threshold are interned by neither path
        expect(streamed.users.toArray()).toEqual(reference.userIds);
        expect(Array.from(matrix.offsets)).toEqual(Array.from(reference.interactions.offsets));
        expect(Array.from(matrix.indices)).toEqual(Array.from(reference.interactions.indices));
        expect(Array.from(matrix.timestamps ?? [])).toEqual(
          Array.from(reference.interactions.timestamps ?? []),
        );
        expect(Array.from(ratings ?? [])).toEqual(Array.from(reference.ratings ?? []));
        expect(streamed.unknownItemInteractions).toBe(reference.unknownItemInteractions);
      }),
      { numRuns: 80 },
    );
  });

  it('keeps ids beyond 15 digits exact: neighbours beyond 2^53 stay apart', async () => {
    const path = writeTemp(
      'interactions.csv',
      'user,item\n9007199254740993,1\n9007199254740992,1\n9007199254740993,2\n',
    );
    const streamed = await readInteractionsCsv(path);
    expect(streamed.users.toArray()).toEqual(['9007199254740993', '9007199254740992']);
  });

  it('refuses invalid UTF-8, naming the file, the line and the byte', async () => {
    const bytes = Buffer.concat([
      Buffer.from('user,item\n1,2\nu'),
      Buffer.from([0x63, 0x61, 0x66, 0xe9]),
      Buffer.from(',2\n'),
    ]);
    const path = writeTemp('interactions.csv', bytes);
    await expect(readInteractionsCsv(path)).rejects.toThrow(
      new RegExp(`${path}:3: invalid UTF-8 at byte 5 of the line`),
    );
    const header = writeTemp(
      'interactions.csv',
      Buffer.concat([Buffer.from([0xff]), Buffer.from('user,item\n')]),
    );
    await expect(readInteractionsCsv(header)).rejects.toThrow(/:1: invalid UTF-8 at byte 1/);
  });
});

describe('items.jsonl through the token store', () => {
  it('refuses invalid UTF-8 and numeric ids beyond 2^53, as loadItemsJsonl does', async () => {
    const tokenizer = new Tokenizer();
    const invalid = writeTemp(
      'items.jsonl',
      Buffer.concat([
        Buffer.from('{"id":"a","text":"ok"}\n{"id":"b","text":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}\n'),
      ]),
    );
    await expect(loadItemTokens(invalid, { tokenizer, cache: false })).rejects.toThrow(
      /:2: invalid UTF-8 at byte 19 of the line/,
    );
    await expect(loadItemsJsonl(invalid)).rejects.toThrow(/:2: invalid UTF-8 at byte 19 of the line/);
    const big = writeTemp('items.jsonl', '{"id":1,"text":"a"}\n{"id":9007199254740993,"text":"b"}\n');
    await expect(loadItemTokens(big, { tokenizer, cache: false })).rejects.toThrow(
      /:2: field "id" is a number JSON cannot hold exactly/,
    );
    await expect(loadItemsJsonl(big)).rejects.toThrow(/:2: field "id" is a number JSON cannot hold exactly/);
    const bom = writeTemp('items.jsonl', '\uFEFF{"id":7,"text":"a b"}\n');
    expect((await loadItemTokens(bom, { tokenizer, cache: false })).store.itemIds.toArray()).toEqual(['7']);
  });
});

describe('columnar sources', () => {
  // more rows than a DuckDB chunk (2,048), numeric and other ids, repeats, unknown items, ratings
  const rows: [string, string, string, string][] = [];
  for (let k = 0; k < 5000; k++) {
    const user =
      k % 97 === 0 ? `-${1 + (k % 5)}` : k % 89 === 0 ? '1234567890123456' : String(1000 + ((k * 37) % 613));
    const item = k % 211 === 210 ? '99' : String((k * 13) % 40);
    rows.push([user, item, String((k * 7) % 5), String(1_600_000_000 + k)]);
  }
  const csv = `user,item,rating,timestamp\n${rows.map((row) => row.join(',')).join('\n')}\n`;
  const itemIds = Array.from({ length: 40 }, (_, k) => String(k));

  it('Parquet gives what CSV gives: ids, rows, unknown items, the rating filter', async () => {
    const folder = tempFolder();
    const csvPath = writeTemp('interactions.csv', csv, folder);
    const parquetPath = join(folder, 'interactions.parquet');
    await convertToParquet(csvPath, parquetPath);
    for (const options of [{}, { minRating: 2 }, { keepRatings: false }]) {
      const expected = contentOf(
        await readInteractionsCsv(csvPath, { items: IdInterner.fromIds(itemIds), ...options }),
      );
      const got = contentOf(
        await readInteractionsParquet(parquetPath, { items: IdInterner.fromIds(itemIds), ...options }),
      );
      expect(got).toEqual(expected);
    }
    // ratings without timestamps
    const ratedPath = writeTemp(
      'rated.csv',
      `user,item,rating\n${rows.map((row) => row.slice(0, 3).join(',')).join('\n')}\n`,
      folder,
    );
    const ratedParquet = join(folder, 'rated.parquet');
    await convertToParquet(ratedPath, ratedParquet);
    expect(contentOf(await readInteractionsParquet(ratedParquet, { minRating: 1 }))).toEqual(
      contentOf(await readInteractionsCsv(ratedPath, { minRating: 1 })),
    );
    // without an item list, items are interned as they come, in the same order
    expect(contentOf(await readInteractionsParquet(parquetPath))).toEqual(
      contentOf(await readInteractionsCsv(csvPath)),
    );
    await expect(
      readInteractionsParquet(parquetPath, { items: IdInterner.fromIds(itemIds), onUnknownItem: 'error' }),
    ).rejects.toThrow(/interactions\.parquet:211: item '99' is not among the items/);
  });

  it('Parquet names the row of a missing id and of a floating-point id beyond 2^53', async () => {
    const folder = tempFolder();
    const empty = join(folder, 'empty.parquet');
    await convertToParquet(writeTemp('a.csv', 'user,item\n1,2\n3,4\n,5\n', folder), empty);
    await expect(readInteractionsParquet(empty)).rejects.toThrow(/empty\.parquet:3: empty user field/);
    const inexact = join(folder, 'inexact.parquet');
    await convertToParquet(writeTemp('b.csv', 'user,item\n1.0,2\n1e17,3\n', folder), inexact);
    await expect(readInteractionsParquet(inexact)).rejects.toThrow(
      /inexact\.parquet:2: user id 100000000000000000 is not an integer within 2\^53/,
    );
  });

  it('Arrow IPC gives what CSV gives, from int64, int32, string and dictionary ids, in both IPC formats', async () => {
    const folder = tempFolder();
    const csvPath = writeTemp('interactions.csv', csv, folder);
    const expected = contentOf(await readInteractionsCsv(csvPath, { items: IdInterner.fromIds(itemIds) }));
    const times = rows.map((row) => Number(row[3]));
    const ratings = Float64Array.from(rows, (row) => Number(row[2]));
    const tables = {
      // users as strings, items as int64, timestamps as TIMESTAMP (milliseconds)
      strings: new Table({
        user: vectorFromArray(
          rows.map((row) => row[0]),
          new Utf8(),
        ),
        item: vectorFromArray(BigInt64Array.from(rows, (row) => BigInt(row[1]))),
        rating: makeVector(ratings),
        timestamp: vectorFromArray(
          times.map((time) => time * 1000),
          new TimestampMillisecond(),
        ),
      }),
      // users as int64 (negative and 16-digit ones too), items as int32, timestamps as int64 seconds
      integers: tableFromArrays({
        user: BigInt64Array.from(rows, (row) => BigInt(row[0])),
        item: Int32Array.from(rows, (row) => Number(row[1])),
        rating: ratings,
        timestamp: BigInt64Array.from(times, BigInt),
      }),
      dictionary: tableFromArrays({
        user: rows.map((row) => row[0]),
        item: rows.map((row) => row[1]),
        rating: ratings,
        timestamp: Float64Array.from(times),
      }),
    };
    for (const [name, table] of Object.entries(tables)) {
      for (const format of ['file', 'stream'] as const) {
        const path = writeTemp(
          `${name}.${format === 'file' ? 'arrow' : 'arrows'}`,
          tableToIPC(table, format),
          folder,
        );
        const got = contentOf(await readInteractionsArrow(path, { items: IdInterner.fromIds(itemIds) }));
        expect(got).toEqual(expected);
      }
    }
  });

  it('Arrow IPC: nulls, missing columns and files that are not Arrow get clear errors', async () => {
    const folder = tempFolder();
    const withNull = new Table({
      user: vectorFromArray([1, null, 3], new Int32()),
      item: vectorFromArray([1n, 2n, 3n], new Int64()),
    });
    await expect(
      readInteractionsArrow(writeTemp('n.arrow', tableToIPC(withNull, 'file'), folder)),
    ).rejects.toThrow(/n\.arrow:2: empty user field/);
    const wrong = tableFromArrays({ who: Int32Array.of(1), item: Int32Array.of(2) });
    await expect(
      readInteractionsArrow(writeTemp('w.arrow', tableToIPC(wrong, 'file'), folder)),
    ).rejects.toThrow(/w\.arrow:1: the file must have the columns user,item/);
    await expect(readInteractionsArrow(writeTemp('x.arrow', 'user,item\n1,2\n', folder))).rejects.toThrow(
      /x\.arrow:1: cannot be read as an Arrow IPC file/,
    );
    const inexact = tableFromArrays({ user: Float64Array.of(1, 1e17), item: Int32Array.of(2, 2) });
    await expect(
      readInteractionsArrow(writeTemp('f.arrow', tableToIPC(inexact, 'file'), folder)),
    ).rejects.toThrow(/f\.arrow:2: user id 100000000000000000 is not an integer within 2\^53/);
    const items = new Table({
      id: vectorFromArray(['a', 'b'], new Utf8()),
      text: vectorFromArray(['x', null], new Utf8()),
    });
    await expect(
      readItemsArrow(writeTemp('items.arrow', tableToIPC(items, 'file'), folder), () => undefined),
    ).rejects.toThrow(/items\.arrow:2: field "text" of item 'b' is null/);
  });

  it('loadDataset reads items and interactions from Arrow IPC as from JSON lines and CSV', async () => {
    const folder = tempFolder();
    const items = itemIds.map((id) => ({ id, text: `word${Number(id) % 7} common ${id}` }));
    const itemsPath = writeTemp('items.jsonl', items.map((item) => JSON.stringify(item)).join('\n'), folder);
    const csvPath = writeTemp('interactions.csv', csv, folder);
    const itemsArrow = writeTemp(
      'items.feather',
      tableToIPC(tableFromArrays({ id: itemIds, text: items.map((item) => item.text) }), 'file'),
      folder,
    );
    const interactionsArrow = writeTemp(
      'interactions.arrow',
      tableToIPC(
        tableFromArrays({
          user: rows.map((row) => row[0]),
          item: BigInt64Array.from(rows, (row) => BigInt(row[1])),
          rating: Float64Array.from(rows, (row) => Number(row[2])),
          timestamp: Float64Array.from(rows, (row) => Number(row[3])),
        }),
        'file',
      ),
      folder,
    );
    const reference = await loadDataset({ items: itemsPath, interactions: csvPath, tokenCache: false });
    const arrow = await loadDataset({
      items: itemsArrow,
      interactions: interactionsArrow,
      tokenCache: false,
    });
    expect(arrow.report.rows).toBe(reference.report.rows);
    expect(arrow.report.unknownItemInteractions).toBe(reference.report.unknownItemInteractions);
    expect(arrow.dataset.userIds).toEqual(reference.dataset.userIds);
    expect(arrow.dataset.itemIds).toEqual(reference.dataset.itemIds);
    expect(Array.from(arrow.dataset.interactions.indices)).toEqual(
      Array.from(reference.dataset.interactions.indices),
    );
    expect(arrow.dataset.itemTokens?.textOf(3)).toBe(reference.dataset.itemTokens?.textOf(3));
  });
});
