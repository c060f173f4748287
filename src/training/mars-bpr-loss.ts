import * as tf from '@tensorflow/tfjs-core';
import { collaborativePairScores } from '../collaborative/collaborative-part';
import { encodeItemDocuments } from '../layers/mars-blocks';
import type { MarsBlocks } from '../layers/mars-blocks';
import { gatherRows } from '../layers/ops/gather-rows';
import type { RaggedRows } from '../ragged/ragged-rows';
import { planTripletDocuments } from '../ragged/triplet-documents';
import type { TripletBatch } from '../sampling/bpr-triplet-sampler';
import { bprLossOfPairs } from './bpr-loss';
import { DEFAULT_LAMBDA, DEFAULT_STEP_TOKEN_BUDGET } from './defaults';

/** Options of {@link marsBprLoss}. */
export interface MarsBprLossOptions {
  /** Longest history kept, in items (the batch's histories are capped to it). */
  maxHistory: number;
  /** lambda_u of eq. 4. Default {@link DEFAULT_LAMBDA} (1e-4). */
  lambdaU?: number;
  /** lambda_v of eq. 4. Default {@link DEFAULT_LAMBDA} (1e-4). */
  lambdaV?: number;
  /** Most padded tokens per encoded bucket. Default {@link DEFAULT_STEP_TOKEN_BUDGET}. */
  tokenBudget?: number;
  /** Training mode (dropout). Default true. */
  training?: boolean;
}

/**
 * The BPR loss (report eq. 3 and 4) of one sampled batch through the MARS blocks: the batch's
 * unique documents are encoded once per side, the memory attention scores the (positive,
 * negative) pair of each triplet, the item bias, the ID embedding and the fixed collaborative
 * term are added when the blocks have them. The one training step of mars-rec: `MarsModel.fit`
 * minimises it through its step engine, and a hand-written loop can minimise it directly.
 *
 * @example
 * ```ts
 * const loss = optimizer.minimize(() => marsBprLoss(blocks, documents, sampler.nextBatch(), { maxHistory: 50 }), true, variables);
 * ```
 * @param documents - the encoded text of every item (one ragged row of token ids per item).
 * @param batch - a batch of the `BprTripletSampler`.
 * @returns the mean loss of the batch, a scalar the caller owns (inside `optimizer.minimize`).
 */
export function marsBprLoss(
  blocks: MarsBlocks,
  documents: RaggedRows,
  batch: TripletBatch,
  options: MarsBprLossOptions,
): tf.Scalar {
  const size = batch.users.length;
  const shared = blocks.userEncoder === blocks.itemEncoder;
  const plan = planTripletDocuments(
    {
      histories: { values: batch.historyItems, rowSplits: batch.historyOffsets },
      positives: batch.positives,
      negatives: batch.negatives,
    },
    documents,
    {
      sharedEncoder: shared,
      tokenBudget: options.tokenBudget ?? DEFAULT_STEP_TOKEN_BUDGET,
      maxHistory: options.maxHistory,
    },
  );
  // (positive, negative) interleaved: row 2b is triplet b's positive, 2b + 1 its negative
  const candidateRows = new Int32Array(size * 2);
  const candidateItems = new Int32Array(size * 2);
  for (let b = 0; b < size; b++) {
    candidateRows[2 * b] = plan.positiveRows[b];
    candidateRows[2 * b + 1] = plan.negativeRows[b];
    candidateItems[2 * b] = batch.positives[b];
    candidateItems[2 * b + 1] = batch.negatives[b];
  }
  const { history } = plan;
  const training = options.training ?? true;
  return tf.tidy(() => {
    const dim = blocks.itemEncoder.settings.outputDim;
    const itemVectors = encodeItemDocuments(blocks, 'item', plan.candidates, training); // [unique, dim]
    const memoryVectors =
      plan.memory === plan.candidates
        ? itemVectors
        : encodeItemDocuments(blocks, 'memory', plan.memory, training);
    const memory =
      plan.memory.buckets.length > 0
        ? tf.reshape(gatherRows(memoryVectors, history.ids), [size, history.width, dim])
        : tf.zeros([size, history.width, dim]); // [batch, history, dim]
    const mask = tf.tensor2d(history.mask, [size, history.width]);
    const candidateVectors = tf.reshape(gatherRows(itemVectors, candidateRows), [
      size,
      2,
      dim,
    ]) as tf.Tensor3D;
    const { scores, userVectors } = blocks.attention.scoreWithUserVectors(
      memory as tf.Tensor3D,
      mask,
      candidateVectors,
    ); // [batch, 2], [batch, 2, dim]
    let pairScores: tf.Tensor2D = scores;
    if (blocks.itemBias)
      pairScores = tf.add(pairScores, tf.reshape(blocks.itemBias.gather(candidateItems), [size, 2]));
    if (blocks.collaborative) {
      const pairUsers = Int32Array.from({ length: size * 2 }, (_, k) => batch.users[k >> 1]);
      const fixed = collaborativePairScores(blocks.collaborative, pairUsers, candidateItems);
      pairScores = tf.add(pairScores, tf.tensor2d(fixed, [size, 2]));
    }
    return bprLossOfPairs(pairScores, userVectors, candidateVectors, {
      lambdaU: options.lambdaU ?? DEFAULT_LAMBDA,
      lambdaV: options.lambdaV ?? DEFAULT_LAMBDA,
    });
  });
}
