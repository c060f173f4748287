import type { Side } from './side';
import { checkCount, checkSide } from './side';

/**
 * Rows of different lengths stored flat, the TF.js stand-in for a ragged tensor: row `i` is
 * `values.subarray(rowSplits[i], rowSplits[i + 1])`. Used for token sequences (one row per
 * document, values = token ids) and histories (one row per user or triplet, values = item
 * indices). The same shape as `EncodedCorpus` of `mars-rec/text`, so an encoded corpus is a
 * `RaggedRows` as it is.
 */
export interface RaggedRows {
  /** Every row's values, concatenated: `[totalValues]`. */
  readonly values: Int32Array;
  /** Row boundaries, `[rows + 1]`: starts at 0, non-decreasing, ends at `values.length`. */
  readonly rowSplits: Int32Array;
}

/** Number of rows of `rows`. */
export function raggedRowCount(rows: RaggedRows): number {
  return rows.rowSplits.length - 1;
}

/** Length of row `row` (in values: tokens or items). No bounds check beyond the typed array's. */
export function raggedRowLength(rows: RaggedRows, row: number): number {
  return rows.rowSplits[row + 1] - rows.rowSplits[row];
}

/**
 * Row `row` as a view (`subarray`, no copy) into `rows.values`: writing to it writes the rows.
 * @throws RangeError when `row` is not an index in `[0, rows)`.
 */
export function raggedRow(rows: RaggedRows, row: number): Int32Array {
  const count = raggedRowCount(rows);
  if (!Number.isInteger(row) || row < 0 || row >= count) {
    throw new RangeError(`raggedRow: row ${String(row)} is out of range; there are ${count} rows`);
  }
  return rows.values.subarray(rows.rowSplits[row], rows.rowSplits[row + 1]);
}

/** Every row's length, `[rows]`. */
export function raggedRowLengths(rows: RaggedRows): Int32Array {
  const count = raggedRowCount(rows);
  const lengths = new Int32Array(Math.max(0, count));
  const splits = rows.rowSplits;
  for (let row = 0; row < count; row++) lengths[row] = splits[row + 1] - splits[row];
  return lengths;
}

/**
 * Checks the invariants of {@link RaggedRows} and returns `rows`: `rowSplits` has at least one
 * entry, starts at 0, never decreases and ends at `values.length`.
 * @param where - named in the error, e.g. `'bucketRows: documents'`.
 * @throws TypeError when a field is not an Int32Array; RangeError naming the first bad split.
 */
export function checkRaggedRows(rows: RaggedRows, where = 'RaggedRows'): RaggedRows {
  if (!(rows?.values instanceof Int32Array) || !(rows.rowSplits instanceof Int32Array)) {
    throw new TypeError(`${where}: values and rowSplits must both be Int32Array`);
  }
  const splits = rows.rowSplits;
  if (splits.length === 0 || splits[0] !== 0) {
    throw new RangeError(
      `${where}: rowSplits must start with 0 (rows + 1 entries), got ${splits.length === 0 ? 'an empty array' : `rowSplits[0] = ${splits[0]}`}`,
    );
  }
  for (let row = 0; row + 1 < splits.length; row++) {
    if (splits[row + 1] < splits[row]) {
      throw new RangeError(
        `${where}: rowSplits must not decrease, but row ${row} ends at ${splits[row + 1]} before it starts at ${splits[row]}`,
      );
    }
  }
  const last = splits[splits.length - 1];
  if (last !== rows.values.length) {
    throw new RangeError(
      `${where}: rowSplits ends at ${last} but there are ${rows.values.length} values; the last split must equal values.length`,
    );
  }
  return rows;
}

/** Row boundaries `[lengths + 1]` from row lengths (prefix sums). */
export function rowSplitsFromLengths(lengths: ArrayLike<number>, where = 'rowSplitsFromLengths'): Int32Array {
  const splits = new Int32Array(lengths.length + 1);
  let total = 0;
  for (let row = 0; row < lengths.length; row++) {
    const length = lengths[row];
    if (!Number.isInteger(length) || length < 0) {
      throw new RangeError(
        `${where}: length of row ${row} must be a non-negative integer, got ${String(length)}`,
      );
    }
    total += length;
    if (total > 0x7fffffff)
      throw new RangeError(`${where}: more than 2^31 - 1 values in all (at row ${row})`);
    splits[row + 1] = total;
  }
  return splits;
}

/**
 * Ragged rows from flat values and each row's length.
 * @param values - the rows concatenated; kept as is (not copied) when it is an Int32Array.
 * @param lengths - `[rows]` non-negative lengths summing to `values.length`.
 * @throws RangeError for a negative or fractional length or when the lengths do not sum to the
 *   number of values.
 */
export function raggedFromLengths(values: ArrayLike<number>, lengths: ArrayLike<number>): RaggedRows {
  const rowSplits = rowSplitsFromLengths(lengths, 'raggedFromLengths');
  const total = rowSplits[rowSplits.length - 1];
  if (total !== values.length) {
    throw new RangeError(
      `raggedFromLengths: the ${lengths.length} row lengths sum to ${total} but there are ${values.length} values`,
    );
  }
  const flat =
    values instanceof Int32Array ? values : toInt32(values, (index) => `value ${index}`, 'raggedFromLengths');
  return { values: flat, rowSplits };
}

/**
 * Ragged rows from an array of rows (arrays or typed arrays of integers), copied into one buffer.
 * @throws RangeError naming the row and position of a value that is not an int32 integer.
 */
export function raggedFromRows(rows: readonly ArrayLike<number>[]): RaggedRows {
  const rowSplits = rowSplitsFromLengths(
    rows.map((row) => row.length),
    'raggedFromRows',
  );
  const values = new Int32Array(rowSplits[rows.length]);
  for (let row = 0; row < rows.length; row++) {
    const source = rows[row];
    const offset = rowSplits[row];
    if (source instanceof Int32Array) {
      values.set(source, offset);
      continue;
    }
    for (let position = 0; position < source.length; position++) {
      const value = source[position];
      if (!isInt32(value)) {
        throw new RangeError(
          `raggedFromRows: row ${row}, position ${position} holds ${String(value)}; values must be integers in [-2^31, 2^31)`,
        );
      }
      values[offset + position] = value;
    }
  }
  return { values, rowSplits };
}

/** The rows as plain arrays (for tests, logging and JSON). */
export function raggedToArrays(rows: RaggedRows): number[][] {
  const result: number[][] = [];
  for (let row = 0; row < raggedRowCount(rows); row++) {
    result.push(Array.from(rows.values.subarray(rows.rowSplits[row], rows.rowSplits[row + 1])));
  }
  return result;
}

/** Options of {@link gatherRagged}. */
export interface GatherRaggedOptions {
  /** Keep at most this many values per row, in values (tokens or items). Default Infinity (no limit). */
  maxLength?: number;
  /** Which end a longer row loses: `'post'` (default) keeps its beginning, `'pre'` its end. */
  truncating?: Side;
}

/**
 * The rows listed in `select`, in that order, copied into new ragged rows (duplicates allowed):
 * e.g. the token rows of a batch's unique documents out of the whole corpus.
 * @param select - row indices in `[0, rows)`.
 * @throws RangeError naming the position of a row index outside `[0, rows)`.
 */
export function gatherRagged(
  rows: RaggedRows,
  select: ArrayLike<number>,
  options: GatherRaggedOptions = {},
): RaggedRows {
  const maxLength = checkCount(options.maxLength ?? Infinity, 'maxLength', 'gatherRagged', 0, true);
  const truncating = checkSide(options.truncating ?? 'post', 'truncating', 'gatherRagged');
  const count = raggedRowCount(rows);
  const splits = rows.rowSplits;
  const rowSplits = new Int32Array(select.length + 1);
  let total = 0;
  for (let position = 0; position < select.length; position++) {
    const row = select[position];
    if (!Number.isInteger(row) || row < 0 || row >= count) {
      throw new RangeError(
        `gatherRagged: select[${position}] = ${String(row)} is not a row index in [0, ${count})`,
      );
    }
    total += Math.min(maxLength, splits[row + 1] - splits[row]);
    rowSplits[position + 1] = total;
  }
  const values = new Int32Array(total);
  for (let position = 0; position < select.length; position++) {
    const row = select[position];
    const kept = rowSplits[position + 1] - rowSplits[position];
    const start = truncating === 'pre' ? splits[row + 1] - kept : splits[row];
    values.set(rows.values.subarray(start, start + kept), rowSplits[position]);
  }
  return { values, rowSplits };
}

function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff;
}

function toInt32(values: ArrayLike<number>, name: (index: number) => string, where: string): Int32Array {
  const result = new Int32Array(values.length);
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (!isInt32(value)) {
      throw new RangeError(
        `${where}: ${name(index)} is ${String(value)}; values must be integers in [-2^31, 2^31)`,
      );
    }
    result[index] = value;
  }
  return result;
}
