// The per-step projection of a side's unique words (the factorized convolution's matrix
// product): out[i, :] = table[words[i], :] x weights, weights [depth, columns] row-major.

/**
 * Rows [rowStart, rowEnd) of out = table[words] x weights.
 * @param table - word embedding table, `stride` floats per row.
 * @param words - i32 [rows] table rows (global word ids).
 * @param rowStart - first output row; rowStart and rowEnd are multiples of 4.
 * @param weights - [depth, columns] f32 (depth <= stride).
 * @param columns - multiple of 4.
 * @param out - [rows, columns] f32.
 */
export function projectWords(
  table: usize,
  stride: i32,
  words: usize,
  rowStart: i32,
  rowEnd: i32,
  weights: usize,
  depth: i32,
  columns: i32,
  out: usize,
): void {
  const rowBytes = (<usize>stride) << 2;
  const columnBytes = (<usize>columns) << 2;
  const blockEnd = columns & ~7;
  for (let i = rowStart; i < rowEnd; i += 4) {
    const word = words + ((<usize>i) << 2);
    const r0 = table + <usize>load<i32>(word) * rowBytes;
    const r1 = table + <usize>load<i32>(word, 4) * rowBytes;
    const r2 = table + <usize>load<i32>(word, 8) * rowBytes;
    const r3 = table + <usize>load<i32>(word, 12) * rowBytes;
    const o0 = out + <usize>i * columnBytes;
    // 4 rows x 8 columns per block: 8 accumulators stay in registers over the depth
    for (let j = 0; j < blockEnd; j += 8) {
      let c00 = f32x4.splat(0);
      let c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0);
      let c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0);
      let c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0);
      let c31 = f32x4.splat(0);
      let b = weights + ((<usize>j) << 2);
      for (let p = 0; p < depth; p++) {
        const b0 = v128.load(b);
        const b1 = v128.load(b, 16);
        const offset = (<usize>p) << 2;
        const a0 = f32x4.splat(load<f32>(r0 + offset));
        c00 = f32x4.add(c00, f32x4.mul(a0, b0));
        c01 = f32x4.add(c01, f32x4.mul(a0, b1));
        const a1 = f32x4.splat(load<f32>(r1 + offset));
        c10 = f32x4.add(c10, f32x4.mul(a1, b0));
        c11 = f32x4.add(c11, f32x4.mul(a1, b1));
        const a2 = f32x4.splat(load<f32>(r2 + offset));
        c20 = f32x4.add(c20, f32x4.mul(a2, b0));
        c21 = f32x4.add(c21, f32x4.mul(a2, b1));
        const a3 = f32x4.splat(load<f32>(r3 + offset));
        c30 = f32x4.add(c30, f32x4.mul(a3, b0));
        c31 = f32x4.add(c31, f32x4.mul(a3, b1));
        b += columnBytes;
      }
      const c = o0 + ((<usize>j) << 2);
      v128.store(c, c00);
      v128.store(c, c01, 16);
      v128.store(c + columnBytes, c10);
      v128.store(c + columnBytes, c11, 16);
      v128.store(c + 2 * columnBytes, c20);
      v128.store(c + 2 * columnBytes, c21, 16);
      v128.store(c + 3 * columnBytes, c30);
      v128.store(c + 3 * columnBytes, c31, 16);
    }
    if (blockEnd < columns) {
      // the last 4 columns
      let c0 = f32x4.splat(0);
      let c1 = f32x4.splat(0);
      let c2 = f32x4.splat(0);
      let c3 = f32x4.splat(0);
      let b = weights + ((<usize>blockEnd) << 2);
      for (let p = 0; p < depth; p++) {
        const b0 = v128.load(b);
        const offset = (<usize>p) << 2;
        c0 = f32x4.add(c0, f32x4.mul(f32x4.splat(load<f32>(r0 + offset)), b0));
        c1 = f32x4.add(c1, f32x4.mul(f32x4.splat(load<f32>(r1 + offset)), b0));
        c2 = f32x4.add(c2, f32x4.mul(f32x4.splat(load<f32>(r2 + offset)), b0));
        c3 = f32x4.add(c3, f32x4.mul(f32x4.splat(load<f32>(r3 + offset)), b0));
        b += columnBytes;
      }
      const c = o0 + ((<usize>blockEnd) << 2);
      v128.store(c, c0);
      v128.store(c + columnBytes, c1);
      v128.store(c + 2 * columnBytes, c2);
      v128.store(c + 3 * columnBytes, c3);
    }
  }
}

/**
 * Lays one convolution kernel [k, depth, filters] (TF.js layout, filters padded) out for the
 * projection: flat[e, column + o * filters + f] = kernel[o, e, f] ([depth, columns]) and its
 * transpose flatT[column + o * filters + f, e] ([columns, depth]) for the backward pass.
 */
export function layOutKernel(
  kernel: usize,
  k: i32,
  depth: i32,
  filters: i32,
  column: i32,
  columns: i32,
  flat: usize,
  flatT: usize,
): void {
  for (let o = 0; o < k; o++) {
    for (let e = 0; e < depth; e++) {
      const source = kernel + (((<usize>o * <usize>depth + <usize>e) * <usize>filters) << 2);
      const target = flat + ((<usize>e * <usize>columns + <usize>column + <usize>o * <usize>filters) << 2);
      memory.copy(target, source, (<usize>filters) << 2);
      for (let f = 0; f < filters; f++) {
        const c = <usize>column + <usize>o * <usize>filters + <usize>f;
        store<f32>(flatT + ((c * <usize>depth + <usize>e) << 2), load<f32>(source + ((<usize>f) << 2)));
      }
    }
  }
}
