import * as tf from '@tensorflow/tfjs-core';

/** The index plan of one kernel width for {@link projectionMaxPool}. */
export interface ProjectionPlan {
  /** `[rows * width * kernelSize]` projection rows each (document, position, offset) reads; `zeroRow` reads nothing. */
  tableRows: Int32Array;
  /** The row index that stands for zero padding (`|U| * kernelSize`). */
  zeroRow: number;
  /** `[rows]` tokens per document. */
  lengths: Int32Array;
  /** Padded document width, in positions. */
  width: number;
  /** Kernel width k. */
  kernelSize: number;
}

/**
 * The factorized convolution's second half fused with ReLU and the masked max over time, on the
 * host backends (`cpu`, `wasm`), in typed arrays:
 *
 *   pooled[d, f] = max(0, max_{t < length_d} (sum_o P[row(d, t, o), f] + b_f)).
 *
 * It equals gathering the projection rows, summing over offsets, adding the bias, ReLU, zeroing
 * padded positions and taking the max over time (the path GPU backends run), but it never
 * materialises the `[documents x width, filters]` activations. The gradient routes each
 * `dy[d, f]` to the winning position only (ties to the first, like argMax): k scatter-adds into
 * P and one into b, nothing where the max is 0 (ReLU is flat there). An empty document pools
 * to 0.
 * @param projections - `[|U| * kernelSize, filters]` P, row `u * kernelSize + o` is P_o of word u.
 * @param bias - `[filters]` convolution bias.
 * @returns `[rows, filters]`.
 */
export function projectionMaxPool(
  projections: tf.Tensor2D,
  bias: tf.Tensor1D,
  plan: ProjectionPlan,
): tf.Tensor2D {
  const { tableRows, zeroRow, lengths, width, kernelSize: k } = plan;
  const rows = lengths.length;
  const filters = projections.shape[1];
  const op = tf.customGrad((...inputs) => {
    const table = (inputs[0] as tf.Tensor2D).dataSync() as Float32Array;
    const offsets = (inputs[1] as tf.Tensor1D).dataSync() as Float32Array;
    const pooled = new Float32Array(rows * filters);
    const winners = new Int32Array(rows * filters).fill(-1); // winning position, -1 where the max is 0
    const sum = new Float32Array(filters);
    for (let row = 0; row < rows; row++) {
      const out = row * filters;
      for (let t = 0; t < lengths[row]; t++) {
        sum.fill(0);
        const base = (row * width + t) * k;
        for (let o = 0; o < k; o++) {
          const source = tableRows[base + o];
          if (source === zeroRow) continue;
          const from = source * filters;
          for (let f = 0; f < filters; f++) sum[f] += table[from + f];
        }
        for (let f = 0; f < filters; f++) {
          const value = sum[f] + offsets[f];
          if (value > pooled[out + f]) {
            pooled[out + f] = value;
            winners[out + f] = t;
          }
        }
      }
    }
    return {
      value: tf.tensor2d(pooled, [rows, filters]),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const upstream = (dy as tf.Tensor).dataSync() as Float32Array;
        const tableGradient = new Float32Array(zeroRow * filters);
        const biasGradient = new Float32Array(filters);
        for (let row = 0; row < rows; row++) {
          for (let f = 0; f < filters; f++) {
            const t = winners[row * filters + f];
            if (t < 0) continue;
            const g = upstream[row * filters + f];
            biasGradient[f] += g;
            const base = (row * width + t) * k;
            for (let o = 0; o < k; o++) {
              const source = tableRows[base + o];
              if (source !== zeroRow) tableGradient[source * filters + f] += g;
            }
          }
        }
        return [tf.tensor2d(tableGradient, [zeroRow, filters]), tf.tensor1d(biasGradient)];
      },
    };
  });
  return op(projections, bias) as tf.Tensor2D;
}
