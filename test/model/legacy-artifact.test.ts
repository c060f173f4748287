import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { MarsModel } from '../../src/model/mars-model';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/legacy-artifacts');

interface Expected {
  histories: string[][];
  users?: number[];
  scores: number[];
  recommendations: { id: string; score: number }[];
  explanation: { item: string; score: number; history: { id: string; weight: number }[] };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('artifacts saved by an earlier mars-rec (weights by position)', () => {
  it.each(['full', 'shared-mean-fixed-words'])('%s loads and scores as it did', async (name) => {
    const directory = join(fixtures, name);
    const expected = JSON.parse(readFileSync(join(directory, 'expected.json'), 'utf8')) as Expected;
    const before = tf.memory().numTensors;
    const model = await MarsModel.load(directory);
    const catalog = model.catalog;
    if (!catalog) throw new Error('no catalogue');
    const histories = expected.histories.map((history) =>
      Int32Array.from(catalog.indicesOf(history, 'item')),
    );
    const scores = await model.scoreItemsForHistories(histories, expected.users);
    expect(scores.length).toBe(expected.scores.length);
    let largest = 0;
    scores.forEach((score, k) => (largest = Math.max(largest, Math.abs(score - expected.scores[k]))));
    expect(largest).toBeLessThan(1e-6);
    const user = expected.users ? { user: expected.users[2] } : {};
    const recommendations = await model.recommend(expected.histories[2], { k: 5, ...user });
    expect(recommendations.map((r) => r.id)).toEqual(expected.recommendations.map((r) => r.id));
    recommendations.forEach((r, k) => expect(r.score).toBeCloseTo(expected.recommendations[k].score, 6));
    const explanation = await model.explain(
      expected.histories[0],
      expected.explanation.item,
      expected.users ? { user: expected.users[0] } : {},
    );
    expect(explanation.history.map((h) => h.id)).toEqual(expected.explanation.history.map((h) => h.id));
    explanation.history.forEach((h, k) =>
      expect(h.weight).toBeCloseTo(expected.explanation.history[k].weight, 6),
    );
    expect(explanation.score).toBeCloseTo(expected.explanation.score, 6);
    model.dispose();
    await new Promise((resolve) => setTimeout(resolve, 0)); // the vector cache is freed once settled
    expect(tf.memory().numTensors).toBe(before);
  });
});
