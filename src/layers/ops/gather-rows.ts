import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.gather(table, indices)` along axis 0 with a gradient every backend has: a `scatterND`
 * (which sums duplicate indices) instead of UnsortedSegmentSum, which tfjs-backend-wasm lacks
 * (the embedding-lookup gradient; see docs/backends.md).
 * @param table - `[rows, dim]` the rows to gather from.
 * @param indices - `[count]` int32 row indices in `[0, rows)`.
 * @returns `[count, dim]`.
 */
export function gatherRows(table: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D {
  const gather = tf.customGrad((...inputs) => {
    const source = inputs[0] as tf.Tensor2D;
    const save = inputs[1] as (tensors: tf.Tensor[]) => void;
    save([indices]); // kept by the engine until the backward pass, whatever tidy scope frees `indices`
    return {
      value: tf.gather(source, indices) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        tf.scatterND(tf.expandDims(saved[0], 1), dy as tf.Tensor, source.shape),
    };
  });
  return gather(table) as tf.Tensor2D;
}
