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
 * MARS (report section 3.1.1): S = C V^T (one product per item chunk), a = softmax over the valid
 * history slots of each column and r_j = sum_h a_hj S_hj, all on the backend with its softmax
 * kernel (on wasm: 12 to 19 versus 26 to 36 ms per user for 20k items with an exp-and-sum
 * softmax, 36 when it ran in JavaScript). The `[users, items, dim]` user vectors are never
 * materialised: memory stays O(users x history x chunk).
 *
 * A user without valid history slots scores 0 for every item.
 *
 * @param memory - `[users, history, dim]` memory vectors of each user's history (padded slots arbitrary).
 * @param lengths - valid slots of each user (a prefix of the history axis), in items.
 * @param itemVectorsTransposed - `[dim, items]` the transposed item vectors (transposed once and cached by the caller).
 * @returns row-major `[users, items]` scores.
 */
export async function scoreAllItems(
  memory: tf.Tensor3D,
  lengths: ArrayLike<number>,
  itemVectorsTransposed: tf.Tensor2D,
  options: ScoreAllItemsOptions = {},
): Promise<Float32Array> {
  const { itemChunkSize = 4096, aggregation = 'attention' } = options;
  const [users, history, dim] = memory.shape;
  const itemCount = itemVectorsTransposed.shape[1];
  if (itemVectorsTransposed.shape[0] !== dim) {
    throw new Error(
      `scoreAllItems: memory dim ${dim} does not match item vector dim ${itemVectorsTransposed.shape[0]}`,
    );
  }
  if (lengths.length !== users)
    throw new Error(`scoreAllItems: ${lengths.length} lengths for ${users} users`);
  const scores = new Float32Array(users * itemCount);
  const validLengths = Float32Array.from({ length: users }, (_, user) =>
    Math.max(0, Math.min(lengths[user], history)),
  );
  // memory as [dim, users * history]: each chunk's S^T = V_chunk C^T comes out [items, users, history],
  // so the softmax and the sums reduce over the last axis (the fast one on every backend)
  const padded = validLengths.some((length) => length < history);
  const [memoryTransposed, mask, penalty, lengthTensor] = tf.tidy(() => {
    const maskValues = Float32Array.from({ length: users * history }, (_, k) =>
      k % history < validLengths[Math.floor(k / history)] ? 1 : 0,
    );
    return [
      tf.transpose(tf.reshape(memory, [users * history, dim])) as tf.Tensor2D,
      tf.tensor3d(maskValues, [1, users, history]),
      // -1e30 on padded slots: exp() of them is exactly 0, so they take no weight
      tf.tensor3d(
        maskValues.map((value) => (value ? 0 : -1e30)),
        [1, users, history],
      ),
      tf.tensor2d(validLengths, [1, users]),
    ];
  });
  try {
    for (let start = 0; start < itemCount; start += itemChunkSize) {
      const size = Math.min(itemChunkSize, itemCount - start);
      const chunkScores = tf.tidy(() => {
        const chunk = tf.transpose(tf.slice(itemVectorsTransposed, [0, start], [dim, size])); // [size, dim]
        const similarity = tf.reshape(tf.matMul(chunk, memoryTransposed), [size, users, history]);
        let perItem: tf.Tensor; // [size, users]
        if (aggregation === 'mean') {
          perItem = tf.divNoNan(tf.sum(padded ? tf.mul(similarity, mask) : similarity, 2), lengthTensor);
        } else {
          const logits = padded ? tf.add(similarity, penalty) : similarity;
          // the backend's softmax kernel (XNNPACK's vectorised one on wasm) over the history axis
          const weights = tf.reshape(tf.softmax(tf.reshape(logits, [size * users, history])), [
            size,
            users,
            history,
          ]);
          perItem = tf.sum(tf.mul(weights, similarity), 2);
        }
        return tf.transpose(perItem); // [users, size]
      });
      const values = (await chunkScores.data()) as Float32Array;
      chunkScores.dispose();
      for (let user = 0; user < users; user++) {
        // a user without valid slots averaged its padded slots above: it scores 0 (scores start at 0)
        if (validLengths[user] > 0)
          scores.set(values.subarray(user * size, (user + 1) * size), user * itemCount + start);
      }
    }
  } finally {
    tf.dispose([memoryTransposed, mask, penalty, lengthTensor]);
  }
  return scores;
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
