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
 * MARS (report section 3.1.1): S = C V^T on the backend (one product per item chunk), then, on
 * the CPU in one pass over S, a = softmax over the valid history slots of each column and
 * r_j = sum_h a_hj S_hj. The `[users, items, dim]` user vectors are never materialised: memory
 * stays O(users x history x chunk).
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
  const flatMemory = tf.reshape(memory, [users * history, dim]);
  try {
    for (let start = 0; start < itemCount; start += itemChunkSize) {
      const size = Math.min(itemChunkSize, itemCount - start);
      const similarityTensor = tf.tidy(() =>
        tf.matMul(flatMemory, tf.slice(itemVectorsTransposed, [0, start], [dim, size])),
      ); // [users * history, size]
      const similarity = (await similarityTensor.data()) as Float32Array;
      similarityTensor.dispose();
      for (let user = 0; user < users; user++) {
        const valid = Math.min(lengths[user], history);
        const rows = similarity.subarray(user * history * size, (user * history + valid) * size);
        aggregateColumns(
          rows,
          valid,
          size,
          aggregation,
          scores.subarray(user * itemCount + start, user * itemCount + start + size),
        );
      }
    }
  } finally {
    flatMemory.dispose();
  }
  return scores;
}

/**
 * For `[valid, size]` similarities S (row-major), writes r_j = sum_h softmax_h(S[:, j]) S[h, j]
 * (or the mean of S[:, j]) into `out`; zeros when `valid` is 0.
 */
export function aggregateColumns(
  similarity: Float32Array,
  valid: number,
  size: number,
  aggregation: 'attention' | 'mean',
  out: Float32Array,
): void {
  if (valid === 0) {
    out.fill(0);
    return;
  }
  if (aggregation === 'mean') {
    out.fill(0);
    for (let h = 0; h < valid; h++) {
      const row = h * size;
      for (let j = 0; j < size; j++) out[j] += similarity[row + j];
    }
    for (let j = 0; j < size; j++) out[j] /= valid;
    return;
  }
  const maxima = new Float32Array(size).fill(-Infinity);
  for (let h = 0; h < valid; h++) {
    const row = h * size;
    for (let j = 0; j < size; j++) if (similarity[row + j] > maxima[j]) maxima[j] = similarity[row + j];
  }
  const numerators = new Float64Array(size);
  const denominators = new Float64Array(size);
  for (let h = 0; h < valid; h++) {
    const row = h * size;
    for (let j = 0; j < size; j++) {
      const s = similarity[row + j];
      const weight = Math.exp(s - maxima[j]);
      numerators[j] += weight * s;
      denominators[j] += weight;
    }
  }
  for (let j = 0; j < size; j++) out[j] = numerators[j] / denominators[j];
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
