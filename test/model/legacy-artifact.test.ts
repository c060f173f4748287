import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
    // the same float32 scores as the code that saved it, to the bit (cpu)
    expect(Array.from(scores)).toEqual(expected.scores);
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

  it('saves again by name, and the copy scores exactly as the loaded artifact', async () => {
    const model = await MarsModel.load(join(fixtures, 'full'));
    const directory = mkdtempSync(join(tmpdir(), 'mars-renamed-'));
    await model.save(directory);
    const manifest = JSON.parse(readFileSync(join(directory, 'model.json'), 'utf8')) as {
      weightsManifest: { weights: { name: string }[] }[];
    };
    const names = manifest.weightsManifest[0].weights.map((weight) => weight.name);
    const encoder = ['embedding', 'conv0_kernel', 'conv0_bias', 'dense_kernel', 'dense_bias'];
    expect(names).toEqual([
      ...encoder.map((name) => `user_encoder/${name}`),
      ...encoder.map((name) => `item_encoder/${name}`),
      'item_bias/bias',
      'item_bias/seen',
      'item_bias/cold_bias',
      'item_id_embedding/embedding',
      'item_id_embedding/seen',
      'catalog/values',
      'catalog/rowSplits',
      'collaborative/user_factors',
      'collaborative/item_factors',
      'collaborative/item_biases',
    ]);
    const copy = await MarsModel.load(directory);
    const histories = [Int32Array.of(0, 3, 7), Int32Array.of(5)];
    expect(Array.from(await copy.scoreItemsForHistories(histories, [2, -1]))).toEqual(
      Array.from(await model.scoreItemsForHistories(histories, [2, -1])),
    );
    copy.dispose();
    model.dispose();
  });
});
