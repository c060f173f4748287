// Smoke test of `npm run bench -- parity` (issue #13) on the generated corpus with a few steps:
// the split written as the reference's CSV reads back to the same split, both tools train and
// are tabulated, and where python3-torch is present the reference's popularity (its own counting,
// ranking and metrics) agrees with mars-rec's to rounding. The full table is produced by hand.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExperimentData, rowOf } from '../../bench/experiment';
import {
  findReference,
  formatParityTable,
  parseParityArgs,
  runParity,
  writeReferenceInput,
} from '../../bench/suites/parity';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('parity bench', () => {
  it('writes the split as user,item,part,pos rows that read back to the same per-user lists', async () => {
    const data = await loadExperimentData({ data: 'synthetic', splitSeed: 1 });
    const folder = mkdtempSync(join(tmpdir(), 'parity-test-'));
    try {
      const { splitPath } = writeReferenceInput(data, folder);
      const [header, ...rows] = readFileSync(splitPath, 'utf8').trim().split('\n');
      expect(header).toBe('user,item,part,pos');
      const lists = new Map<string, string[]>();
      for (const row of rows) {
        const [user, item, part, pos] = row.split(',');
        const key = `${user}/${part}`;
        const list = lists.get(key) ?? [];
        list[Number(pos)] = item;
        lists.set(key, list);
      }
      const parts = { train: data.train, val: data.validation, test: data.test };
      let entries = 0;
      for (const [part, matrix] of Object.entries(parts)) {
        for (let user = 0; user < matrix.rowCount; user++) {
          const expected = Array.from(rowOf(matrix, user), (item) => data.itemIds[item]);
          entries += expected.length;
          expect(lists.get(`u${user}/${part}`) ?? []).toEqual(expected);
        }
      }
      expect(rows).toHaveLength(entries);
      const items = readFileSync(join(folder, 'items.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { id: string; text: string });
      expect(items.map((item) => item.id)).toEqual(data.itemIds);
      expect(items.map((item) => item.text)).toEqual(data.itemTexts);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('trains both tools on one split and tabulates them; popularity agrees across tools', async () => {
    const reference = findReference();
    if ('missing' in reference) console.warn(`parity smoke: reference part skipped: ${reference.missing}`);
    const options = parseParityArgs([
      '--data=synthetic',
      '--seeds=1',
      '--steps=4',
      '--validate-every=2',
      '--models=popularity-index,mars-text',
      '--reference-models=pop,mars',
    ]);
    const before = tf.memory().numTensors;
    const result = await runParity({ ...options, log: () => undefined });
    expect(tf.memory().numTensors).toBe(before);
    const ours = result.runs.filter((run) => run.tool === 'mars-rec');
    expect(ours.map((run) => run.model)).toEqual(['popularity-index', 'mars-text']);
    const table = formatParityTable(result);
    expect(table).toMatch(/\| mars-rec \| mars-text \| [\d.]+ \| [\d.]+ \|/);
    if ('missing' in reference) {
      expect(result.referenceSkipped).toBe(reference.missing);
      expect(table).toContain('reference skipped:');
      return;
    }
    const theirs = result.runs.filter((run) => run.tool === 'reference');
    expect(theirs.map((run) => run.model)).toEqual(['pop', 'mars']);
    const pop = theirs[0];
    for (const metric of ['recall@10', 'recall@50', 'ndcg@10', 'map@500'])
      expect(pop.metrics[metric]).toBeCloseTo(ours[0].metrics[metric], 6);
    expect(table).toMatch(/\| reference \| mars \|/);
  }, 120_000);

  it('rejects unknown models, naming them', async () => {
    await expect(
      runParity({ ...parseParityArgs(['--data=synthetic', '--models=nope']), log: () => undefined }),
    ).rejects.toThrow(/unknown model\(s\) nope/);
  });
});
