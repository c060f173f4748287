import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryAttention } from '../../src/layers/memory-attention';
import { memoryReadWeights } from '../../src/layers/ops/memory-read';
import { SeededRandom } from '../../src/random';
import { scoreAllItems } from '../../src/serving/brute-force-ranking';
import { explainAttention } from '../../src/serving/explain-attention';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('one memory read for training, ranking and explanations', () => {
  const rng = new SeededRandom(5);
  const random = (): number => (rng.nextFloat() * 2 - 1) * 3;
  const users = 4;
  const width = 6;
  const dim = 5;
  const itemCount = 9;
  const lengths = [6, 3, 1, 4];
  // every user's memory slots are rows of one item-vector table, as in the model
  const memoryVectors = Array.from({ length: 12 }, () => Array.from({ length: dim }, random));
  const itemVectors = Array.from({ length: itemCount }, () => Array.from({ length: dim }, random));
  const histories = lengths.map((length) => Array.from({ length }, () => rng.nextInt(12)));

  it.each(['attention', 'mean'] as const)(
    '%s: scores and weights are equal to the bit on cpu',
    async (aggregation) => {
      const memoryTable = tf.tensor2d(memoryVectors);
      const itemTable = tf.tensor2d(itemVectors);
      const padded = histories.flatMap((history) => [...history, ...Array(width - history.length).fill(0)]);
      const memory = tf.tidy(
        () =>
          tf.reshape(tf.gather(memoryTable, tf.tensor1d(padded, 'int32')), [
            users,
            width,
            dim,
          ]) as tf.Tensor3D,
      );
      const mask = tf.tensor2d(
        lengths.flatMap((length) => Array.from({ length: width }, (_, h) => (h < length ? 1 : 0))),
        [users, width],
      );
      const candidates = tf.tidy(() => tf.tile(tf.expandDims(itemTable, 0), [users, 1, 1]) as tf.Tensor3D);
      const attention = new MemoryAttention({ aggregation });

      // training: the layer that the BPR step calls, with every item a candidate
      const trainingScores = attention.score(memory, mask, candidates);
      const trainingWeights = attention.attentionWeights(memory, mask, candidates); // [users, items, width]
      const training = Array.from(await trainingScores.data());
      const weights = Array.from(await trainingWeights.data());
      // ranking: the brute-force scorer of serving/, in chunks of 4 items
      const ranking = Array.from(
        await scoreAllItems(memory, lengths, itemTable, { aggregation, itemChunkSize: 4 }),
      );
      expect(ranking).toEqual(training);

      // explanations: the weights of one history for one candidate
      const vectors = { itemVectors: itemTable, memoryVectors: memoryTable };
      for (let user = 0; user < users; user++) {
        for (const item of [0, 4, 8]) {
          const explained = await explainAttention(vectors, Int32Array.from(histories[user]), item, {
            aggregation,
          });
          const offset = (user * itemCount + item) * width;
          expect(Array.from(explained.weights)).toEqual(weights.slice(offset, offset + lengths[user]));
          expect(weights.slice(offset + lengths[user], offset + width).every((w) => w === 0)).toBe(true);
          expect(explained.score).toBe(training[user * itemCount + item]);
        }
      }
      tf.dispose([memoryTable, itemTable, memory, mask, candidates, trainingScores, trainingWeights]);
    },
  );

  it('padded slots weigh exactly 0, an empty row weighs 0 everywhere, and weights of a row sum to 1', () => {
    const similarity = tf.tensor3d([
      [
        [1, 2, 1e4],
        [0.5, -3, 7],
      ],
    ]); // [1, 2 rows, 3 slots]
    const mask = tf.tensor3d([
      [
        [1, 1, 0],
        [0, 0, 0],
      ],
    ]);
    const weights = memoryReadWeights(similarity, mask).arraySync() as number[][][];
    const e = Math.exp(1);
    expect(weights[0][0][0]).toBeCloseTo(1 / (1 + e), 6);
    expect(weights[0][0][1]).toBeCloseTo(e / (1 + e), 6);
    expect(weights[0][0][2]).toBe(0);
    expect(weights[0][1]).toEqual([0, 0, 0]);
    const mean = memoryReadWeights(similarity, mask, { aggregation: 'mean' }).arraySync() as number[][][];
    expect(mean[0][0]).toEqual([0.5, 0.5, 0]);
    expect(mean[0][1]).toEqual([0, 0, 0]);
    tf.dispose([similarity, mask]);
  });

  it('has a gradient that matches finite differences', () => {
    const similarity = tf.tensor2d([[0.3, -1.2, 2.0, 0.7]]);
    const mask = tf.tensor2d([[1, 1, 1, 0]]);
    const target = tf.tensor2d([[1, -2, 0.5, 4]]);
    const objective = (s: tf.Tensor): tf.Scalar =>
      tf.sum(tf.mul(memoryReadWeights(s, mask), target)) as tf.Scalar;
    const gradient = tf.grad(objective)(similarity).arraySync() as number[][];
    const base = similarity.arraySync() as number[][];
    for (let slot = 0; slot < 4; slot++) {
      const shifted = (delta: number): number =>
        tf.tidy(() => {
          const values = base.map((row) => row.slice());
          values[0][slot] += delta;
          return objective(tf.tensor2d(values)).arraySync();
        });
      expect(gradient[0][slot]).toBeCloseTo((shifted(1e-3) - shifted(-1e-3)) / 2e-3, 3);
    }
    tf.dispose([similarity, mask, target]);
  });
});
