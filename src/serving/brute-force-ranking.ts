import * as tf from '@tensorflow/tfjs-core';
import { memoryReadScores, memoryReadWeights } from '../layers/ops/memory-read';
import type { MemoryAggregation } from '../layers/ops/memory-read';

/** Options of {@link scoreAllItems}. */
export interface ScoreAllItemsOptions {
  /** Items scored per matrix product, bounding memory to `users x history x chunk` floats. Default 4,096 items. */
  itemChunkSize?: number;
  /** `'attention'` (MARS) or `'mean'` (the ablation: plain average of the memory). Default `'attention'`. */
  aggregation?: MemoryAggregation;
}

/**
 * Scores every item for a batch of users with cached vectors, in the one-matrix-product form of
 * MARS (report section 3.1.1): S = C V^T (one product per item chunk), a = softmax over the valid
 * history slots of each column (`memoryReadWeights`, the op training and explanations use) and
 * r_j = sum_h a_hj S_hj, all on the backend with its softmax kernel (on wasm: 10.7 ms per user for
 * 20k items; 36 when the softmax ran in JavaScript). The `[users, items, dim]` user vectors are
 * never materialised: memory stays O(users x history x chunk). This is brute force: every item
 * is scored.
 *
 * A user without valid history slots scores 0 for every item.
 *
 * @param memory - `[users, history, dim]` memory vectors of each user's history (padded slots arbitrary).
 * @param lengths - valid slots of each user (a prefix of the history axis), in items.
 * @param itemVectors - `[items, dim]` the item vectors (cached by the caller).
 * @returns row-major `[users, items]` scores.
 */
export async function scoreAllItems(
  memory: tf.Tensor3D,
  lengths: ArrayLike<number>,
  itemVectors: tf.Tensor2D,
  options: ScoreAllItemsOptions = {},
): Promise<Float32Array> {
  const { itemChunkSize = 4096, aggregation = 'attention' } = options;
  const [users, history, dim] = memory.shape;
  const [itemCount, itemDim] = itemVectors.shape;
  if (itemDim !== dim)
    throw new Error(`scoreAllItems: memory dim ${dim} does not match item vector dim ${itemDim}`);
  if (lengths.length !== users)
    throw new Error(`scoreAllItems: ${lengths.length} lengths for ${users} users`);
  const scores = new Float32Array(users * itemCount);
  const validLengths = Array.from({ length: users }, (_, user) =>
    Math.max(0, Math.min(lengths[user], history)),
  );
  const padded = validLengths.some((length) => length < history);
  const [memoryTransposed, mask] = tf.tidy(() => [
    // [dim, users * history]: each chunk's S^T = V_chunk C^T comes out [items, users, history], so
    // the softmax and the sum reduce over the last axis (the fast one on every backend)
    tf.transpose(tf.reshape(memory, [users * history, dim])) as tf.Tensor2D,
    padded
      ? tf.tensor3d(
          Float32Array.from({ length: users * history }, (_, k) =>
            k % history < validLengths[Math.floor(k / history)] ? 1 : 0,
          ),
          [1, users, history],
        )
      : undefined,
  ]);
  const rowsMayBeEmpty = validLengths.some((length) => length === 0);
  try {
    for (let start = 0; start < itemCount; start += itemChunkSize) {
      const size = Math.min(itemChunkSize, itemCount - start);
      const chunkScores = tf.tidy(() => {
        const chunk = tf.slice(itemVectors, [start, 0], [size, dim]);
        const similarity = tf.reshape(tf.matMul(chunk, memoryTransposed), [size, users, history]);
        const weights = memoryReadWeights(similarity, mask, { aggregation, rowsMayBeEmpty });
        return tf.transpose(memoryReadScores(similarity, weights)); // [users, size]
      });
      const values = (await chunkScores.data()) as Float32Array;
      chunkScores.dispose();
      for (let user = 0; user < users; user++) {
        // a user without valid slots scores 0 (scores start at 0)
        if (validLengths[user] > 0)
          scores.set(values.subarray(user * size, (user + 1) * size), user * itemCount + start);
      }
    }
  } finally {
    tf.dispose([memoryTransposed, ...(mask ? [mask] : [])]);
  }
  return scores;
}
