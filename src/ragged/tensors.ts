/**
 * Tensor helpers for the ragged layer: int32 id tensors, float masks and gather indices from
 * padded blocks, buckets and history matrices, and bucket-wise encoding inside `tf.tidy`. The
 * only file of `ragged/` that imports TensorFlow; everything else there stays TensorFlow-free.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HistoryMatrix } from './history-matrix';
import type { LengthBucket } from './length-buckets';
import type { PaddedBlock } from './pad';

/**
 * The ids of a padded block as an int32 tensor `[rows, width]`. The caller owns it (dispose it,
 * or create it inside `tf.tidy`).
 */
export function idsTensor(block: PaddedBlock): tf.Tensor2D {
  return tf.tensor2d(block.ids, [block.lengths.length, block.width], 'int32');
}

/** The lengths of a padded block as an int32 tensor `[rows]`, in tokens. The caller owns it. */
export function lengthsTensor(block: PaddedBlock): tf.Tensor1D {
  return tf.tensor1d(block.lengths, 'int32');
}

/**
 * A row-major float mask (see `maskFromLengths`) as a float32 tensor `[rows, width]`. The caller
 * owns it.
 * @throws RangeError when `mask` is not `rows * width` long.
 */
export function maskTensor(mask: Float32Array, rows: number, width: number): tf.Tensor2D {
  if (mask.length !== rows * width) {
    throw new RangeError(
      `maskTensor: mask has ${mask.length} values but rows ${rows} x width ${width} = ${rows * width}`,
    );
  }
  return tf.tensor2d(mask, [rows, width], 'float32');
}

/**
 * Gather indices (e.g. `positiveRows`, or `LengthBuckets.positions`) as an int32 tensor; `shape`
 * defaults to `[indices.length]`. The caller owns it.
 */
export function indexTensor(indices: Int32Array, shape: number[] = [indices.length]): tf.Tensor {
  return tf.tensor(indices, shape, 'int32');
}

/** The tensors of one bucket, as a text CNN takes them. The caller owns both. */
export interface BucketTensors {
  /** `[rows, width]` int32 token ids, padded. */
  ids: tf.Tensor2D;
  /** `[rows]` int32 real lengths, in tokens. */
  lengths: tf.Tensor1D;
}

/** The ids `[rows, width]` and lengths `[rows]` of one bucket as int32 tensors. The caller owns both. */
export function bucketTensors(bucket: PaddedBlock): BucketTensors {
  return { ids: idsTensor(bucket), lengths: lengthsTensor(bucket) };
}

/** The history of a batch as tensors. The caller owns both. */
export interface HistoryTensors {
  /** `[batch, history]` int32 rows of the encoded memory (or item indices), 0 on padding. */
  ids: tf.Tensor2D;
  /** `[batch, history]` float32, 1 on a real slot and 0 on padding: the MemoryAttention mask. */
  mask: tf.Tensor2D;
}

/** The `[batch, history]` index and mask tensors of a {@link HistoryMatrix}. The caller owns both. */
export function historyTensors(history: HistoryMatrix): HistoryTensors {
  const batch = history.lengths.length;
  return {
    ids: tf.tensor2d(history.ids, [batch, history.width], 'int32'),
    mask: maskTensor(history.mask, batch, history.width),
  };
}

/**
 * Anything that encodes a padded block of typed-array token ids to `[rows, d]` vectors, such as a
 * `TextCnnEncoder` (structural: this module does not import the layers).
 */
export interface TokenEncoder {
  /** `[rows, d]` vectors of the block's rows. */
  encodeTokens(block: PaddedBlock, options?: { training?: boolean }): tf.Tensor2D;
}

/** Options of {@link encodeBuckets}. */
export interface EncodeBucketsOptions {
  /** Training mode, passed to a {@link TokenEncoder} (dropout). Default false. */
  training?: boolean;
  /** With no buckets at all, return `[0, outputDim]` instead of throwing. */
  outputDim?: number;
}

/**
 * Encodes every bucket and concatenates the outputs in bucket order: `[rows, d]`, row `r` being
 * the document `LengthBuckets.order[r]` (so `history.ids`, `positiveRows`, `negativeRows` of a
 * `TripletDocumentPlan` index it directly). Runs inside `tf.tidy`: the bucket tensors and every
 * intermediate are disposed; only the result is kept, and the caller owns it. Gradients flow
 * through (concat), so this works inside `optimizer.minimize` too.
 * @param buckets - the buckets of a `LengthBuckets`, in order.
 * @param encode - a {@link TokenEncoder} (a `TextCnnEncoder`: the ids stay typed arrays, no
 *   tensor round trip), or a function from ids `[rows, width]` int32 and lengths `[rows]` int32
 *   to `[rows, d]`.
 * @throws RangeError when there are no buckets and no `outputDim` (there is no `[0, d]` without d).
 */
export function encodeBuckets(
  buckets: readonly LengthBucket[],
  encode: TokenEncoder | ((ids: tf.Tensor2D, lengths: tf.Tensor1D) => tf.Tensor2D),
  options: EncodeBucketsOptions = {},
): tf.Tensor2D {
  if (buckets.length === 0) {
    if (options.outputDim !== undefined) return tf.zeros([0, options.outputDim]);
    throw new RangeError(
      'encodeBuckets: no buckets to encode; pass outputDim to get [0, outputDim], or skip the encoder when the batch has no documents',
    );
  }
  return tf.tidy(() => {
    const outputs = buckets.map((bucket) => {
      const output =
        typeof encode === 'function'
          ? encode(idsTensor(bucket), lengthsTensor(bucket))
          : encode.encodeTokens(bucket, { training: options.training ?? false });
      if (output.rank !== 2 || output.shape[0] !== bucket.lengths.length) {
        throw new RangeError(
          `encodeBuckets: the encoder returned shape [${output.shape.join(', ')}] for a bucket of ${bucket.lengths.length} rows; it must return [rows, d]`,
        );
      }
      return output;
    });
    return outputs.length === 1 ? outputs[0] : tf.concat2d(outputs, 0);
  });
}
