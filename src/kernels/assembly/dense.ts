// The encoder's output layer on pooled features: vectors = pooled x kernel + bias.

/**
 * vectors[d, :] = bias + sum_f pooled[d, f] * kernel[f, :] for documents [docStart, docEnd).
 * @param pooled - [docs, features] f32.
 * @param kernel - [features, width] f32; width a multiple of 4.
 * @param vectors - [docs, width] f32 output.
 */
export function denseForward(
  pooled: usize,
  features: i32,
  docStart: i32,
  docEnd: i32,
  kernel: usize,
  bias: usize,
  width: i32,
  vectors: usize,
): void {
  const widthBytes = (<usize>width) << 2;
  for (let d = docStart; d < docEnd; d++) {
    const out = vectors + <usize>d * widthBytes;
    memory.copy(out, bias, widthBytes);
    const row = pooled + ((<usize>d * <usize>features) << 2);
    for (let f = 0; f < features; f++) {
      const x = load<f32>(row + ((<usize>f) << 2));
      if (x == 0) continue; // ReLU zeros (most features of short documents)
      const xs = f32x4.splat(x);
      const weights = kernel + <usize>f * widthBytes;
      for (let e: usize = 0; e < widthBytes; e += 16)
        v128.store(out + e, f32x4.add(v128.load(out + e), f32x4.mul(xs, v128.load(weights + e))));
    }
  }
}

/**
 * The backward pass of {@link denseForward} for documents [docStart, docEnd):
 * upstreamPooled[d, f] = upstream[d, :] . kernel[f, :] (0 where pooled is 0: such a feature has
 * no winner, nothing flows further), kernelGradient[f, :] += pooled[d, f] * upstream[d, :],
 * biasGradient += upstream[d, :].
 */
export function denseBackward(
  pooled: usize,
  features: i32,
  docStart: i32,
  docEnd: i32,
  kernel: usize,
  width: i32,
  upstream: usize,
  upstreamPooled: usize,
  kernelGradient: usize,
  biasGradient: usize,
): void {
  const widthBytes = (<usize>width) << 2;
  for (let d = docStart; d < docEnd; d++) {
    const dy = upstream + <usize>d * widthBytes;
    for (let e: usize = 0; e < widthBytes; e += 16)
      v128.store(biasGradient + e, f32x4.add(v128.load(biasGradient + e), v128.load(dy + e)));
    const row = pooled + ((<usize>d * <usize>features) << 2);
    const out = upstreamPooled + ((<usize>d * <usize>features) << 2);
    for (let f = 0; f < features; f++) {
      const x = load<f32>(row + ((<usize>f) << 2));
      if (x == 0) {
        store<f32>(out + ((<usize>f) << 2), 0);
        continue;
      }
      const weights = kernel + <usize>f * widthBytes;
      const gradient = kernelGradient + <usize>f * widthBytes;
      const xs = f32x4.splat(x);
      let dot = f32x4.splat(0);
      for (let e: usize = 0; e < widthBytes; e += 16) {
        const g = v128.load(dy + e);
        dot = f32x4.add(dot, f32x4.mul(g, v128.load(weights + e)));
        v128.store(gradient + e, f32x4.add(v128.load(gradient + e), f32x4.mul(xs, g)));
      }
      store<f32>(
        out + ((<usize>f) << 2),
        f32x4.extract_lane(dot, 0) +
          f32x4.extract_lane(dot, 1) +
          (f32x4.extract_lane(dot, 2) + f32x4.extract_lane(dot, 3)),
      );
    }
  }
}
