// Brute-force references for the metric tests: full sorts and the textbook formulas, written
// independently of src/metrics (no shared code), slow and obvious on purpose.

/** Every item except `exclude`, fully sorted by (score descending, item ascending). */
export function fullRanking(scores: ArrayLike<number>, exclude: Iterable<number> = []): number[] {
  const excluded = new Set(exclude);
  const items: number[] = [];
  for (let item = 0; item < scores.length; item++) if (!excluded.has(item)) items.push(item);
  return items.sort((a, b) => (scores[b] !== scores[a] ? (scores[b] > scores[a] ? 1 : -1) : a - b));
}

export function referenceRecall(ranked: number[], relevant: Set<number>, k: number): number {
  if (relevant.size === 0) return NaN;
  return ranked.slice(0, k).filter((item) => relevant.has(item)).length / relevant.size;
}

export function referencePrecision(ranked: number[], relevant: Set<number>, k: number): number {
  return ranked.slice(0, k).filter((item) => relevant.has(item)).length / k;
}

export function referenceHit(ranked: number[], relevant: Set<number>, k: number): number {
  return ranked.slice(0, k).some((item) => relevant.has(item)) ? 1 : 0;
}

/** AveP = (1 / normalizer) * sum_{i<=k} P(i) rel(i), P(i) recomputed from scratch each time. */
export function referenceAveragePrecision(
  ranked: number[],
  relevant: Set<number>,
  k: number,
  normalization: 'min(k,|R|)' | '|R|' = 'min(k,|R|)',
): number {
  if (relevant.size === 0) return NaN;
  let sum = 0;
  const top = ranked.slice(0, k);
  top.forEach((item, index) => {
    if (!relevant.has(item)) return;
    const precisionAtI = top.slice(0, index + 1).filter((x) => relevant.has(x)).length / (index + 1);
    sum += precisionAtI;
  });
  return sum / (normalization === '|R|' ? relevant.size : Math.min(k, relevant.size));
}

export function referenceNdcg(ranked: number[], relevant: Set<number>, k: number): number {
  if (relevant.size === 0) return NaN;
  const gains: number[] = ranked.slice(0, k).map((item) => (relevant.has(item) ? 1 : 0));
  const dcg = gains.reduce((sum, gain, index) => sum + gain / Math.log2(index + 2), 0);
  let ideal = 0;
  for (let index = 0; index < Math.min(relevant.size, k); index++) ideal += 1 / Math.log2(index + 2);
  return dcg / ideal;
}

export function referenceReciprocalRank(ranked: number[], relevant: Set<number>, k = Infinity): number {
  const index = ranked.findIndex((item) => relevant.has(item));
  return index < 0 || index + 1 > k ? 0 : 1 / (index + 1);
}

/** All (relevant, non-relevant) pairs of candidates; ties count one half. */
export function referenceAuc(scores: ArrayLike<number>, relevant: Set<number>, candidates: number[]): number {
  const positives = candidates.filter((item) => relevant.has(item));
  const negatives = candidates.filter((item) => !relevant.has(item));
  if (positives.length === 0 || negatives.length === 0) return NaN;
  let wins = 0;
  for (const p of positives) {
    for (const n of negatives) wins += scores[p] > scores[n] ? 1 : scores[p] === scores[n] ? 0.5 : 0;
  }
  return wins / (positives.length * negatives.length);
}

/** Builds a CSR matrix from per-row item lists (sorted and deduplicated here). */
export function csrFromRows(rows: number[][], columnCount: number) {
  const offsets = new Int32Array(rows.length + 1);
  const flat: number[] = [];
  rows.forEach((row, index) => {
    flat.push(...[...new Set(row)].sort((a, b) => a - b));
    offsets[index + 1] = flat.length;
  });
  return { rowCount: rows.length, columnCount, offsets, indices: Int32Array.from(flat) };
}

/** Equal up to floating-point rounding, NaN equal to NaN. */
export function close(actual: number, expected: number, tolerance = 1e-12): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  return Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected));
}
