// Adam (as TF.js's, and the lazy variant of mars-rec's LazyAdamOptimizer) and SGD on typed arrays.

/**
 * Dense Adam on floats [start, end) (multiples of 4), as tf.train.adam:
 * m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * p += -lr * (m / correction1) / (sqrt(v / correction2) + epsilon).
 */
export function adam(
  parameters: usize,
  first: usize,
  second: usize,
  gradients: usize,
  start: i32,
  end: i32,
  learningRate: f32,
  beta1: f32,
  beta2: f32,
  correction1: f32,
  correction2: f32,
  epsilon: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const b2 = f32x4.splat(beta2);
  const c1 = f32x4.splat(1 - beta1);
  const c2 = f32x4.splat(1 - beta2);
  const k1 = f32x4.splat(correction1);
  const k2 = f32x4.splat(correction2);
  const eps = f32x4.splat(epsilon);
  const step = f32x4.splat(-learningRate);
  const last = (<usize>end) << 2;
  for (let i = (<usize>start) << 2; i < last; i += 16) {
    const g = v128.load(gradients + i);
    const m = f32x4.add(f32x4.mul(v128.load(first + i), b1), f32x4.mul(g, c1));
    const v = f32x4.add(f32x4.mul(v128.load(second + i), b2), f32x4.mul(f32x4.mul(g, g), c2));
    v128.store(first + i, m);
    v128.store(second + i, v);
    const update = f32x4.div(f32x4.div(m, k1), f32x4.add(f32x4.sqrt(f32x4.div(v, k2)), eps));
    v128.store(parameters + i, f32x4.add(f32x4.mul(update, step), v128.load(parameters + i)));
  }
}

/** Adam on one row of `width` floats (any width): see {@link adam}. */
function adamRow(
  parameters: usize,
  first: usize,
  second: usize,
  gradients: usize,
  offset: usize,
  width: i32,
  learningRate: f32,
  beta1: f32,
  beta2: f32,
  correction1: f32,
  correction2: f32,
  epsilon: f32,
): void {
  for (let j = 0; j < width; j++) {
    const i = offset + ((<usize>j) << 2);
    const g = load<f32>(gradients + i);
    const m = load<f32>(first + i) * beta1 + g * (1 - beta1);
    const v = load<f32>(second + i) * beta2 + g * g * (1 - beta2);
    store<f32>(first + i, m);
    store<f32>(second + i, v);
    store<f32>(
      parameters + i,
      load<f32>(parameters + i) - learningRate * (m / correction1 / (Mathf.sqrt(v / correction2) + epsilon)),
    );
  }
}

/** Whether a row of `width` floats holds a non-zero value. */
function touched(gradients: usize, offset: usize, width: i32): bool {
  for (let j = 0; j < width; j++) if (load<f32>(gradients + offset + ((<usize>j) << 2)) != 0) return true;
  return false;
}

/**
 * Lazy Adam (LazyAdamOptimizer) on rows [rowStart, rowEnd) of `width` floats: rows whose
 * gradient is all zero keep their parameters and moments (width 1: element by element).
 */
export function lazyAdam(
  parameters: usize,
  first: usize,
  second: usize,
  gradients: usize,
  rowStart: i32,
  rowEnd: i32,
  width: i32,
  learningRate: f32,
  beta1: f32,
  beta2: f32,
  correction1: f32,
  correction2: f32,
  epsilon: f32,
): void {
  for (let row = rowStart; row < rowEnd; row++) {
    const offset = (<usize>row * <usize>width) << 2;
    if (!touched(gradients, offset, width)) continue;
    adamRow(
      parameters,
      first,
      second,
      gradients,
      offset,
      width,
      learningRate,
      beta1,
      beta2,
      correction1,
      correction2,
      epsilon,
    );
  }
}

/** {@link lazyAdam} on the rows listed in `rows` (i32) [start, end). */
export function lazyAdamRows(
  parameters: usize,
  first: usize,
  second: usize,
  gradients: usize,
  rows: usize,
  start: i32,
  end: i32,
  width: i32,
  learningRate: f32,
  beta1: f32,
  beta2: f32,
  correction1: f32,
  correction2: f32,
  epsilon: f32,
): void {
  for (let i = start; i < end; i++) {
    const offset = (<usize>load<i32>(rows + ((<usize>i) << 2)) * <usize>width) << 2;
    if (!touched(gradients, offset, width)) continue;
    adamRow(
      parameters,
      first,
      second,
      gradients,
      offset,
      width,
      learningRate,
      beta1,
      beta2,
      correction1,
      correction2,
      epsilon,
    );
  }
}

/** SGD on floats [start, end) (multiples of 4), as tf.train.sgd: p += -lr g. */
export function sgd(parameters: usize, gradients: usize, start: i32, end: i32, learningRate: f32): void {
  const step = f32x4.splat(-learningRate);
  const last = (<usize>end) << 2;
  for (let i = (<usize>start) << 2; i < last; i += 16)
    v128.store(
      parameters + i,
      f32x4.add(f32x4.mul(step, v128.load(gradients + i)), v128.load(parameters + i)),
    );
}

/** {@link sgd} on the rows listed in `rows` (i32) [start, end), `width` a multiple of 4. */
export function sgdRows(
  parameters: usize,
  gradients: usize,
  rows: usize,
  start: i32,
  end: i32,
  width: i32,
  learningRate: f32,
): void {
  for (let i = start; i < end; i++) {
    const row = <i32>load<i32>(rows + ((<usize>i) << 2)) * width;
    sgd(parameters, gradients, row, row + width, learningRate);
  }
}
