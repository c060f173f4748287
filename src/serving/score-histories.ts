import * as tf from '@tensorflow/tfjs-core';
import type { BprMatrixFactorization } from '../collaborative/bpr-mf';
import { addCollaborativeScores } from '../collaborative/collaborative-part';
import { collaborativeUserVectors } from '../collaborative/fold-in';
import type { MemoryAggregation } from '../layers/ops/memory-read';
import { scoreAllItems } from './brute-force-ranking';
import type { ItemVectors } from './item-vectors';

/** Options of {@link scoreHistories}. */
export interface ScoreHistoriesOptions {
  /** How the memory is read. Default `'attention'`. */
  aggregation?: MemoryAggregation;
  /** A fixed collaborative term p_u . q_j + b_j to add. */
  collaborative?: BprMatrixFactorization;
  /**
   * With `collaborative`: the training user (row of its training data) of each history, -1 for
   * none (an anonymous history gets a user vector folded in from its items). Default all -1.
   */
  users?: Int32Array;
}

/**
 * Scores every catalogue item for each history with precomputed item vectors, by brute force
 * (`scoreAllItems`): the memory attention's score, plus the item bias and the collaborative term
 * when present.
 * @param histories - item indices per history, already capped (`capHistory`).
 * @returns row-major `[histories.length, items]` scores.
 */
export async function scoreHistories(
  vectors: ItemVectors,
  histories: readonly Int32Array[],
  options: ScoreHistoriesOptions = {},
): Promise<Float32Array> {
  const [itemCount, dim] = vectors.itemVectors.shape;
  const rows = histories.length;
  const width = Math.max(1, ...histories.map((history) => history.length));
  const indices = new Int32Array(rows * width); // padded slots point at item 0; the mask drops them
  histories.forEach((history, row) => indices.set(history, row * width));
  const memory = tf.tidy(
    () =>
      tf.reshape(tf.gather(vectors.memoryVectors, tf.tensor1d(indices, 'int32')), [
        rows,
        width,
        dim,
      ]) as tf.Tensor3D,
  );
  const scores = await scoreAllItems(
    memory,
    histories.map((history) => history.length),
    vectors.itemVectors,
    { aggregation: options.aggregation },
  ).finally(() => memory.dispose());
  const bias = vectors.itemBias;
  if (bias) {
    for (let row = 0; row < rows; row++) {
      const offset = row * itemCount;
      for (let item = 0; item < itemCount; item++) scores[offset + item] += bias[item];
    }
  }
  const part = options.collaborative;
  if (part) {
    const users = options.users ?? new Int32Array(rows).fill(-1);
    addCollaborativeScores(
      part,
      collaborativeUserVectors(part, users, (row) => histories[row]),
      scores,
    );
  }
  return scores;
}
