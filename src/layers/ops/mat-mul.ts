import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.matMul(a, b)` for 2-D tensors with a gradient that transposes explicitly
 * (dA = dY B^T, dB = A^T dY as plain products of transposed copies). The stock gradient uses
 * matMul's transpose flags, which tfjs-backend-wasm runs 10 to 20 times slower than a plain
 * product (measured on the text CNN's projection: 400 ms versus 20 ms).
 * @param a - `[m, k]`.
 * @param b - `[k, n]`.
 * @returns `[m, n]`.
 */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const product = tf.customGrad((...inputs) => {
    const left = inputs[0] as tf.Tensor2D;
    const right = inputs[1] as tf.Tensor2D;
    const save = inputs[2] as (tensors: tf.Tensor[]) => void;
    save([left, right]);
    return {
      value: tf.matMul(left, right),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const upstream = dy as tf.Tensor2D;
        return [
          tf.matMul(upstream, tf.transpose(saved[1] as tf.Tensor2D)),
          tf.matMul(tf.transpose(saved[0] as tf.Tensor2D), upstream),
        ];
      },
    };
  });
  return product(a, b) as tf.Tensor2D;
}
