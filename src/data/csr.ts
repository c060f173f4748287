/**
 * Per-interaction Unix timestamps in seconds: `Uint32Array` when every one is an integer in
 * [0, 2^32) (4 bytes an interaction, what the streaming loaders keep), else `Float64Array`
 * (`NaN` where unknown).
 */
export type TimestampArray = Float64Array | Uint32Array;

/**
 * A sparse user x item matrix in compressed sparse row form: the positives of user `u` are
 * `indices[offsets[u] .. offsets[u + 1])`. This is the one interchange format between the data
 * layer, the sampler and the metrics, so other projects can build it themselves from any source.
 */
export interface CsrMatrix {
  /** Number of rows (users). */
  readonly rowCount: number;
  /** Number of columns (items). */
  readonly columnCount: number;
  /** Row start offsets, length `rowCount + 1`, non-decreasing, `offsets[0] = 0`. */
  readonly offsets: Int32Array;
  /** Column (item) indices of each row, in `[0, columnCount)`; sorted ascending within a row. */
  readonly indices: Int32Array;
  /**
   * Optional per-entry timestamps (Unix seconds), aligned with `indices`; used for chronological
   * splits and `recent` history capping. `NaN` where unknown (in a `Float64Array`).
   */
  readonly timestamps?: TimestampArray;
}

/**
 * Whether `indices[start, end)`, a CSR row (sorted ascending), holds `value`: a binary search.
 * @param indices - a matrix's `indices`.
 * @param start - the row's first position (`offsets[u]`).
 * @param end - one past its last (`offsets[u + 1]`).
 */
export function sortedRowContains(indices: Int32Array, start: number, end: number, value: number): boolean {
  let low = start;
  let high = end - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const found = indices[middle];
    if (found === value) return true;
    if (found < value) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}
