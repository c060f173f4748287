// Smoke test of `npm run experiment` (issue #9): the whole protocol on the generated corpus with a
// tiny step count. The full table on movies_tmdb_small is produced by hand (docs/quality.md).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EXPERIMENT_METRICS,
  formatExperimentTable,
  parseExperimentArgs,
  runExperiment,
} from '../../bench/experiment';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('quality experiment', () => {
  it('trains every model per seed, evaluates warm and cold-start settings, and tabulates mean ± std', async () => {
    const options = parseExperimentArgs([
      '--data',
      'synthetic',
      '--models',
      'popularity,bpr-mf,mars',
      '--seeds',
      '1,2',
      '--steps',
      '3',
      '--validate-every',
      '3',
      '--bpr-epochs',
      '3',
      '--bpr-l2',
      '0.01,0.03',
      '--cold-start',
      '0.2',
    ]);
    const lines: string[] = [];
    const before = tf.memory().numTensors;
    const runs = await runExperiment({ ...options, log: (line) => lines.push(line) });
    expect(tf.memory().numTensors).toBe(before);
    expect(runs).toHaveLength(2 * 3 * 2); // settings x models x seeds
    for (const run of runs) {
      for (const metric of EXPERIMENT_METRICS) {
        expect(run.metrics[metric]).toBeGreaterThanOrEqual(0);
        expect(run.metrics[metric]).toBeLessThanOrEqual(1);
      }
    }
    const bpr = runs.filter((run) => run.model === 'bpr-mf');
    expect(bpr.every((run) => /^l2 0\.0[13]$/.test(run.chosen ?? ''))).toBe(true);
    expect(lines.some((line) => line.startsWith('cold start:'))).toBe(true);
    const table = formatExperimentTable(runs);
    expect(table.split('\n')).toHaveLength(2 + 6);
    expect(table).toMatch(/\| warm \| mars \| [\d.]+ ± [\d.]+ \|/);
    expect(table).toMatch(/\| cold \| popularity \|/);
  }, 180_000);

  it('rejects unknown models and malformed numbers with a message naming them', async () => {
    expect(() => parseExperimentArgs(['--data', 'synthetic', '--seeds', '1,x'])).toThrow(/--seeds/);
    await expect(
      runExperiment({ ...parseExperimentArgs(['--data', 'synthetic']), models: ['nope'] }),
    ).rejects.toThrow(/unknown model 'nope'/);
  });
});
