import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserSplit } from '../../src/data/split';
import { generateSyntheticCorpus } from '../../src/synthetic';
import { marsRec, noise, repositoryRoot } from '../helpers/mars-rec-cli';

const { version } = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
  version: string;
};

describe('mars-rec --help and --version', () => {
  it('prints the help of a command with exit code 0, even beside a flag it does not know', async () => {
    const help = await marsRec(['train', '--help', '--no-such-flag']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: mars-rec train --items FILE --interactions FILE --out DIR');
    expect(help.stdout).toMatch(/--batch-size B\s+MARS: triplets per step \(default: 128\)/);
    const version_ = await marsRec(['--version']);
    expect(version_.stdout.trim()).toBe(version);
    const unknown = await marsRec(['trian']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^mars-rec: unknown command 'trian'\nusage: mars-rec train/);
  });
});

describe('mars-rec output for a person, and --all-users', () => {
  const folder = mkdtempSync(join(tmpdir(), 'mars-cli-output-'));
  const items = join(folder, 'items.jsonl');
  const interactions = join(folder, 'interactions.csv');
  const out = join(folder, 'run');
  const corpus = generateSyntheticCorpus({ seed: 4, itemCount: 60, userCount: 40, clicksPerUser: [5, 9] });
  const titleOf = (id: string): string => `Story ${id.toUpperCase()}`;
  let trainStderr = '';

  beforeAll(async () => {
    writeFileSync(
      items,
      corpus.items
        .map((item) => JSON.stringify({ id: item.id, text: item.text, title: titleOf(item.id) }))
        .join('\n'),
    );
    writeFileSync(
      interactions,
      [
        'user,item,rating,timestamp',
        ...corpus.interactions.map((c) => `${c.user},${c.item},5,${c.timestamp}`),
      ].join('\n'),
    );
    // --backend auto: the selection probes WebGPU (Dawn), which must stay silent without Vulkan
    const train = await marsRec([
      ...['train', '--items', items, '--interactions', interactions, '--out', out],
      ...['--steps', '2', '--batch-size', '8', '--max-doc-length', '20', '--json'],
      ...['--config', '{"embeddingDim":8,"filters":8,"outputDim":8,"collaborativeFactors":4}'],
    ]);
    expect(train.code, train.stderr).toBe(0);
    trainStderr = train.stderr;
  }, 120_000);

  it('train --json: the result on stdout, progress and how training ended on stderr, no native noise', () => {
    expect(trainStderr).not.toMatch(noise);
    expect(trainStderr).toMatch(/^data: \d+ users/m);
    expect(trainStderr).toMatch(/^backend: /m);
    expect(trainStderr).toMatch(/^step 2\/2 {2}loss /m);
    expect(trainStderr).toMatch(/trained the 2 steps asked: 2 steps .*; best step \d+/m);
    // every validation line stands alone
    for (const line of trainStderr.split('\n').filter((l) => l.includes('validation at step')))
      expect(line).toMatch(/^validation at step \d+: recall@50 \d\.\d{4}$/);
  });

  it('evaluate prints a metrics table; recommend prints a header and the titles', async () => {
    const evaluated = await marsRec(['evaluate', '--model', out]);
    expect(evaluated.code).toBe(0);
    const lines = evaluated.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^mars on the test split/);
    expect(lines[1].split(/\s+/)).toEqual(['metric', 'mean', '±', 's.e.', 'users']);
    expect(lines.slice(2).map((line) => line.split(/\s+/)[0])).toEqual([
      'recall@10',
      'recall@50',
      'precision@10',
      'ndcg@10',
      'map@500',
      'hit@10',
      'mrr',
    ]);
    expect(evaluated.stderr).not.toMatch(noise);

    const history = corpus.interactions.slice(0, 2).map((c) => c.item);
    const recommended = await marsRec([
      'recommend',
      '--model',
      out,
      '--history',
      history.join(','),
      '-k',
      '3',
    ]);
    expect(recommended.code).toBe(0);
    const rows = recommended.stdout.trim().split('\n');
    expect(rows[0].split(/\s+/)).toEqual(['rank', 'id', 'score', 'title']);
    expect(rows).toHaveLength(4);
    for (const [index, row] of rows.slice(1).entries()) {
      const [rank, id, score, title] = row.split(/\s{2,}/);
      expect(rank).toBe(String(index + 1));
      expect(history).not.toContain(id);
      expect(Number.isFinite(Number(score))).toBe(true);
      expect(title).toBe(titleOf(id));
    }
    expect(recommended.stderr).not.toMatch(noise);
  });

  it('--all-users writes top-k of every user of the split as JSON lines, no training item, no temp file left', async () => {
    const file = join(folder, 'recs.jsonl');
    const exported = await marsRec([
      'recommend',
      '--model',
      out,
      '--all-users',
      '-k',
      '4',
      '--out',
      file,
      '--json',
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).not.toMatch(noise);
    expect(existsSync(`${file}.tmp`)).toBe(false);
    const split = (await UserSplit.load(join(out, 'split.bin'))).toJSON();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(split.userIds.length);
    expect(JSON.parse(exported.stdout)).toMatchObject({
      users: split.userIds.length,
      items: 4 * lines.length,
    });
    lines.forEach((line, user) => {
      const record = JSON.parse(line) as {
        user: string;
        items: { id: string; score: number; title: string }[];
      };
      expect(record.user).toBe(split.userIds[user]);
      expect(record.items).toHaveLength(4);
      const trained = new Set(split.train[user].map((index) => split.itemIds[index]));
      for (const item of record.items) {
        expect(trained.has(item.id)).toBe(false);
        expect(item.title).toBe(titleOf(item.id));
      }
      const scores = record.items.map((item) => item.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    });

    const nowhere = join(folder, 'missing-dir', 'recs.jsonl');
    const failed = await marsRec(['recommend', '--model', out, '--all-users', '--out', nowhere]);
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim()).toMatch(/^mars-rec: cannot write .*missing-dir\/recs\.jsonl\.tmp/);
    const usage = await marsRec(['recommend', '--model', out, '--all-users']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--all-users needs --out FILE/);
  }, 60_000);
});
