import { checkCutoff } from './list-metrics';
import { describe } from './relevant-items';

/**
 * Catalogue coverage: the share of the catalogue that appears in at least one recommendation
 * list, `|union of top_k lists| / itemCount`.
 * @param lists - one ranked list per user (item indices, best first).
 * @param itemCount - the catalogue size in items (the denominator).
 * @param k - optional cutoff: only the first `k` items of each list count; default whole lists.
 * @returns a value in [0, 1].
 * @throws RangeError when `itemCount` is not a positive integer or a listed item is outside
 *   `[0, itemCount)` (the message names the list and position).
 *
 * @example
 * ```ts
 * import { catalogueCoverage } from 'mars-rec/metrics';
 *
 * const lists = [new Int32Array([0, 1, 2]), new Int32Array([1, 2, 3])];
 * catalogueCoverage(lists, 10); // 0.4: items 0 to 3 of 10
 * catalogueCoverage(lists, 10, 1); // 0.2: the first items, 0 and 1
 * ```
 */
export function catalogueCoverage(lists: Iterable<Int32Array>, itemCount: number, k?: number): number {
  if (!Number.isInteger(itemCount) || itemCount < 1) {
    throw new RangeError(`catalogueCoverage: itemCount must be an integer >= 1, got ${String(itemCount)}`);
  }
  if (k !== undefined) checkCutoff(k, 'catalogueCoverage');
  const seen = new Uint8Array(itemCount);
  let distinct = 0;
  let listIndex = 0;
  for (const list of lists) {
    if (!(list instanceof Int32Array)) {
      throw new TypeError(
        `catalogueCoverage: list ${listIndex} must be an Int32Array of item indices, got ${describe(list)}`,
      );
    }
    const length = k === undefined ? list.length : Math.min(k, list.length);
    for (let position = 0; position < length; position++) {
      const item = list[position];
      if (!(item >= 0 && item < itemCount)) {
        throw new RangeError(
          `catalogueCoverage: list ${listIndex} position ${position} holds item ${item}, outside [0, ${itemCount})`,
        );
      }
      if (seen[item] === 0) {
        seen[item] = 1;
        distinct++;
      }
    }
    listIndex++;
  }
  return distinct / itemCount;
}
