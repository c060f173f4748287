/**
 * The relevant (ground-truth) items of one user: either an `Int32Array` of item indices sorted
 * ascending without duplicates, or a `Set` of item indices. Items are zero-based indices into the
 * catalogue, the same indices a `CsrMatrix` row holds.
 */
export type RelevantItems = Int32Array | ReadonlySet<number>;

/** A membership test over {@link RelevantItems}, with the number of relevant items. */
export interface RelevantLookup {
  /** Number of relevant items, `|R|`. */
  readonly size: number;
  /** Whether `item` is relevant. */
  has(item: number): boolean;
}

/**
 * Checks `relevant` and returns a membership test over it. A sorted `Int32Array` is searched
 * by bisection (no copy); a `Set` is used as it is.
 * @param relevant - the relevant items.
 * @param caller - the public function's name, for error messages.
 * @throws TypeError when `relevant` is neither an `Int32Array` nor a `Set`, or when the array is
 *   not sorted ascending without duplicates.
 */
export function relevantLookup(relevant: RelevantItems, caller: string): RelevantLookup {
  if (relevant instanceof Int32Array) {
    for (let i = 1; i < relevant.length; i++) {
      if (relevant[i] <= relevant[i - 1]) {
        throw new TypeError(
          `${caller}: relevant must be sorted ascending without duplicates, but item ${relevant[i]} ` +
            `at position ${i} follows ${relevant[i - 1]}; sort it with relevant.sort() and drop ` +
            `duplicates, or pass a Set`,
        );
      }
    }
    return {
      size: relevant.length,
      has: (item: number): boolean => bisect(relevant, item),
    };
  }
  if (relevant instanceof Set) return relevant;
  throw new TypeError(
    `${caller}: relevant must be an Int32Array (sorted ascending) or a Set of item indices, got ${describe(relevant)}`,
  );
}

function bisect(sorted: Int32Array, item: number): boolean {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const value = sorted[middle];
    if (value === item) return true;
    if (value < item) low = middle + 1;
    else high = middle;
  }
  return false;
}

/**
 * A short description of an unexpected argument for error messages.
 * @param value - anything a caller passed.
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
