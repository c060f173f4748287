import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { scoreAllItems } from '../../src/serving/brute-force-ranking';
import { SeededRandom } from '../../src/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Brute force: for each user and item, attention over valid slots, u = C a, r = u . v. */
function referenceScores(
  memory: number[][][],
  mask: number[][],
  items: number[][],
  mean = false,
): number[][] {
  return memory.map((slots, user) =>
    items.map((item) => {
      const valid = slots.filter((_, h) => mask[user][h] === 1);
      if (valid.length === 0) return 0;
      const logits = valid.map((slot) => slot.reduce((sum, x, k) => sum + x * item[k], 0));
      const maxLogit = Math.max(...logits);
      const exps = logits.map((l) => Math.exp(l - maxLogit));
      const total = exps.reduce((a, b) => a + b, 0);
      const weights = mean ? valid.map(() => 1 / valid.length) : exps.map((e) => e / total);
      const userVector = item.map((_, k) => valid.reduce((sum, slot, h) => sum + weights[h] * slot[k], 0));
      return userVector.reduce((sum, x, k) => sum + x * item[k], 0);
    }),
  );
}

describe('scoreAllItems', () => {
  const rng = new SeededRandom(11);
  const random = (): number => rng.nextFloat() * 2 - 1;
  const users = 4;
  const history = 5;
  const dim = 3;
  const itemCount = 11;
  const memory = Array.from({ length: users }, () =>
    Array.from({ length: history }, () => Array.from({ length: dim }, random)),
  );
  const lengths = [5, 2, 0, 1];
  const mask = lengths.map((length) => Array.from({ length: history }, (_, h) => (h < length ? 1 : 0)));
  const items = Array.from({ length: itemCount }, () => Array.from({ length: dim }, random));

  it.each([
    ['attention', 1],
    ['attention', 4],
    ['mean', 3],
  ] as const)('matches a per-example brute force (%s, chunks of %i items)', async (aggregation, chunk) => {
    const expected = referenceScores(memory, mask, items, aggregation === 'mean');
    const memoryTensor = tf.tensor3d(memory);
    const itemTensor = tf.tensor2d(items);
    const scores = await scoreAllItems(memoryTensor, lengths, itemTensor, {
      itemChunkSize: chunk,
      aggregation,
    });
    tf.dispose([memoryTensor, itemTensor]);
    for (let u = 0; u < users; u++)
      for (let i = 0; i < itemCount; i++) expect(scores[u * itemCount + i]).toBeCloseTo(expected[u][i], 5);
    expect(scores.subarray(2 * itemCount, 3 * itemCount).every((score) => score === 0)).toBe(true);
  });

  it('ignores whatever the padded slots hold', async () => {
    const noisy = memory.map((slots, u) => slots.map((slot, h) => (mask[u][h] ? slot : slot.map(() => 1e6))));
    const itemTensor = tf.tensor2d(items);
    const cleanMemory = tf.tensor3d(memory);
    const noisyMemory = tf.tensor3d(noisy);
    const clean = await scoreAllItems(cleanMemory, lengths, itemTensor);
    const dirty = await scoreAllItems(noisyMemory, lengths, itemTensor);
    tf.dispose([itemTensor, cleanMemory, noisyMemory]);
    expect(Array.from(dirty)).toEqual(Array.from(clean));
  });

  it('leaks no tensors', async () => {
    const memoryTensor = tf.tensor3d(memory);
    const itemTensor = tf.tensor2d(items);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) await scoreAllItems(memoryTensor, lengths, itemTensor, { itemChunkSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([memoryTensor, itemTensor]);
  });
});
