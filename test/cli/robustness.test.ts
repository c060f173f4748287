import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserSplit } from '../../src/data/split';
import { generateSyntheticCorpus } from '../../src/synthetic';
import { marsRec } from '../helpers/mars-rec-cli';

/** The CLI's own error line (TF.js may print a banner before it). */
const lastLine = (stderr: string): string => stderr.trim().split('\n').at(-1) ?? '';

function writeData(
  folder: string,
  items: { id: string; text: string }[],
  rows: string[][],
): { items: string; interactions: string } {
  const itemsPath = join(folder, 'items.jsonl');
  const interactionsPath = join(folder, 'interactions.csv');
  writeFileSync(itemsPath, items.map((item) => JSON.stringify(item)).join('\n'));
  writeFileSync(
    interactionsPath,
    ['user,item,rating,timestamp', ...rows.map((row) => row.join(','))].join('\n'),
  );
  return { items: itemsPath, interactions: interactionsPath };
}

describe('mars-rec refuses what it cannot train on, and says why', () => {
  const folder = mkdtempSync(join(tmpdir(), 'mars-refuse-'));
  const words = ['river', 'castle', 'engine', 'forest', 'violin', 'harbor', 'desert', 'planet'];
  const items = words.map((word, k) => ({ id: `i${k}`, text: `${word} ${words[(k + 1) % 8]} story` }));

  it('data where every user has under 3 positives: the cause and the flag', async () => {
    // every user has 1 or 2 positives
    const rows = Array.from({ length: 12 }, (_, u) =>
      Array.from({ length: 1 + (u % 2) }, (_, k) => [
        `u${u}`,
        `i${(u + k) % 8}`,
        '5',
        `${1_700_000_000 + k}`,
      ]),
    ).flat();
    const data = writeData(mkdtempSync(join(folder, 'few-')), items, rows);
    const base = [
      'train',
      '--items',
      data.items,
      '--interactions',
      data.interactions,
      '--model',
      'popularity',
    ];
    const refused = await marsRec([...base, '--out', join(folder, 'few-out')]);
    expect(refused.code).toBe(1);
    expect(lastLine(refused.stderr)).toMatch(
      /^mars-rec: nothing to train on: preprocessing left 0 users and 0 items: 12 of 12 users have fewer than --min-user-interactions 3 positives left \(.* the most any user has is 2; lower --min-user-interactions\)$/,
    );
    expect(existsSync(join(folder, 'few-out'))).toBe(false);
    const split = await marsRec([...base, '--out', join(folder, 'few-out'), '--min-user-interactions', '1']);
    expect(lastLine(split.stderr)).toMatch(
      /nothing to train on: no user has the 3 distinct positives a train\/validation\/test split needs \(one each; the most any of the 12 users has is 2\)/,
    );
  });

  it('items whose texts are only stopwords or markup have no text; none left is refused', async () => {
    const empty = [
      { id: 'a', text: 'the and of' },
      { id: 'b', text: '<p><br/></p>' },
      { id: 'c', text: 'It is what it is.' },
    ];
    const rows = ['u1', 'u2'].flatMap((user) =>
      ['a', 'b', 'c'].map((item) => [user, item, '5', '1700000000']),
    );
    const data = writeData(mkdtempSync(join(folder, 'stop-')), empty, rows);
    const refused = await marsRec([
      'train',
      '--items',
      data.items,
      '--interactions',
      data.interactions,
      '--out',
      join(folder, 'stop-out'),
      '--steps',
      '2',
      '--backend',
      'cpu',
    ]);
    expect(refused.code).toBe(1);
    expect(lastLine(refused.stderr)).toMatch(
      /nothing to train on: .*3 of 3 items have no word left after HTML cleanup and stopword removal \(stopwords: en; change with --config '\{"stopwords":\[\]\}'\)/,
    );
  });

  it('flags a model does not read, and numbers that are not plain decimals, are usage errors', async () => {
    const base = ['train', '--items', 'x', '--interactions', 'y', '--out', join(folder, 'never')];
    // the parsing itself is unit-tested (number-flags.test.ts); these go through the whole CLI
    const cases: [string[], RegExp][] = [
      [
        ['--model', 'bpr-mf', '--steps', '20'],
        /--steps applies to --model mars only; bpr-mf trains in passes over the positives: use --epochs N/,
      ],
      [
        ['--steps', '0x14'],
        /--steps must be a whole number in \[1, 1,000,000,000\] written in digits, got '0x14'/,
      ],
      [
        ['--config', '{"embeddingDim":100000000}'],
        /--config: MarsConfig\.embeddingDim must be a positive integer at most 4,096/,
      ],
    ];
    const results = await Promise.all(cases.map(([flags]) => marsRec([...base, ...flags])));
    results.forEach((result, index) => {
      const [flags, message] = cases[index];
      expect(result.code, flags.join(' ')).toBe(2);
      expect(lastLine(result.stderr), flags.join(' ')).toMatch(message);
    });
  });

  it('refuses an --out that is not a mars-rec run before training, and replaces it with --overwrite', async () => {
    const corpus = generateSyntheticCorpus({ seed: 2, itemCount: 30, userCount: 20, clicksPerUser: [4, 6] });
    const data = writeData(
      mkdtempSync(join(folder, 'syn-')),
      corpus.items.map(({ id, text }) => ({ id, text })),
      corpus.interactions.map((c) => [c.user, c.item, `${c.rating}`, `${c.timestamp}`]),
    );
    const out = join(folder, 'thesis');
    mkdirSync(out);
    writeFileSync(join(out, 'chapter1.tex'), 'years of work');
    const args = [
      'train',
      '--items',
      data.items,
      '--interactions',
      data.interactions,
      '--out',
      out,
      '--model',
      'popularity',
    ];
    const refused = await marsRec(args);
    expect(refused.code).toBe(1);
    expect(lastLine(refused.stderr)).toBe(
      `mars-rec: --out '${out}' is not empty and is not a mars-rec run (it has chapter1.tex, no run.json); train replaces the whole directory: pass --overwrite to replace it, or choose another --out`,
    );
    expect(readFileSync(join(out, 'chapter1.tex'), 'utf8')).toBe('years of work');
    expect((await marsRec([...args, '--overwrite'])).code).toBe(0);
    expect(existsSync(join(out, 'chapter1.tex'))).toBe(false);
    // a run is replaced without asking
    expect((await marsRec([...args, '--seed', '2'])).code).toBe(0);
    expect((await UserSplit.load(join(out, 'split.bin'))).options.seed).toBe(2);

    // damaged run files are named
    const runPath = join(out, 'run.json');
    const good = readFileSync(runPath, 'utf8');
    writeFileSync(runPath, 'null');
    const nullRun = await marsRec(['evaluate', '--model', out]);
    expect(lastLine(nullRun.stderr)).toBe(
      `mars-rec: ${runPath} holds null, not a mars-rec run object; train again`,
    );
    writeFileSync(runPath, good);
    const splitPath = join(out, 'split.bin');
    const goodSplit = readFileSync(splitPath);
    const flipped = Buffer.from(goodSplit);
    flipped[flipped.length - 1] ^= 0xff;
    writeFileSync(splitPath, flipped);
    const altered = await marsRec(['evaluate', '--model', out]);
    expect(lastLine(altered.stderr)).toBe(
      `mars-rec: ${splitPath} has been altered or damaged: its SHA-256 does not match the checksum in ${runPath}; train again`,
    );
    writeFileSync(splitPath, goodSplit);
    truncateSync(join(out, 'baseline.json'), 10);
    const truncated = await marsRec(['evaluate', '--model', out]);
    expect(lastLine(truncated.stderr)).toMatch(/baseline\.json has been altered or damaged/);
  });

  it('evaluate refuses an empty split; recommend counts a repeated history id once', async () => {
    // one user with exactly 3 positives: the smallest data that trains (and a one-user run)
    const rows = [
      ['solo', 'i0', '5', '1700000000'],
      ['solo', 'i1', '5', '1700000001'],
      ['solo', 'i2', '5', '1700000002'],
    ];
    const data = writeData(mkdtempSync(join(folder, 'solo-')), items, rows);
    const out = join(folder, 'solo-out');
    const trained = await marsRec([
      'train',
      '--items',
      data.items,
      '--interactions',
      data.interactions,
      '--out',
      out,
      '--steps',
      '2',
      '--batch-size',
      '4',
      '--backend',
      'cpu',
      '--max-doc-length',
      '10',
      '--config',
      '{"filters":4,"embeddingDim":4,"outputDim":4,"collaborativeFactors":2,"minWordCount":1}',
      '--json',
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(JSON.parse(trained.stdout)).toMatchObject({ users: 1, items: 3, steps: 2 });
    const evaluated = await marsRec(['evaluate', '--model', out, '--backend', 'cpu', '--json']);
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.stdout)).toMatchObject({ users: 1 });

    // the same run with its test split emptied, written in the older JSON form (read when
    // split.bin is absent), its checksum dropped as a careful editor would
    const binaryPath = join(out, 'split.bin');
    const split = (await UserSplit.load(binaryPath)).toJSON() as unknown as {
      test: number[][];
      timestamps?: { test: number[][] };
    };
    split.test = [[]];
    if (split.timestamps) split.timestamps.test = [[]];
    writeFileSync(join(out, 'split.json'), JSON.stringify(split));
    rmSync(binaryPath);
    const runPath = join(out, 'run.json');
    const runJson = JSON.parse(readFileSync(runPath, 'utf8')) as { files: Record<string, string> };
    delete runJson.files['split.bin'];
    writeFileSync(runPath, JSON.stringify(runJson));
    const empty = await marsRec(['evaluate', '--model', out, '--backend', 'cpu']);
    expect(empty.code).toBe(1);
    expect(lastLine(empty.stderr)).toBe(
      `mars-rec: the test split of '${out}' holds no held-out item for any of its 1 users: nothing to evaluate`,
    );

    const repeated = await marsRec([
      'recommend',
      '--model',
      out,
      '--history',
      'i0,i1,i0,i0',
      '-k',
      '1',
      '--explain',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(repeated.code, repeated.stderr).toBe(0);
    const [top] = JSON.parse(repeated.stdout) as {
      id: string;
      attention: { id: string; weight: number }[];
    }[];
    expect(top.attention.map((a) => a.id)).toEqual(['i1', 'i0']);
    expect(top.attention[0].weight + top.attention[1].weight).toBeCloseTo(1, 5);
  });

  it('keeps ids above 2^53 as the strings they are, through train, split and recommend', async () => {
    const ids = [
      '12345678901234567000',
      '12345678901234567001',
      '12345678901234567002',
      '12345678901234567003',
    ];
    const bigItems = ids.map((id, k) => ({ id, text: `${words[k]} ${words[k + 1]} tale` }));
    const users = ['90071992547409930', '90071992547409931'];
    const rows = users.flatMap((user) => ids.map((id, k) => [user, id, '5', `${1_700_000_000 + k}`]));
    const data = writeData(mkdtempSync(join(folder, 'big-')), bigItems, rows);
    const out = join(folder, 'big-out');
    expect(
      (
        await marsRec([
          'train',
          '--items',
          data.items,
          '--interactions',
          data.interactions,
          '--out',
          out,
          '--model',
          'popularity',
        ])
      ).code,
    ).toBe(0);
    const split = await UserSplit.load(join(out, 'split.bin'));
    expect(split.itemIds).toEqual(ids);
    expect(split.userIds).toEqual(users);
    const recommended = await marsRec([
      'recommend',
      '--model',
      out,
      '--history',
      ids[1],
      '-k',
      '3',
      '--json',
    ]);
    const list = JSON.parse(recommended.stdout) as { id: string }[];
    expect(list.map((r) => r.id).sort()).toEqual([ids[0], ids[2], ids[3]]);
  });
});
