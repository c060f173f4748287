import * as tf from '@tensorflow/tfjs-core';
import type { BprMatrixFactorization } from '../collaborative/bpr-mf';
import type { LengthBuckets } from '../ragged/length-buckets';
import { encodeBuckets } from '../ragged/tensors';
import type { ItemBias } from './item-bias';
import type { ItemIdEmbedding } from './item-id-embedding';
import type { MemoryAttention } from './memory-attention';
import type { TextCnnEncoder } from './text-cnn-encoder';

/**
 * The blocks of a MARS network, the one thing training (`marsBprLoss`), serving
 * (`computeItemVectors`, `scoreHistories`) and `MarsModel` pass around. Build it from the layers
 * yourself to train and rank without the facade.
 */
export interface MarsBlocks {
  /** f_user: encodes the items of the memory (history). */
  userEncoder: TextCnnEncoder;
  /** f_item: encodes candidate items; the same object as `userEncoder` for a shared encoder. */
  itemEncoder: TextCnnEncoder;
  /** Reads the memory for each candidate. */
  attention: MemoryAttention;
  /** A learned per-item bias added to each score. Optional. */
  itemBias?: ItemBias;
  /** A learned item-ID embedding added to the text vectors of seen items (both sides). Optional. */
  itemIdEmbedding?: ItemIdEmbedding;
  /** A fixed BPR-MF term p_u . q_j + b_j added to each score. Optional. */
  collaborative?: BprMatrixFactorization;
}

/** Which encoder encodes: `'memory'` (f_user, history items) or `'item'` (f_item, candidates). */
export type EncoderSide = 'memory' | 'item';

/**
 * Encodes length-bucketed item documents on one side: the encoder's text vectors, plus the item-ID
 * embedding of seen items when the blocks have one.
 * @param buckets - documents grouped by length (`bucketRows`); `buckets.order` are item indices.
 * @param training - training mode (dropout).
 * @returns `[documents, dim]` in the buckets' output order (`buckets.order`); `[0, dim]` for no
 *   buckets. The caller owns the tensor.
 */
export function encodeItemDocuments(
  blocks: MarsBlocks,
  side: EncoderSide,
  buckets: LengthBuckets,
  training: boolean,
): tf.Tensor2D {
  const encoder = side === 'memory' ? blocks.userEncoder : blocks.itemEncoder;
  const outputDim = encoder.settings.outputDim;
  return tf.tidy(() => {
    const vectors = encodeBuckets(buckets.buckets, encoder, { training, outputDim });
    if (!blocks.itemIdEmbedding || buckets.buckets.length === 0) return vectors;
    return tf.add(vectors, blocks.itemIdEmbedding.lookup(buckets.order)) as tf.Tensor2D;
  });
}

/** The trainable variables of the blocks (fixed weights such as frozen word embeddings left out). */
export function marsTrainableVariables(blocks: MarsBlocks): tf.Variable[] {
  const encoders =
    blocks.userEncoder === blocks.itemEncoder
      ? [blocks.userEncoder]
      : [blocks.userEncoder, blocks.itemEncoder];
  return [
    ...encoders.flatMap((encoder) => encoder.trainableVariables()),
    ...blocks.attention.trainableVariables(),
    ...(blocks.itemBias?.trainableVariables() ?? []),
    ...(blocks.itemIdEmbedding?.trainableVariables() ?? []),
  ];
}

/** Frees every tensor the blocks' layers hold (a shared encoder once). */
export function disposeMarsBlocks(blocks: MarsBlocks): void {
  const layers = new Set([
    blocks.userEncoder,
    blocks.itemEncoder,
    blocks.attention,
    blocks.itemBias,
    blocks.itemIdEmbedding,
  ]);
  for (const layer of layers) layer?.dispose();
}
