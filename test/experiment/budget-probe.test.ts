// Smoke test of bench/budget-probe.ts (issue #13's budget comparison) on the generated corpus;
// the amazon_office table of docs/quality.md is produced by hand.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBudgetProbe } from '../../bench/budget-probe';
import { generateSyntheticCorpus } from '../../src/synthetic';

describe('budget probe', () => {
  const folder = mkdtempSync(join(tmpdir(), 'mars-budget-probe-'));

  beforeAll(async () => {
    await tf.setBackend('wasm');
    const corpus = generateSyntheticCorpus({ seed: 3, itemCount: 60, userCount: 40, clicksPerUser: [5, 10] });
    writeFileSync(
      join(folder, 'items.jsonl'),
      corpus.items.map((item) => JSON.stringify({ id: item.id, text: item.text })).join('\n'),
    );
    writeFileSync(
      join(folder, 'interactions.csv'),
      [
        'user,item,rating,timestamp',
        ...corpus.interactions.map((c) => `${c.user},${c.item},,${c.timestamp}`),
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('fits each variant with its own options on the same split and keeps the best validated step', async () => {
    const lines: string[] = [];
    const before = tf.memory().numTensors;
    await runBudgetProbe({
      data: folder,
      seeds: [1],
      variants: [
        { name: 'five steps', fit: { steps: 5, validateEvery: 2 } },
        { name: 'patience 1', fit: { patience: 1, maxPasses: 3 } },
      ],
      log: (line) => lines.push(line),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(lines[0]).toMatch(/^seed 1 popularity: validation 0\.\d{4} \/ 0\.\d{4}, test /);
    expect(lines[1]).toMatch(/^seed 1 BPR-MF L2 [\d.]+, \d+ epochs chosen on validation/);
    expect(lines[2]).toMatch(/^seed 1 five steps: validation .* 5 steps \(.* passes, steps\)/);
    // validated at step 0 (the collaborative part alone), every 2 steps and after the last
    expect(lines[3]).toMatch(/by step \(the fit's validation users\): 0:\S+ 2:\S+ 4:\S+ 5:\S+$/);
    for (const [run, curve] of [
      [lines[2], lines[3]],
      [lines[4], lines[5]],
    ]) {
      const points = curve
        .split(': ')[1]
        .split(' ')
        .map((point) => point.split(':').map(Number));
      const best = points.reduce((top, point) => (point[1] > top[1] ? point : top));
      expect(run).toContain(`best step ${best[0]};`);
    }
  });
});
