import * as tf from '@tensorflow/tfjs-core';
import type { BprMatrixFactorization } from '../collaborative/bpr-mf';
import { collaborativeUserVectors } from '../collaborative/fold-in';
import { memoryReadScores, memoryReadWeights } from '../layers/ops/memory-read';
import type { MemoryAggregation } from '../layers/ops/memory-read';
import type { ItemVectors } from './item-vectors';

/** Options of {@link explainAttention}. */
export interface ExplainAttentionOptions {
  /** How the memory is read. Default `'attention'`. */
  aggregation?: MemoryAggregation;
  /** A fixed collaborative term to add to the score (see `scoreHistories`). */
  collaborative?: BprMatrixFactorization;
  /** With `collaborative`: the history's training user, -1 for none (fold-in). Default -1. */
  user?: number;
}

/** The memory read of one history for one candidate. */
export interface HistoryAttention {
  /** `[history]` the weight of each history item (`memoryReadWeights`, as in training and ranking). */
  weights: Float32Array;
  /** The candidate's score: the memory read, plus the item bias and collaborative term when present. */
  score: number;
}

/**
 * How much each history item weighs in a candidate's score: the weights a of the memory read
 * for that candidate (the paper's case study), computed by the same op as training and ranking.
 * @param history - item indices, already capped (`capHistory`).
 * @param candidate - the candidate item index.
 */
export async function explainAttention(
  vectors: ItemVectors,
  history: Int32Array,
  candidate: number,
  options: ExplainAttentionOptions = {},
): Promise<HistoryAttention> {
  const [weights, score] = tf.tidy(() => {
    if (history.length === 0) return [tf.zeros([0]), tf.scalar(0)]; // an empty memory reads 0
    const memory = tf.gather(vectors.memoryVectors, tf.tensor1d(history, 'int32')); // [history, dim]
    const itemVector = tf.slice(vectors.itemVectors, [candidate, 0], [1, -1]); // [1, dim]
    const similarity = tf.reshape(tf.matMul(itemVector, memory, false, true), [1, 1, history.length]);
    const read = memoryReadWeights(similarity, undefined, { aggregation: options.aggregation });
    return [tf.reshape(read, [history.length]), tf.reshape(memoryReadScores(similarity, read), [])];
  });
  const [weightValues, scoreValue] = await Promise.all([weights.data(), score.data()]);
  tf.dispose([weights, score]);
  let total = scoreValue[0] + (vectors.itemBias?.[candidate] ?? 0);
  const part = options.collaborative;
  if (part) {
    const userVector = collaborativeUserVectors(part, [options.user ?? -1], () => history);
    total += part.scoreUserVectors(userVector)[candidate];
  }
  return { weights: new Float32Array(weightValues), score: total };
}
