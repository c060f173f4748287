import type { MemoryQuery } from './memory-query';
import type { ScoringTable } from './scoring-table';

/**
 * The exact MARS scores of table rows for one {@link MemoryQuery}, in float64:
 * r_j = sum_h a_hj s_hj + p . q_j + b_j with s_hj = c_h . v_j and a_hj the softmax over the H
 * valid slots (`'attention'`) or 1/H (`'mean'`, computed as mean(c) . v_j); a history without
 * valid slots contributes 0. Every serving path (brute force, exact-pruned, approximate) scores
 * with this one function, so equal inputs give bit-equal scores whatever path found the item.
 * @param rows - table rows to score.
 * @param out - receives one score per row (length at least `rows.length`).
 */
export function scoreRows(
  table: ScoringTable,
  query: MemoryQuery,
  rows: ArrayLike<number>,
  out: Float64Array,
): void {
  const { textDim: d, collaborativeDim: f } = table;
  const { itemVectors, itemFactors, biases } = table.view;
  const { memory, meanMemory, userVector, historyLength: H } = query;
  const attention = query.aggregation === 'attention' && H > 0;
  const mean = query.aggregation === 'mean' && H > 0;
  const similarities = new Float64Array(Math.max(1, H));
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k];
    const v = row * d;
    let score = biases[row];
    const q = row * f;
    for (let i = 0; i < f; i++) score += userVector[i] * itemFactors[q + i];
    if (attention) {
      let max = -Infinity;
      for (let h = 0; h < H; h++) {
        const c = h * d;
        const s = dot(memory, c, itemVectors, v, d);
        similarities[h] = s;
        if (s > max) max = s;
      }
      let weightSum = 0;
      let weighted = 0;
      for (let h = 0; h < H; h++) {
        const weight = Math.exp(similarities[h] - max);
        weightSum += weight;
        weighted += weight * similarities[h];
      }
      score += weighted / weightSum;
    } else if (mean) {
      score += dot(meanMemory, 0, itemVectors, v, d);
    }
    out[k] = score;
  }
}

/**
 * sum_i a[aStart + i] * b[bStart + i] over `d` terms with four running sums (a fixed order: the
 * same inputs always give the same float64 result).
 */
function dot(a: Float64Array, aStart: number, b: Float32Array, bStart: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < d; i += 4) {
    s0 += a[aStart + i] * b[bStart + i];
    s1 += a[aStart + i + 1] * b[bStart + i + 1];
    s2 += a[aStart + i + 2] * b[bStart + i + 2];
    s3 += a[aStart + i + 3] * b[bStart + i + 3];
  }
  for (; i < d; i++) s0 += a[aStart + i] * b[bStart + i];
  return s0 + s1 + (s2 + s3);
}
