// MARS's memory attention and the BPR loss of eq. 4 on typed arrays, forward and backward.

/** Sum of the four lanes. */
function lanes(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

function dot(a: usize, b: usize, widthBytes: usize): f32 {
  let sum = f32x4.splat(0);
  for (let e: usize = 0; e < widthBytes; e += 16)
    sum = f32x4.add(sum, f32x4.mul(v128.load(a + e), v128.load(b + e)));
  return lanes(sum);
}

/** a += s * b over `widthBytes`. */
function axpy(a: usize, s: f32, b: usize, widthBytes: usize): void {
  const ss = f32x4.splat(s);
  for (let e: usize = 0; e < widthBytes; e += 16)
    v128.store(a + e, f32x4.add(v128.load(a + e), f32x4.mul(ss, v128.load(b + e))));
}

/**
 * For each triplet b and candidate c (0 = positive j, 1 = negative j'): the attention over the
 * valid history slots a = softmax(C v_c) (or 1 / count with `mean`), the user vector
 * u_c = sum_h a_h C_h, the score r_c = sum_h a_h (C_h . v_c) + fixed[b, c]; the loss
 * mean_b(softplus(r_1 - r_0) + lambdaU (|u_0|^2 + |u_1|^2) + lambdaV (|v_0|^2 + |v_1|^2)),
 * and its gradient added into memoryGradient and candidateGradient (rows of the encoded
 * documents), with dL/dr in scoreGradient.
 * @param memoryVectors - [memoryRows, width] encoded history documents.
 * @param history - i32 [batch, slots] memory row of each slot, -1 for padding.
 * @param candidates - [candidateRows, width] encoded candidate documents.
 * @param rows - i32 [batch, 2] candidate rows of j and j'.
 * @param fixed - f32 [batch, 2] scores added to r (item bias, collaborative part), or 0 for none.
 * @param scores - f32 [batch, 2] output r.
 * @param scratch - f32 [4 * slots + 2 * width].
 * @returns the loss.
 */
export function attentionBprLoss(
  memoryVectors: usize,
  history: usize,
  batch: i32,
  slots: i32,
  candidates: usize,
  rows: usize,
  width: i32,
  fixed: usize,
  lambdaU: f32,
  lambdaV: f32,
  mean: i32,
  memoryGradient: usize,
  candidateGradient: usize,
  scores: usize,
  scoreGradient: usize,
  scratch: usize,
): f64 {
  const widthBytes = (<usize>width) << 2;
  const slotBytes = (<usize>slots) << 2;
  const scale: f32 = 1 / <f32>batch;
  let loss: f64 = 0;
  for (let b = 0; b < batch; b++) {
    const slotRows = history + <usize>b * slotBytes;
    let r0: f32 = 0;
    let r1: f32 = 0;
    let norms: f32 = 0;
    for (let c = 0; c < 2; c++) {
      const similarity = scratch + <usize>c * 2 * slotBytes;
      const weights = similarity + slotBytes;
      const user = scratch + 4 * slotBytes + <usize>c * widthBytes;
      const v = candidates + <usize>load<i32>(rows + ((<usize>(2 * b + c)) << 2)) * widthBytes;
      memory.fill(user, 0, widthBytes);
      let maximum: f32 = -Infinity;
      for (let h = 0; h < slots; h++) {
        const m = load<i32>(slotRows + ((<usize>h) << 2));
        const s: f32 = m >= 0 ? dot(memoryVectors + <usize>m * widthBytes, v, widthBytes) : 0;
        store<f32>(similarity + ((<usize>h) << 2), s);
        if (m >= 0 && s > maximum) maximum = s;
      }
      let sum: f32 = 0;
      for (let h = 0; h < slots; h++) {
        const m = load<i32>(slotRows + ((<usize>h) << 2));
        let a: f32 = 0;
        if (m >= 0) a = mean ? 1 : Mathf.exp(load<f32>(similarity + ((<usize>h) << 2)) - maximum);
        store<f32>(weights + ((<usize>h) << 2), a);
        sum += a;
      }
      // the largest valid term is exp(0) = 1: dividing by max(sum, 1) is exact, and 0 for no valid slot
      const divisor = sum > 1 ? sum : <f32>1;
      let r: f32 = 0;
      for (let h = 0; h < slots; h++) {
        const at = weights + ((<usize>h) << 2);
        const a = load<f32>(at) / divisor;
        store<f32>(at, a);
        const m = load<i32>(slotRows + ((<usize>h) << 2));
        if (m < 0 || a == 0) continue;
        r += a * load<f32>(similarity + ((<usize>h) << 2));
        axpy(user, a, memoryVectors + <usize>m * widthBytes, widthBytes);
      }
      if (fixed != 0) r += load<f32>(fixed + ((<usize>(2 * b + c)) << 2));
      store<f32>(scores + ((<usize>(2 * b + c)) << 2), r);
      if (c == 0) r0 = r;
      else r1 = r;
      norms += lambdaU * dot(user, user, widthBytes) + lambdaV * dot(v, v, widthBytes);
    }
    const x: f32 = r1 - r0;
    // softplus(x) = -ln sigmoid(-x), stable for any x
    loss += <f64>((x > 0 ? x : 0) + Mathf.log1p(Mathf.exp(-Mathf.abs(x))) + norms);
    const sigmoid: f32 = x >= 0 ? 1 / (1 + Mathf.exp(-x)) : Mathf.exp(x) / (1 + Mathf.exp(x));
    for (let c = 0; c < 2; c++) {
      const dr: f32 = (c == 0 ? -sigmoid : sigmoid) * scale;
      store<f32>(scoreGradient + ((<usize>(2 * b + c)) << 2), dr);
      const similarity = scratch + <usize>c * 2 * slotBytes;
      const weights = similarity + slotBytes;
      const user = scratch + 4 * slotBytes + <usize>c * widthBytes;
      const candidateRow = <usize>load<i32>(rows + ((<usize>(2 * b + c)) << 2));
      const v = candidates + candidateRow * widthBytes;
      const dv = candidateGradient + candidateRow * widthBytes;
      axpy(dv, 2 * lambdaV * scale, v, widthBytes);
      const userScale: f32 = 2 * lambdaU * scale; // du = userScale * u
      // da_h = dr S_h + du . C_h; dS_h = dr a_h + a_h (da_h - sum_h' a_h' da_h') (softmax)
      let mixed: f32 = 0;
      if (!mean) {
        for (let h = 0; h < slots; h++) {
          const m = load<i32>(slotRows + ((<usize>h) << 2));
          const a = load<f32>(weights + ((<usize>h) << 2));
          if (m < 0 || a == 0) continue;
          const da =
            dr * load<f32>(similarity + ((<usize>h) << 2)) +
            userScale * dot(user, memoryVectors + <usize>m * widthBytes, widthBytes);
          mixed += a * da;
          store<f32>(similarity + ((<usize>h) << 2), da); // S is no longer needed: keep da_h
        }
      }
      for (let h = 0; h < slots; h++) {
        const m = load<i32>(slotRows + ((<usize>h) << 2));
        const a = load<f32>(weights + ((<usize>h) << 2));
        if (m < 0 || a == 0) continue;
        const ds: f32 = mean ? dr * a : dr * a + a * (load<f32>(similarity + ((<usize>h) << 2)) - mixed);
        const row = memoryVectors + <usize>m * widthBytes;
        const dc = memoryGradient + <usize>m * widthBytes;
        axpy(dc, a * userScale, user, widthBytes);
        axpy(dc, ds, v, widthBytes);
        axpy(dv, ds, row, widthBytes);
      }
    }
  }
  return loss / <f64>batch;
}
