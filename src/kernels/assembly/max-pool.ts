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
 * @param scratch - at least k i32 (row addresses of one position).
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
          // (P_0 + P_1 + P_2) + bias: the TF.js host kernel's order
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
 * The backward pass of {@link maxPoolForward} for documents [docStart, docEnd), restricted to
 * the winners (P's only non-zero gradient entries): each (document, filter) with a winner t and
 * upstream gradient g gives, for each offset o whose position s = t + o - pad is inside the
 * document, the pair (column c = column + o * filters + f, word u = local(s)) with weight g:
 *   kernelGradient[c, :] = sum over pairs of c of g * table[words[u], :]   (written)
 *   embeddingGradient[u, :] += sum over pairs of u of g * flatT[c, :]      (when not 0)
 *   biasGradient[featureOffset + f] += g
 * Sums run in registers, 8 vectors (32 floats) of a row at a time: the kernel rows column by
 * column over the documents, the embedding rows position by position (each document's winners
 * sorted by position), so every touched row is loaded and stored once per chunk.
 * @param scratch - i32 [filters + longest document + 1] for the per-document sort.
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
  scratch: usize,
): void {
  const pad = (k - 1) >> 1;
  const depthBytes = (<usize>depth) << 2;
  const featureBytes = (<usize>features) << 2;
  // kernel gradient and bias: one column (filter f, offset o) at a time over the documents
  for (let f = 0; f < filters; f++) {
    const entry = (<usize>featureOffset + <usize>f) << 2;
    let biasSum: f32 = 0;
    for (let d = docStart; d < docEnd; d++) {
      const at = <usize>d * featureBytes + entry;
      if (load<i32>(winners + at) >= 0) biasSum += load<f32>(upstream + at);
    }
    const biasAt = biasGradient + entry;
    store<f32>(biasAt, load<f32>(biasAt) + biasSum);
    for (let o = 0; o < k; o++) {
      const kernelRow = kernelGradient + <usize>(column + o * filters + f) * depthBytes;
      let chunk: usize = 0;
      for (; chunk + 128 <= depthBytes; chunk += 128) {
        let a0 = f32x4.splat(0);
        let a1 = f32x4.splat(0);
        let a2 = f32x4.splat(0);
        let a3 = f32x4.splat(0);
        let a4 = f32x4.splat(0);
        let a5 = f32x4.splat(0);
        let a6 = f32x4.splat(0);
        let a7 = f32x4.splat(0);
        for (let d = docStart; d < docEnd; d++) {
          const word = winnerWord(d, featureBytes, entry, winners, upstream, offsets, local, words, o - pad);
          if (word < 0) continue;
          const gs = f32x4.splat(load<f32>(upstream + <usize>d * featureBytes + entry));
          const row = table + <usize>word * depthBytes + chunk;
          a0 = f32x4.add(a0, f32x4.mul(gs, v128.load(row)));
          a1 = f32x4.add(a1, f32x4.mul(gs, v128.load(row, 16)));
          a2 = f32x4.add(a2, f32x4.mul(gs, v128.load(row, 32)));
          a3 = f32x4.add(a3, f32x4.mul(gs, v128.load(row, 48)));
          a4 = f32x4.add(a4, f32x4.mul(gs, v128.load(row, 64)));
          a5 = f32x4.add(a5, f32x4.mul(gs, v128.load(row, 80)));
          a6 = f32x4.add(a6, f32x4.mul(gs, v128.load(row, 96)));
          a7 = f32x4.add(a7, f32x4.mul(gs, v128.load(row, 112)));
        }
        const out = kernelRow + chunk;
        v128.store(out, a0);
        v128.store(out, a1, 16);
        v128.store(out, a2, 32);
        v128.store(out, a3, 48);
        v128.store(out, a4, 64);
        v128.store(out, a5, 80);
        v128.store(out, a6, 96);
        v128.store(out, a7, 112);
      }
      for (; chunk < depthBytes; chunk += 16) {
        let a0 = f32x4.splat(0);
        for (let d = docStart; d < docEnd; d++) {
          const word = winnerWord(d, featureBytes, entry, winners, upstream, offsets, local, words, o - pad);
          if (word < 0) continue;
          const gs = f32x4.splat(load<f32>(upstream + <usize>d * featureBytes + entry));
          a0 = f32x4.add(a0, f32x4.mul(gs, v128.load(table + <usize>word * depthBytes + chunk)));
        }
        v128.store(kernelRow + chunk, a0);
      }
    }
  }
  if (embeddingGradient == 0) return;
  // embedding gradient: per document, the winning filters bucketed by position
  for (let d = docStart; d < docEnd; d++) {
    const start = load<i32>(offsets + ((<usize>d) << 2));
    const length = load<i32>(offsets + ((<usize>d + 1) << 2)) - start;
    if (length == 0) continue;
    const ends = scratch; // i32 [length + 1]: after the sort, ends[t] = end of position t's bucket
    const sorted = scratch + ((<usize>length + 1) << 2); // i32 [filters]: filters by winning position
    memory.fill(ends, 0, (<usize>length + 1) << 2);
    const base = <usize>d * featureBytes + ((<usize>featureOffset) << 2);
    let count = 0;
    for (let f = 0; f < filters; f++) {
      const t = load<i32>(winners + base + ((<usize>f) << 2));
      if (t < 0 || load<f32>(upstream + base + ((<usize>f) << 2)) == 0) continue;
      const at = ends + ((<usize>t + 1) << 2);
      store<i32>(at, load<i32>(at) + 1);
      count++;
    }
    if (count == 0) continue;
    for (let t = 1; t <= length; t++) {
      const at = ends + ((<usize>t) << 2);
      store<i32>(at, load<i32>(at) + load<i32>(at - 4));
    }
    for (let f = 0; f < filters; f++) {
      const t = load<i32>(winners + base + ((<usize>f) << 2));
      if (t < 0 || load<f32>(upstream + base + ((<usize>f) << 2)) == 0) continue;
      const at = ends + ((<usize>t) << 2);
      const slot = load<i32>(at);
      store<i32>(at, slot + 1);
      store<i32>(sorted + ((<usize>slot) << 2), f);
    }
    // bucket t spans sorted[ends[t - 1], ends[t]) (ends[-1] = 0)
    for (let s = 0; s < length; s++) {
      let read = false; // whether any winner reads position s
      for (let o = 0; o < k; o++) {
        const t = s - o + pad;
        if (
          t >= 0 &&
          t < length &&
          load<i32>(ends + ((<usize>t) << 2)) > (t == 0 ? 0 : load<i32>(ends + ((<usize>(t - 1)) << 2)))
        )
          read = true;
      }
      if (!read) continue;
      const row = embeddingGradient + <usize>load<i32>(local + ((<usize>(start + s)) << 2)) * depthBytes;
      let chunk: usize = 0;
      for (; chunk + 128 <= depthBytes; chunk += 128) {
        let a0 = f32x4.splat(0);
        let a1 = f32x4.splat(0);
        let a2 = f32x4.splat(0);
        let a3 = f32x4.splat(0);
        let a4 = f32x4.splat(0);
        let a5 = f32x4.splat(0);
        let a6 = f32x4.splat(0);
        let a7 = f32x4.splat(0);
        for (let o = 0; o < k; o++) {
          const t = s - o + pad;
          if (t < 0 || t >= length) continue;
          const to = load<i32>(ends + ((<usize>t) << 2));
          for (let i = t == 0 ? 0 : load<i32>(ends + ((<usize>(t - 1)) << 2)); i < to; i++) {
            const f = load<i32>(sorted + ((<usize>i) << 2));
            const gs = f32x4.splat(load<f32>(upstream + base + ((<usize>f) << 2)));
            const weights = flatT + <usize>(column + o * filters + f) * depthBytes + chunk;
            a0 = f32x4.add(a0, f32x4.mul(gs, v128.load(weights)));
            a1 = f32x4.add(a1, f32x4.mul(gs, v128.load(weights, 16)));
            a2 = f32x4.add(a2, f32x4.mul(gs, v128.load(weights, 32)));
            a3 = f32x4.add(a3, f32x4.mul(gs, v128.load(weights, 48)));
            a4 = f32x4.add(a4, f32x4.mul(gs, v128.load(weights, 64)));
            a5 = f32x4.add(a5, f32x4.mul(gs, v128.load(weights, 80)));
            a6 = f32x4.add(a6, f32x4.mul(gs, v128.load(weights, 96)));
            a7 = f32x4.add(a7, f32x4.mul(gs, v128.load(weights, 112)));
          }
        }
        const out = row + chunk;
        v128.store(out, f32x4.add(v128.load(out), a0));
        v128.store(out, f32x4.add(v128.load(out, 16), a1), 16);
        v128.store(out, f32x4.add(v128.load(out, 32), a2), 32);
        v128.store(out, f32x4.add(v128.load(out, 48), a3), 48);
        v128.store(out, f32x4.add(v128.load(out, 64), a4), 64);
        v128.store(out, f32x4.add(v128.load(out, 80), a5), 80);
        v128.store(out, f32x4.add(v128.load(out, 96), a6), 96);
        v128.store(out, f32x4.add(v128.load(out, 112), a7), 112);
      }
      for (; chunk < depthBytes; chunk += 16) {
        let a0 = f32x4.splat(0);
        for (let o = 0; o < k; o++) {
          const t = s - o + pad;
          if (t < 0 || t >= length) continue;
          const to = load<i32>(ends + ((<usize>t) << 2));
          for (let i = t == 0 ? 0 : load<i32>(ends + ((<usize>(t - 1)) << 2)); i < to; i++) {
            const f = load<i32>(sorted + ((<usize>i) << 2));
            const gs = f32x4.splat(load<f32>(upstream + base + ((<usize>f) << 2)));
            a0 = f32x4.add(
              a0,
              f32x4.mul(gs, v128.load(flatT + <usize>(column + o * filters + f) * depthBytes + chunk)),
            );
          }
        }
        v128.store(row + chunk, f32x4.add(v128.load(row + chunk), a0));
      }
    }
  }
}

/**
 * The table row (word id) that offset `shift` (= o - pad) of document d's winner for the
 * feature at `entry` reads, or -1 when there is no winner, its gradient is 0, or the position
 * falls outside the document.
 */
function winnerWord(
  d: i32,
  featureBytes: usize,
  entry: usize,
  winners: usize,
  upstream: usize,
  offsets: usize,
  local: usize,
  words: usize,
  shift: i32,
): i32 {
  const at = <usize>d * featureBytes + entry;
  const t = load<i32>(winners + at);
  if (t < 0 || load<f32>(upstream + at) == 0) return -1;
  const start = load<i32>(offsets + ((<usize>d) << 2));
  const s = t + shift;
  if (s < 0 || s >= load<i32>(offsets + ((<usize>d + 1) << 2)) - start) return -1;
  return load<i32>(words + ((<usize>load<i32>(local + ((<usize>(start + s)) << 2))) << 2));
}
