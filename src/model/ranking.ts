import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link scoreAllItems}. */
export interface ScoreAllItemsOptions {
  /** Items scored per matrix product, bounding memory to `users x history x chunk` floats. Default 4096 items. */
  itemChunkSize?: number;
  /** `'attention'` (MARS) or `'mean'` (the ablation: plain average of the memory). Default `'attention'`. */
  aggregation?: 'attention' | 'mean';
}

/**
 * Scores every item for a batch of users with cached vectors, in the one-matrix-product form of
 * MARS (report section 3.1.1): S = C V^T, a = softmax over valid history slots of S (per item),
 * r_j = sum_h a_hj S_hj. The user vectors u_j = C a_j are never materialised: memory stays
 * O(users x history x chunk) instead of O(users x items x dim).
 *
 * A user without valid history slots scores 0 for every item.
 *
 * @param memory - `[users, history, dim]` memory vectors of each user's history (padded slots arbitrary).
 * @param mask - `[users, history]` float32, 1 for a valid slot and 0 for padding.
 * @param itemVectorsTransposed - `[dim, items]` the transposed item vectors (transposed once and cached by the caller).
 * @returns `[users, items]` scores; the caller owns the tensor.
 */
export function scoreAllItems(
  memory: tf.Tensor3D,
  mask: tf.Tensor2D,
  itemVectorsTransposed: tf.Tensor2D,
  options: ScoreAllItemsOptions = {},
): tf.Tensor2D {
  const { itemChunkSize = 4096, aggregation = 'attention' } = options;
  const [users, history, dim] = memory.shape;
  const itemCount = itemVectorsTransposed.shape[1];
  if (itemVectorsTransposed.shape[0] !== dim) {
    throw new Error(
      `scoreAllItems: memory dim ${dim} does not match item vector dim ${itemVectorsTransposed.shape[0]}`,
    );
  }
  return tf.tidy(() => {
    const flatMemory = tf.reshape(memory, [users * history, dim]);
    const validMask = tf.reshape(mask, [users, history, 1]);
    const validCount = tf.sum(validMask, 1); // [users, 1]
    const chunks: tf.Tensor2D[] = [];
    for (let start = 0; start < itemCount; start += itemChunkSize) {
      const size = Math.min(itemChunkSize, itemCount - start);
      chunks.push(
        tf.tidy(() => {
          const items = tf.slice(itemVectorsTransposed, [0, start], [dim, size]);
          const similarity = tf.reshape(tf.matMul(flatMemory, items), [users, history, size]); // S
          if (aggregation === 'mean') {
            return tf.divNoNan(tf.sum(tf.mul(similarity, validMask), 1), validCount) as tf.Tensor2D;
          }
          const weights = maskedSoftmaxOverHistory(similarity as tf.Tensor3D, validMask); // a, [users, history, size]
          return tf.sum(tf.mul(weights, similarity), 1) as tf.Tensor2D;
        }),
      );
    }
    return chunks.length === 1 ? chunks[0] : (tf.concat(chunks, 1) as tf.Tensor2D);
  });
}

/**
 * Softmax over axis 1 (history) restricted to valid slots: padded slots get exactly zero weight
 * and a user with no valid slot gets all-zero weights (never NaN).
 * @param logits - `[users, history, items]`.
 * @param validMask - `[users, history, 1]` float32 of 1/0.
 */
export function maskedSoftmaxOverHistory(logits: tf.Tensor3D, validMask: tf.Tensor): tf.Tensor3D {
  return tf.tidy(() => {
    const masked = tf.where(tf.greater(validMask, 0), logits, tf.fill(logits.shape, -1e30));
    const shifted = tf.sub(masked, tf.max(masked, 1, true));
    const exponentials = tf.mul(tf.exp(shifted), validMask);
    return tf.divNoNan(exponentials, tf.sum(exponentials, 1, true)) as tf.Tensor3D;
  });
}
