import { describe } from './relevant-items';

/** Items to leave out of a ranking: an `Int32Array` of item indices (any order) or a `Set`. */
export type ItemExclusion = Int32Array | ReadonlySet<number>;

/**
 * Selects the `k` best-scoring items of score rows with reusable buffers, so that evaluating many
 * users allocates nothing per user. {@link topK} is the one-call form.
 *
 * Order: higher score first; equal scores break by the lower item index first. The selection
 * streams over the items with a size-`k` min-heap whose root (the worst kept item) is the
 * admission threshold: an item enters only when its score is strictly greater, so after the heap
 * fills most items cost one comparison. Cost `O(n + m log k)` for `n` items and `m` admissions
 * (about `k ln(n / k)` on shuffled scores). When `k` is a sizeable share of `n` (at least 1/256),
 * a threshold pre-filter first estimates the score of rank about `1.5 k` from a strided sample of
 * 256 scores, keeps only the items at or above it in one pass, and runs the heap over those; if
 * fewer than `k` pass, it falls back to the plain heap, so the result is always exact. All items
 * are never sorted.
 *
 * @example
 * ```ts
 * import { TopKSelector } from 'mars-rec/metrics';
 *
 * // two users' scores over 4 items, row-major; user 0 has seen item 1
 * const scores = new Float32Array([0.1, 0.9, 0.5, 0.7, 0.8, 0.2, 0.6, 0.4]);
 * const seen = new Int32Array([1]);
 * const selector = new TopKSelector();
 * const best = new Int32Array(2);
 * selector.select(scores, 0, 4, 2, seen, 0, 1, best); // user 0: best = [3, 2]
 * selector.select(scores, 4, 4, 2, seen, 0, 0, best); // user 1, nothing excluded: best = [0, 2]
 * ```
 */
export class TopKSelector {
  private heapScores: Float64Array;
  private heapItems: Int32Array;
  private candidates = new Int32Array(0);
  private readonly sample = new Float64Array(sampleSize);

  /** @param capacity - initial heap size in items; it grows when a larger `k` is asked for. */
  constructor(capacity = 128) {
    const size = Math.max(1, Math.floor(capacity));
    this.heapScores = new Float64Array(size);
    this.heapItems = new Int32Array(size);
  }

  /**
   * Writes the best `k` items of `scores[start .. start + itemCount)` into `out`, best first,
   * skipping the items listed in `exclude[excludeStart .. excludeEnd)`.
   * @param scores - a score row or a row-major block of rows; item `i` of the row is
   *   `scores[start + i]`.
   * @param start - offset of the row in `scores` (elements).
   * @param itemCount - number of items in the row.
   * @param k - number of items to keep, an integer >= 0.
   * @param exclude - item indices to skip; the slice must be sorted ascending (duplicates and
   *   indices outside `[0, itemCount)` are harmless).
   * @param excludeStart - first position of the slice of `exclude` to use.
   * @param excludeEnd - end (exclusive) of the slice of `exclude` to use.
   * @param out - receives the items, best first; length at least `min(k, itemCount)`.
   * @returns the number of items written, `min(k, itemCount - excluded)`, or `-(item + 1)` when
   *   the score of a non-excluded `item` is NaN (nothing useful is written then).
   */
  select(
    scores: Float32Array | Float64Array,
    start: number,
    itemCount: number,
    k: number,
    exclude: Int32Array,
    excludeStart: number,
    excludeEnd: number,
    out: Int32Array,
  ): number {
    if (k > this.heapScores.length) {
      const size = Math.max(k, this.heapScores.length * 2);
      this.heapScores = new Float64Array(size);
      this.heapItems = new Int32Array(size);
    }
    if (k > 0 && itemCount >= 4 * sampleSize && k * 256 >= itemCount && k * 4 <= itemCount) {
      const threshold = this.sampleThreshold(scores, start, itemCount, k);
      if (threshold === threshold) {
        const count = this.gather(scores, start, itemCount, threshold, exclude, excludeStart, excludeEnd);
        if (count < 0) return count;
        if (count >= k) {
          const size = heapOverCandidates(
            scores,
            start,
            this.candidates,
            count,
            k,
            this.heapScores,
            this.heapItems,
          );
          return drain(this.heapScores, this.heapItems, size, out);
        }
      }
    }
    const size = heapOverRow(
      scores,
      start,
      itemCount,
      k,
      exclude,
      excludeStart,
      excludeEnd,
      this.heapScores,
      this.heapItems,
    );
    if (size < 0) return size;
    return drain(this.heapScores, this.heapItems, size, out);
  }

  /**
   * A score that about `1.5 k` items (plus a safety margin) reach, from a strided sample; NaN
   * when the sample cannot tell.
   */
  private sampleThreshold(
    scores: Float32Array | Float64Array,
    start: number,
    itemCount: number,
    k: number,
  ): number {
    const stride = Math.floor(itemCount / sampleSize);
    let valid = 0;
    for (let i = 0; i < sampleSize; i++) {
      const score = scores[start + i * stride + (stride >> 1)];
      if (score === score) this.sample[valid++] = score;
    }
    const expected = (k / itemCount) * valid;
    const rank = Math.ceil(1.5 * expected + 3 * Math.sqrt(expected) + 4);
    if (valid < sampleSize / 2 || rank >= valid) return NaN;
    const sorted = this.sample.subarray(0, valid).sort();
    return sorted[valid - rank];
  }

  /** Collects the non-excluded items scoring at least `threshold`, in index order. */
  private gather(
    scores: Float32Array | Float64Array,
    start: number,
    itemCount: number,
    threshold: number,
    exclude: Int32Array,
    excludeStart: number,
    excludeEnd: number,
  ): number {
    if (this.candidates.length < itemCount) this.candidates = new Int32Array(itemCount);
    const candidates = this.candidates;
    let count = 0;
    let e = excludeStart;
    while (e < excludeEnd && exclude[e] < 0) e++;
    let nextExcluded = e < excludeEnd ? exclude[e] : itemCount;
    for (let item = 0; item < itemCount; item++) {
      if (item === nextExcluded) {
        while (e < excludeEnd && exclude[e] <= item) e++;
        nextExcluded = e < excludeEnd ? exclude[e] : itemCount;
        continue;
      }
      const score = scores[start + item];
      if (score >= threshold) candidates[count++] = item;
      else if (score !== score) return -(item + 1);
    }
    return count;
  }
}

const sampleSize = 256;

/**
 * Streams a row through the size-`k` heap. Returns the heap size, or `-(item + 1)` for a NaN
 * score.
 */
function heapOverRow(
  scores: Float32Array | Float64Array,
  start: number,
  itemCount: number,
  k: number,
  exclude: Int32Array,
  excludeStart: number,
  excludeEnd: number,
  heapScores: Float64Array,
  heapItems: Int32Array,
): number {
  let size = 0;
  let threshold = Infinity;
  let e = excludeStart;
  while (e < excludeEnd && exclude[e] < 0) e++;
  let nextExcluded = e < excludeEnd ? exclude[e] : itemCount;
  for (let item = 0; item < itemCount; item++) {
    if (item === nextExcluded) {
      while (e < excludeEnd && exclude[e] <= item) e++;
      nextExcluded = e < excludeEnd ? exclude[e] : itemCount;
      continue;
    }
    const score = scores[start + item];
    if (score > threshold) {
      replaceRoot(heapScores, heapItems, size, score, item);
      threshold = heapScores[0];
    } else if (size < k) {
      if (score !== score) return -(item + 1);
      push(heapScores, heapItems, size++, score, item);
      threshold = size === k ? heapScores[0] : Infinity;
    } else if (score !== score) {
      return -(item + 1);
    }
  }
  return size;
}

/** The heap over pre-filtered candidates (ascending item order, no NaN). Returns the heap size. */
function heapOverCandidates(
  scores: Float32Array | Float64Array,
  start: number,
  candidates: Int32Array,
  count: number,
  k: number,
  heapScores: Float64Array,
  heapItems: Int32Array,
): number {
  for (let c = 0; c < k; c++) {
    const item = candidates[c];
    push(heapScores, heapItems, c, scores[start + item], item);
  }
  let threshold = heapScores[0];
  for (let c = k; c < count; c++) {
    const item = candidates[c];
    const score = scores[start + item];
    if (score > threshold) {
      replaceRoot(heapScores, heapItems, k, score, item);
      threshold = heapScores[0];
    }
  }
  return k;
}

// The heap keeps the worst item at the root: lower score, or equal score and higher index.
// Items arrive in ascending index order, so a new item loses every tie with a kept one.

/** Adds `item` at position `size` and sifts it up. */
function push(
  heapScores: Float64Array,
  heapItems: Int32Array,
  size: number,
  score: number,
  item: number,
): void {
  let position = size;
  while (position > 0) {
    const parent = (position - 1) >> 1;
    if (heapScores[parent] < score) break;
    heapScores[position] = heapScores[parent];
    heapItems[position] = heapItems[parent];
    position = parent;
  }
  heapScores[position] = score;
  heapItems[position] = item;
}

/** Replaces the root with `item` (which scores above it) and sifts it down. */
function replaceRoot(
  heapScores: Float64Array,
  heapItems: Int32Array,
  size: number,
  score: number,
  item: number,
): void {
  let position = 0;
  for (;;) {
    const left = 2 * position + 1;
    if (left >= size) break;
    let child = left;
    const right = left + 1;
    if (
      right < size &&
      (heapScores[right] < heapScores[left] ||
        (heapScores[right] === heapScores[left] && heapItems[right] > heapItems[left]))
    ) {
      child = right;
    }
    if (heapScores[child] >= score) break;
    heapScores[position] = heapScores[child];
    heapItems[position] = heapItems[child];
    position = child;
  }
  heapScores[position] = score;
  heapItems[position] = item;
}

/** Pops the heap, worst first, into the back of `out`; returns the count. */
function drain(heapScores: Float64Array, heapItems: Int32Array, count: number, out: Int32Array): number {
  let size = count;
  for (let position = count - 1; position >= 0; position--) {
    out[position] = heapItems[0];
    size--;
    const lastScore = heapScores[size];
    const lastItem = heapItems[size];
    let hole = 0;
    for (;;) {
      const left = 2 * hole + 1;
      if (left >= size) break;
      let child = left;
      const right = left + 1;
      if (
        right < size &&
        (heapScores[right] < heapScores[left] ||
          (heapScores[right] === heapScores[left] && heapItems[right] > heapItems[left]))
      ) {
        child = right;
      }
      if (heapScores[child] > lastScore || (heapScores[child] === lastScore && heapItems[child] < lastItem)) {
        break;
      }
      heapScores[hole] = heapScores[child];
      heapItems[hole] = heapItems[child];
      hole = child;
    }
    heapScores[hole] = lastScore;
    heapItems[hole] = lastItem;
  }
  return count;
}

const sharedSelector = new TopKSelector();

/**
 * The indices of the `k` highest scores, best first, without sorting all items.
 *
 * Ties: equal scores rank the lower item index first, so the result is deterministic and equal
 * to a full sort by `(score descending, item ascending)` cut at `k`. `-Infinity` and `Infinity`
 * are ordinary scores. Items in `exclude` are never returned (their scores are not read, so they
 * may be NaN).
 *
 * @example
 * ```ts
 * import { topK } from 'mars-rec/metrics';
 *
 * topK(new Float32Array([0.1, 0.9, 0.5, 0.9]), 3); // Int32Array [1, 3, 2]
 * topK(new Float32Array([0.1, 0.9, 0.5, 0.9]), 3, new Int32Array([1])); // Int32Array [3, 2, 0]
 * ```
 * @param scores - one score per item, `[itemCount]`; item `i` scores `scores[i]`.
 * @param k - how many items to return, an integer >= 0; fewer come back when fewer items remain
 *   after exclusion (`k` larger than the catalogue is allowed).
 * @param exclude - items to leave out (for example the user's training items): an `Int32Array`
 *   of item indices (any order; sorted is fastest) or a `Set`.
 * @returns `Int32Array` of `min(k, itemCount - |exclude|)` item indices, best first.
 * @throws RangeError when `k` is not a non-negative integer, when `exclude` holds an index
 *   outside `[0, scores.length)`, or when a non-excluded score is NaN (the message names the item).
 */
export function topK(scores: Float32Array | Float64Array, k: number, exclude?: ItemExclusion): Int32Array {
  if (!(scores instanceof Float32Array || scores instanceof Float64Array)) {
    throw new TypeError(`topK: scores must be a Float32Array or Float64Array, got ${describe(scores)}`);
  }
  if (!Number.isInteger(k) || k < 0) {
    throw new RangeError(`topK: k must be an integer >= 0, got ${String(k)}`);
  }
  const itemCount = scores.length;
  const excluded = sortedExclusion(exclude, itemCount);
  const out = new Int32Array(Math.min(k, itemCount));
  const count = sharedSelector.select(scores, 0, itemCount, k, excluded, 0, excluded.length, out);
  if (count < 0) {
    const item = -count - 1;
    throw new RangeError(
      `topK: the score of item ${item} is NaN; NaN scores cannot be ranked. Fix the model, or ` +
        `replace NaN with -Infinity to rank such items last, or exclude them`,
    );
  }
  return count === out.length ? out : out.slice(0, count);
}

const empty = new Int32Array(0);

function sortedExclusion(exclude: ItemExclusion | undefined, itemCount: number): Int32Array {
  if (exclude === undefined) return empty;
  let items: Int32Array;
  if (exclude instanceof Int32Array) {
    items = exclude;
    for (let i = 1; i < items.length; i++) {
      if (items[i] < items[i - 1]) {
        items = Int32Array.from(exclude).sort();
        break;
      }
    }
  } else if (exclude instanceof Set) {
    items = Int32Array.from(exclude).sort();
  } else {
    throw new TypeError(
      `topK: exclude must be an Int32Array or a Set of item indices, got ${describe(exclude)}`,
    );
  }
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!(item >= 0 && item < itemCount) || !Number.isInteger(item)) {
      throw new RangeError(
        `topK: exclude holds item ${item}, outside the ${itemCount} scored items [0, ${itemCount})`,
      );
    }
  }
  return items;
}
