// Sums of the per-thread gradient buffers, in thread order (deterministic for a thread count).

/**
 * gradients[words[u], :] = sum_t parts[t][u, :] for u in [rowStart, rowEnd): the embedding
 * gradient rows of a side's unique words, written (not added: each word is listed once).
 * @param parts - i32 [threads] addresses of [words, width] f32 buffers.
 */
export function sumRowsInto(
  parts: usize,
  threads: i32,
  rowStart: i32,
  rowEnd: i32,
  width: i32,
  words: usize,
  gradients: usize,
): void {
  const widthBytes = (<usize>width) << 2;
  for (let u = rowStart; u < rowEnd; u++) {
    const target = gradients + <usize>load<i32>(words + ((<usize>u) << 2)) * widthBytes;
    const offset = <usize>u * widthBytes;
    memory.copy(target, <usize>load<i32>(parts) + offset, widthBytes);
    for (let t = 1; t < threads; t++) {
      const source = <usize>load<i32>(parts + ((<usize>t) << 2)) + offset;
      for (let e: usize = 0; e < widthBytes; e += 16)
        v128.store(target + e, f32x4.add(v128.load(target + e), v128.load(source + e)));
    }
  }
}

/** target[i] = sum_t parts[t][offset + i] for i < count (count a multiple of 4). */
export function sumInto(parts: usize, threads: i32, offset: i32, count: i32, target: usize): void {
  const bytes = (<usize>count) << 2;
  const from = (<usize>offset) << 2;
  memory.copy(target, <usize>load<i32>(parts) + from, bytes);
  for (let t = 1; t < threads; t++) {
    const source = <usize>load<i32>(parts + ((<usize>t) << 2)) + from;
    for (let i: usize = 0; i < bytes; i += 16)
      v128.store(target + i, f32x4.add(v128.load(target + i), v128.load(source + i)));
  }
}

/**
 * The convolution kernel's gradient in its TF.js layout [k, depth, filters] from the per-thread
 * [columns, depth] buffers: kernel[o, e, f] = sum_t parts[t][column + o * filters + f, e].
 */
export function sumKernelGradient(
  parts: usize,
  threads: i32,
  column: i32,
  k: i32,
  depth: i32,
  filters: i32,
  kernel: usize,
): void {
  for (let o = 0; o < k; o++) {
    for (let f = 0; f < filters; f++) {
      const c = <usize>(column + o * filters + f);
      for (let e = 0; e < depth; e++) {
        let sum: f32 = 0;
        for (let t = 0; t < threads; t++)
          sum += load<f32>(
            <usize>load<i32>(parts + ((<usize>t) << 2)) + ((c * <usize>depth + <usize>e) << 2),
          );
        store<f32>(kernel + (((<usize>o * <usize>depth + <usize>e) * <usize>filters + <usize>f) << 2), sum);
      }
    }
  }
}

/** Zeroes the rows of `rows` (i32 [count]) that fall in [rowLow, rowHigh), `width` floats each. */
export function zeroRowsInRange(
  gradients: usize,
  rows: usize,
  count: i32,
  width: i32,
  rowLow: i32,
  rowHigh: i32,
): void {
  const widthBytes = (<usize>width) << 2;
  for (let i = 0; i < count; i++) {
    const row = load<i32>(rows + ((<usize>i) << 2));
    if (row >= rowLow && row < rowHigh) memory.fill(gradients + <usize>row * widthBytes, 0, widthBytes);
  }
}

/** Zeroes the rows rows[start, end) (i32), `width` floats each. */
export function zeroListedRows(gradients: usize, rows: usize, start: i32, end: i32, width: i32): void {
  const widthBytes = (<usize>width) << 2;
  for (let i = start; i < end; i++)
    memory.fill(gradients + <usize>load<i32>(rows + ((<usize>i) << 2)) * widthBytes, 0, widthBytes);
}

/** Zeroes `bytes` bytes at `address`. */
export function zeroBytes(address: usize, bytes: i32): void {
  memory.fill(address, 0, <usize>bytes);
}
