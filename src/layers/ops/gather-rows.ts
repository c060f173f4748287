import * as tf from '@tensorflow/tfjs-core';
import { onHostBackend } from './host-backend';

/**
 * `tf.gather(table, indices)` along axis 0 with a gradient every backend has. On GPU backends
 * the gradient is a `scatterND` (which sums duplicate indices) instead of UnsortedSegmentSum,
 * which tfjs-backend-wasm lacks (the embedding-lookup gradient; see docs/backends.md). On the
 * host backends (`cpu`, `wasm`) both directions are typed-array row copies and scatter-adds,
 * which is exact and far faster than wasm's element-wise GatherV2.
 * @param table - `[rows, dim]` the rows to gather from.
 * @param indices - `[count]` int32 row indices in `[0, rows)`.
 * @returns `[count, dim]`.
 */
export function gatherRows(table: tf.Tensor2D, indices: tf.Tensor1D | Int32Array): tf.Tensor2D {
  if (onHostBackend()) {
    const rowIndices = indices instanceof Int32Array ? indices : (indices.dataSync() as Int32Array);
    return hostGatherRows(table, rowIndices);
  }
  const indexTensor = indices instanceof Int32Array ? tf.tensor1d(indices, 'int32') : indices;
  const gather = tf.customGrad((...inputs) => {
    const source = inputs[0] as tf.Tensor2D;
    const save = inputs[1] as (tensors: tf.Tensor[]) => void;
    save([indexTensor]); // kept by the engine until the backward pass, whatever tidy scope frees it
    return {
      value: tf.gather(source, indexTensor) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        tf.scatterND(tf.expandDims(saved[0], 1), dy as tf.Tensor, source.shape),
    };
  });
  const result = gather(table) as tf.Tensor2D;
  if (indexTensor !== indices) indexTensor.dispose();
  return result;
}

function hostGatherRows(table: tf.Tensor2D, rowIndices: Int32Array): tf.Tensor2D {
  const [rows, dim] = table.shape;
  const indices = rowIndices.slice(); // the caller may reuse its array before the backward pass
  for (let k = 0; k < indices.length; k++) {
    if (!(indices[k] >= 0 && indices[k] < rows))
      throw new RangeError(`gatherRows: index ${indices[k]} at position ${k} is outside [0, ${rows})`);
  }
  const gather = tf.customGrad((...inputs) => {
    const source = inputs[0] as tf.Tensor2D;
    const values = source.dataSync() as Float32Array;
    const out = new Float32Array(indices.length * dim);
    for (let k = 0; k < indices.length; k++)
      out.set(values.subarray(indices[k] * dim, indices[k] * dim + dim), k * dim);
    return {
      value: tf.tensor2d(out, [indices.length, dim]),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const upstream = (dy as tf.Tensor).dataSync() as Float32Array;
        const gradient = new Float32Array(rows * dim);
        for (let k = 0; k < indices.length; k++) {
          const target = indices[k] * dim;
          const source = k * dim;
          for (let d = 0; d < dim; d++) gradient[target + d] += upstream[source + d];
        }
        return tf.tensor2d(gradient, [rows, dim]);
      },
    };
  });
  return gather(table) as tf.Tensor2D;
}
