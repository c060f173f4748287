import * as tf from '@tensorflow/tfjs-core';

/** How the memory is read: MARS's attention, or the ablation's plain average. */
export type MemoryAggregation = 'attention' | 'mean';

/** Options of {@link memoryReadWeights}. */
export interface MemoryReadOptions {
  /** `'attention'` (MARS, default) or `'mean'` (every valid slot weighs 1 / count). */
  aggregation?: MemoryAggregation;
  /**
   * Whether some row may have no valid slot at all; such rows get all-zero weights. Pass false
   * when every row has a valid slot to skip one multiplication (the weights are the same).
   * Default true.
   */
  rowsMayBeEmpty?: boolean;
}

/** Logit added to padded slots: exp() of it, after the softmax's shift, is exactly 0 in float32. */
const PADDED_LOGIT = -1e30;

/**
 * The weights a with which the memory is read (report 3.1.1): the one masked-softmax op that
 * training (`MemoryAttention`), ranking (`scoreAllItems`) and explanations all call, so the
 * three agree to the bit on a backend.
 *
 * Attention: a = softmax(S + m) over the last (history) axis, with m = 0 on valid slots and
 * -1e30 on padded ones, then multiplied by the mask, so padded slots weigh exactly 0 and a row
 * without a valid slot weighs 0 everywhere (never NaN). The backend's softmax kernel does the
 * work, and its gradient is exact.
 * Mean (the attention ablation): a = mask / max(count, 1).
 *
 * @param similarity - `[..., history]` S, the similarity of each memory slot to a candidate.
 * @param mask - float32 1 on valid slots and 0 on padding, broadcastable to `similarity`
 *   (`[..., 1 or rows, history]`); undefined when every slot is valid.
 * @returns `[..., history]` the weights (for `'mean'`, the mask's shape when one is given); the
 *   caller owns the tensor (call inside `tf.tidy`).
 */
export function memoryReadWeights(
  similarity: tf.Tensor,
  mask: tf.Tensor | undefined,
  options: MemoryReadOptions = {},
): tf.Tensor {
  const aggregation = options.aggregation ?? 'attention';
  return tf.tidy(() => {
    if (aggregation === 'mean') {
      if (!mask) return tf.div(tf.onesLike(similarity), similarity.shape[similarity.rank - 1]);
      return tf.div(mask, tf.maximum(tf.sum(mask, -1, true), 1));
    }
    if (aggregation !== 'attention')
      throw new RangeError(
        `memoryReadWeights: aggregation must be 'attention' or 'mean', got '${String(aggregation)}'`,
      );
    if (!mask) return tf.softmax(similarity);
    const weights = tf.softmax(tf.add(similarity, tf.mul(tf.sub(1, mask), PADDED_LOGIT)));
    return options.rowsMayBeEmpty === false ? weights : tf.mul(weights, mask);
  });
}

/**
 * The scores r = sum_h a_h S_h of a memory read: weights times similarities, summed over the last
 * (history) axis.
 * @param similarity - `[..., history]` S.
 * @param weights - the weights of {@link memoryReadWeights}, broadcastable to `similarity`.
 * @returns `[...]`; the caller owns the tensor.
 */
export function memoryReadScores(similarity: tf.Tensor, weights: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sum(tf.mul(weights, similarity), -1));
}
