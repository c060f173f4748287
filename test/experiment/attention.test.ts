// Smoke test of bench/attention.ts (issue #18): the protocol on the generated corpus with a tiny
// step count. The tables on the shared data sets are produced by hand (docs/quality.md).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  distribution,
  formatAttentionTables,
  parseAttentionArgs,
  runAttentionReport,
} from '../../bench/attention';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('attention report', () => {
  it('summarises a sample by mean and nearest-rank percentiles', () => {
    // 1..10: p10 is the 1st value, the median the 5th, p90 the 9th
    expect(distribution([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toEqual({ mean: 5.5, p10: 1, median: 5, p90: 9 });
    expect(distribution([0.25])).toEqual({ mean: 0.25, p10: 0.25, median: 0.25, p90: 0.25 });
  });

  it('trains attention and mean, explains top-10 and random candidates, and tabulates both', async () => {
    const options = parseAttentionArgs([
      '--datasets',
      'synthetic',
      '--variants',
      'mars-text',
      '--steps',
      '3',
      '--users',
      '4',
    ]);
    const before = tf.memory().numTensors;
    const reports = await runAttentionReport({ ...options, log: () => undefined });
    expect(tf.memory().numTensors).toBe(before);
    expect(reports).toHaveLength(1);
    const [report] = reports;
    expect(report.runs.map((run) => run.aggregation)).toEqual(['attention', 'mean']);
    expect(report.explained.map((row) => [row.candidates, row.count])).toEqual([
      ['top-10', 40],
      ['random', 40],
    ]);
    for (const row of report.explained) {
      for (const value of Object.values(row.normalizedEntropy)) expect(value).toBeGreaterThanOrEqual(0);
      for (const value of Object.values(row.normalizedEntropy)) expect(value).toBeLessThanOrEqual(1);
      expect(row.nearUniformShare).toBeGreaterThanOrEqual(0);
      expect(row.nearUniformShare).toBeLessThanOrEqual(1);
    }
    const tables = formatAttentionTables(reports);
    expect(tables.split('\n').filter((line) => line.startsWith('| synthetic | mars-text |'))).toHaveLength(4);
    expect(() => parseAttentionArgs(['--users', 'many'])).toThrow(/--users expects a number >= 0/);
  }, 60_000);
});
