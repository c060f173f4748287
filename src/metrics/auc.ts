import { describe, relevantLookup } from './relevant-items';
import type { RelevantItems } from './relevant-items';

/**
 * Area under the ROC curve of one user: the probability that a relevant candidate scores above a
 * non-relevant one (Mann-Whitney U), ties counting one half:
 * `AUC = (1 / (|R| * |N|)) * sum_{r in R} sum_{j in N} ([s_r > s_j] + 0.5 [s_r = s_j])`,
 * where `R` are the relevant candidates and `N` the other candidates. With one relevant item this
 * is the share of non-relevant candidates ranked below it (the D2L evaluator's AUC).
 *
 * Cost `O(|C| + |R| log |R|)` expected (a bucket table over the relevant scores); only the relevant
 * scores are sorted.
 * @param scores - one score per item, `[itemCount]`.
 * @param relevant - the user's relevant items: a sorted `Int32Array` or a `Set`. Relevant items
 *   that are not candidates are ignored.
 * @param candidates - the items to compare, without duplicates; default every item
 *   `0 .. scores.length - 1`. Pass the non-training items for the usual protocol.
 * @returns a value in [0, 1]; NaN when there is no relevant or no non-relevant candidate.
 * @throws RangeError for a candidate outside `[0, scores.length)`, a duplicate candidate, or a
 *   NaN score of a candidate.
 */
export function auc(
  scores: Float32Array | Float64Array,
  relevant: RelevantItems,
  candidates?: Int32Array,
): number {
  if (!(scores instanceof Float32Array || scores instanceof Float64Array)) {
    throw new TypeError(`auc: scores must be a Float32Array or Float64Array, got ${describe(scores)}`);
  }
  const lookup = relevantLookup(relevant, 'auc');
  const itemCount = scores.length;
  const candidateCount = candidates === undefined ? itemCount : candidates.length;
  const isCandidate = new Uint8Array(itemCount);
  const relevantScores: number[] = [];
  for (let position = 0; position < candidateCount; position++) {
    const item = candidates === undefined ? position : candidates[position];
    if (!(item >= 0 && item < itemCount)) {
      throw new RangeError(
        `auc: candidates[${position}] = ${item} is outside the ${itemCount} scored items [0, ${itemCount})`,
      );
    }
    if (isCandidate[item] === 1) {
      throw new RangeError(`auc: candidate item ${item} is listed twice (again at position ${position})`);
    }
    isCandidate[item] = 1;
    const score = scores[item];
    if (score !== score) {
      throw new RangeError(`auc: the score of candidate item ${item} is NaN; NaN scores cannot be ranked`);
    }
    if (lookup.has(item)) relevantScores.push(score);
  }
  const negativeCount = candidateCount - relevantScores.length;
  if (relevantScores.length === 0 || negativeCount === 0) return NaN;
  const index = new RelevantScoreIndex();
  index.reset(Float64Array.from(relevantScores), relevantScores.length);
  let wins = 0;
  for (let position = 0; position < candidateCount; position++) {
    const item = candidates === undefined ? position : candidates[position];
    if (lookup.has(item)) continue;
    wins += index.winsOver(scores[item]);
  }
  return wins / (relevantScores.length * negativeCount);
}

/**
 * Counts, for one user, how many relevant scores beat a non-relevant score, ties counting one
 * half: `#{r : s_r > score} + 0.5 #{r : s_r = score}`. Built once per user from the relevant
 * scores, it answers each query in constant expected time through a bucket table over the
 * relevant score range (64 buckets per relevant item, 256 to 16,384): slot 0 holds every score
 * below the lowest relevant one, the last slot every score above the highest. The table is exact,
 * because a score's slot is a non-decreasing function of the score, so only relevant scores in
 * the same slot need a direct comparison. Non-finite relevant scores fall back to bisection.
 */
export class RelevantScoreIndex {
  private sorted = new Float64Array(16);
  private count = 0;
  private low = 0;
  private scale = 0;
  private lastSlot = 0;
  private from = new Int32Array(0);
  private to = new Int32Array(0);

  /**
   * Indexes a user's relevant scores.
   * @param relevantScores - the scores of the relevant items (any order, no NaN); copied.
   * @param count - how many of `relevantScores` to use, from the start; at least 1.
   */
  reset(relevantScores: Float32Array | Float64Array, count: number): void {
    if (this.sorted.length < count) this.sorted = new Float64Array(Math.max(count, 2 * this.sorted.length));
    const sorted = this.sorted;
    for (let i = 0; i < count; i++) sorted[i] = relevantScores[i];
    sorted.subarray(0, count).sort();
    this.count = count;
    const low = sorted[0];
    const high = sorted[count - 1];
    const buckets = Math.min(16_384, Math.max(256, 64 * count));
    const scale = (buckets - 1) / (high - low);
    if (!(Number.isFinite(low) && Number.isFinite(high) && Number.isFinite(scale))) {
      this.lastSlot = 0; // bisection: infinite scores, or all relevant scores equal
      return;
    }
    this.low = low;
    this.scale = scale;
    // slots: 0 below `low`, 1 .. buckets for [low, high], buckets + 1 above `high`
    const lastSlot = buckets + 1;
    this.lastSlot = lastSlot;
    if (this.from.length < lastSlot + 1) {
      this.from = new Int32Array(lastSlot + 1);
      this.to = new Int32Array(lastSlot + 1);
    }
    const from = this.from;
    const to = this.to;
    let i = 0;
    for (let slot = 0; slot <= lastSlot; slot++) {
      from[slot] = i;
      while (i < count && slotOf(sorted[i], low, scale, lastSlot) === slot) i++;
      to[slot] = i;
    }
  }

  /**
   * `#{r : s_r > score} + 0.5 #{r : s_r = score}` over the indexed relevant scores.
   * @param score - a non-relevant item's score (NaN counts as below every relevant score).
   */
  winsOver(score: number): number {
    const count = this.count;
    if (this.lastSlot === 0) return winsByBisection(this.sorted, 0, count, count, score);
    const slot = slotOf(score, this.low, this.scale, this.lastSlot);
    const from = this.from[slot];
    const to = this.to[slot];
    return from === to ? count - from : winsInRange(this.sorted, from, to, count, score);
  }

  /**
   * The sum of {@link RelevantScoreIndex.winsOver} over `scores[start .. start + length)`.
   * @param scores - a score row or a block of rows.
   * @param start - offset of the first score.
   * @param length - number of scores.
   */
  sumWinsOver(scores: Float32Array | Float64Array, start: number, length: number): number {
    const count = this.count;
    const sorted = this.sorted;
    let wins = 0;
    if (this.lastSlot === 0) {
      for (let i = start; i < start + length; i++)
        wins += winsByBisection(sorted, 0, count, count, scores[i]);
      return wins;
    }
    return sumWinsBySlot(
      scores,
      start,
      start + length,
      this.low,
      this.scale,
      this.lastSlot,
      this.from,
      this.to,
      sorted,
      count,
    );
  }
}

/** The loop of {@link RelevantScoreIndex.sumWinsOver} over the slot table. */
function sumWinsBySlot(
  scores: Float32Array | Float64Array,
  start: number,
  end: number,
  low: number,
  scale: number,
  lastSlot: number,
  fromTable: Int32Array,
  toTable: Int32Array,
  sorted: Float64Array,
  count: number,
): number {
  let wins = 0;
  for (let i = start; i < end; i++) {
    const score = scores[i];
    const position = (score - low) * scale + 1; // slotOf, inlined
    const slot = position >= lastSlot ? lastSlot : position > 0 ? position | 0 : 0;
    const from = fromTable[slot];
    const to = toTable[slot];
    wins += from === to ? count - from : winsInRange(sorted, from, to, count, score);
  }
  return wins;
}

/** The slot of `score`: non-decreasing in `score`; NaN lands in slot 0. */
function slotOf(score: number, low: number, scale: number, lastSlot: number): number {
  const position = (score - low) * scale + 1;
  return position >= lastSlot ? lastSlot : position > 0 ? position | 0 : 0;
}

/** Wins over `score` when the relevant scores in `sorted[from .. to)` share its slot. */
function winsInRange(sorted: Float64Array, from: number, to: number, count: number, score: number): number {
  if (to - from > 8) return winsByBisection(sorted, from, to, count, score);
  let less = from;
  let lessOrEqual = from;
  for (let i = from; i < to; i++) {
    const value = sorted[i];
    if (value < score) less++;
    if (value <= score) lessOrEqual++;
  }
  return count - lessOrEqual + 0.5 * (lessOrEqual - less);
}

/** Bisection over `sorted[from .. to)`, knowing `from` values are below and `count - to` above. */
function winsByBisection(
  sorted: Float64Array,
  from: number,
  to: number,
  count: number,
  score: number,
): number {
  let low = from;
  let high = to;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < score) low = middle + 1;
    else high = middle;
  }
  const less = low;
  high = to;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] <= score) low = middle + 1;
    else high = middle;
  }
  return count - low + 0.5 * (low - less);
}
