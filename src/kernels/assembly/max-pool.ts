// The factorized convolution's second half fused with bias, ReLU and the masked max over time
// (forward), and its sparse backward that touches only each (document, filter) winner.

/**
 * pooled[d, featureOffset + f] = max(0, max_t (bias_f + sum_o P[local(t + o - pad), column + o * filters + f]))
 * for documents [docStart, docEnd); winners[d, featureOffset + f] = the first winning t, or -1
 * where the max is 0. Positions outside the document read zero (`same` padding of the document
 * alone).
 * @param projections - [rows, columns] f32 P of the side's unique words.
 * @param offsets - i32 [docs + 1] token offsets into `local`.
 * @param local - i32 [tokens] row of P of each token.
 * @param scratch - k i32 (row addresses of one position).
 */
export function maxPoolForward(
  projections: usize,
  columns: i32,
  column: i32,
  k: i32,
  filters: i32,
  offsets: usize,
  local: usize,
  docStart: i32,
  docEnd: i32,
  bias: usize,
  zeros: usize,
  pooled: usize,
  winners: usize,
  features: i32,
  featureOffset: i32,
  scratch: usize,
): void {
  const pad = (k - 1) >> 1;
  const rowBytes = (<usize>columns) << 2;
  const filterBytes = (<usize>filters) << 2;
  const none = i32x4.splat(-1);
  for (let d = docStart; d < docEnd; d++) {
    const start = load<i32>(offsets + ((<usize>d) << 2));
    const length = load<i32>(offsets + ((<usize>d + 1) << 2)) - start;
    const outValues = pooled + ((<usize>d * <usize>features + <usize>featureOffset) << 2);
    const outWinners = winners + ((<usize>d * <usize>features + <usize>featureOffset) << 2);
    for (let f: usize = 0; f < filterBytes; f += 16) {
      v128.store(outValues + f, f32x4.splat(0));
      v128.store(outWinners + f, none);
    }
    for (let t = 0; t < length; t++) {
      for (let o = 0; o < k; o++) {
        const s = t + o - pad;
        const row =
          s >= 0 && s < length
            ? projections +
              <usize>load<i32>(local + ((<usize>(start + s)) << 2)) * rowBytes +
              ((<usize>(column + o * filters)) << 2)
            : zeros;
        store<i32>(scratch + ((<usize>o) << 2), <i32>row);
      }
      const position = i32x4.splat(t);
      if (k == 3) {
        const a = <usize>load<i32>(scratch);
        const b = <usize>load<i32>(scratch, 4);
        const c = <usize>load<i32>(scratch, 8);
        for (let f: usize = 0; f < filterBytes; f += 16) {
          const value = f32x4.add(
            f32x4.add(f32x4.add(v128.load(a + f), v128.load(b + f)), v128.load(c + f)),
            v128.load(bias + f),
          );
          const best = v128.load(outValues + f);
          const wins = f32x4.gt(value, best);
          v128.store(outValues + f, v128.bitselect(value, best, wins));
          v128.store(outWinners + f, v128.bitselect(position, v128.load(outWinners + f), wins));
        }
      } else {
        for (let f: usize = 0; f < filterBytes; f += 16) {
          let value = v128.load(<usize>load<i32>(scratch) + f);
          for (let o = 1; o < k; o++)
            value = f32x4.add(value, v128.load(<usize>load<i32>(scratch + ((<usize>o) << 2)) + f));
          value = f32x4.add(value, v128.load(bias + f));
          const best = v128.load(outValues + f);
          const wins = f32x4.gt(value, best);
          v128.store(outValues + f, v128.bitselect(value, best, wins));
          v128.store(outWinners + f, v128.bitselect(position, v128.load(outWinners + f), wins));
        }
      }
    }
  }
}

/**
 * The backward pass of {@link maxPoolForward} for documents [docStart, docEnd): each
 * (document, filter) with a winner t and upstream gradient g adds g to the bias gradient and,
 * for each offset o whose position s = t + o - pad is inside the document,
 *   embeddingGradient[local(s), :] += g * flatT[column + o * filters + f, :]   (when not 0)
 *   kernelGradient[column + o * filters + f, :] += g * table[words[local(s)], :]
 * (the gradients of P = table[words] x flat, restricted to P's non-zero gradient entries).
 */
export function maxPoolBackward(
  columns: i32,
  column: i32,
  k: i32,
  filters: i32,
  offsets: usize,
  local: usize,
  docStart: i32,
  docEnd: i32,
  winners: usize,
  upstream: usize,
  features: i32,
  featureOffset: i32,
  words: usize,
  table: usize,
  depth: i32,
  flatT: usize,
  embeddingGradient: usize,
  kernelGradient: usize,
  biasGradient: usize,
): void {
  const pad = (k - 1) >> 1;
  const depthBytes = (<usize>depth) << 2;
  for (let d = docStart; d < docEnd; d++) {
    const start = load<i32>(offsets + ((<usize>d) << 2));
    const length = load<i32>(offsets + ((<usize>d + 1) << 2)) - start;
    const base = (<usize>d * <usize>features + <usize>featureOffset) << 2;
    for (let f = 0; f < filters; f++) {
      const t = load<i32>(winners + base + ((<usize>f) << 2));
      if (t < 0) continue;
      const g = load<f32>(upstream + base + ((<usize>f) << 2));
      if (g == 0) continue;
      const biasAt = biasGradient + ((<usize>(featureOffset + f)) << 2);
      store<f32>(biasAt, load<f32>(biasAt) + g);
      const gs = f32x4.splat(g);
      for (let o = 0; o < k; o++) {
        const s = t + o - pad;
        if (s < 0 || s >= length) continue;
        const u = <usize>load<i32>(local + ((<usize>(start + s)) << 2));
        const c = <usize>(column + o * filters + f);
        const word = table + <usize>load<i32>(words + (u << 2)) * depthBytes;
        const kernelRow = kernelGradient + c * depthBytes;
        for (let e: usize = 0; e < depthBytes; e += 16)
          v128.store(kernelRow + e, f32x4.add(v128.load(kernelRow + e), f32x4.mul(gs, v128.load(word + e))));
        if (embeddingGradient != 0) {
          const weights = flatT + c * depthBytes;
          const row = embeddingGradient + u * depthBytes;
          for (let e: usize = 0; e < depthBytes; e += 16)
            v128.store(row + e, f32x4.add(v128.load(row + e), f32x4.mul(gs, v128.load(weights + e))));
        }
      }
    }
  }
}
