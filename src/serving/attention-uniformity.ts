/**
 * How far from uniform: the weights of an explanation within this relative distance of the
 * equal share 1/n, every one of them, are called near uniform ({@link AttentionUniformity}):
 * with 4 history items, every weight between 0.1875 and 0.3125.
 */
export const NEAR_UNIFORM_TOLERANCE = 0.25;

/**
 * How close the weights of a memory read are to the plain average: whether an explanation
 * singles some history items out, or every history item contributes about equally (then the
 * weights say nothing about which item mattered; docs/quality.md measures how often).
 */
export interface AttentionUniformity {
  /**
   * The normalised entropy H(a) / log(n) of the n weights: 1 when every item weighs 1/n, 0 when
   * one item takes all the weight. 1 for a history of one item or none (nothing to choose from).
   */
  normalizedEntropy: number;
  /**
   * The largest distance of a weight from the equal share, relative to it: max_h |n a_h - 1|.
   * 0 when uniform; n - 1 when one item takes all the weight.
   */
  largestDeviation: number;
  /**
   * Whether every weight lies within {@link NEAR_UNIFORM_TOLERANCE} of the equal share
   * (`largestDeviation <= 0.25`): every history item contributes about equally. Always true for
   * the `'mean'` aggregation and for histories of one item or none.
   */
  nearUniform: boolean;
}

/**
 * Measures how far the weights of a memory read (`explainAttention`, `MarsModel.explain`) are
 * from uniform. The weights are normalised by their sum first (float32 sums differ from 1 in the
 * last digits).
 * @param weights - `[history]` the non-negative weight of each history item.
 *
 * @example
 * ```ts
 * import { attentionUniformity } from 'mars-rec';
 *
 * attentionUniformity([0.25, 0.25, 0.25, 0.25]); // normalizedEntropy 1, nearUniform true
 * const peaked = attentionUniformity([0.7, 0.1, 0.1, 0.1]);
 * console.log(peaked.normalizedEntropy.toFixed(3), peaked.nearUniform); // 0.678 false
 * ```
 */
export function attentionUniformity(weights: ArrayLike<number>): AttentionUniformity {
  const n = weights.length;
  let total = 0;
  for (let h = 0; h < n; h++) {
    const weight = weights[h];
    if (!(weight >= 0) || !Number.isFinite(weight))
      throw new RangeError(`attentionUniformity: weight ${h} is ${weight}; weights must be finite and >= 0`);
    total += weight;
  }
  if (n <= 1 || total === 0) return { normalizedEntropy: 1, largestDeviation: 0, nearUniform: true };
  let entropy = 0;
  let largestDeviation = 0;
  for (let h = 0; h < n; h++) {
    const share = weights[h] / total;
    if (share > 0) entropy -= share * Math.log(share);
    largestDeviation = Math.max(largestDeviation, Math.abs(n * share - 1));
  }
  return {
    normalizedEntropy: Math.min(1, entropy / Math.log(n)),
    largestDeviation,
    nearUniform: largestDeviation <= NEAR_UNIFORM_TOLERANCE,
  };
}
