import type { RaggedRows } from './ragged-rows';
import { checkRaggedRows, raggedRowCount } from './ragged-rows';
import type { Side } from './side';
import { checkCount, checkSide } from './side';

/**
 * A block of rows padded to one width, the input a text encoder takes for one bucket: ids as a
 * `[rows, width]` int32 tensor and lengths as `[rows]`.
 */
export interface PaddedBlock {
  /** `[rows * width]` values, row-major: row `r` is `ids.subarray(r * width, (r + 1) * width)`. */
  readonly ids: Int32Array;
  /** `[rows]` real (unpadded) length of each row after truncation, in values (tokens or items). */
  readonly lengths: Int32Array;
  /** Padded width of every row, in values. */
  readonly width: number;
}

/** Rows padded (and truncated) to one width by {@link padRows}. */
export interface PaddedRows extends PaddedBlock {
  /** Where the padding went: `'post'` after the real values, `'pre'` before them. */
  readonly padding: Side;
  /** The value written on padded positions. */
  readonly padValue: number;
  /** Rows that lost values to truncation. */
  readonly truncatedRows: number;
}

/** Options of {@link padRows}. Width: `width` if given, else `max(minWidth, min(maxWidth, longest row))`. */
export interface PadOptions {
  /** Exact width, in values; longer rows are truncated. Default: derived from the rows (see {@link PadOptions.maxWidth}). */
  width?: number;
  /** Cap on the derived width, in values; longer rows are truncated. Default Infinity. */
  maxWidth?: number;
  /**
   * Smallest derived width, in values. Default 1, so that rows that are all empty still give a
   * `[rows, 1]` tensor (a width of 0 breaks convolutions). Ignored when `width` is given.
   */
  minWidth?: number;
  /** Where padding goes: `'post'` (default) after the real values, `'pre'` before them. */
  padding?: Side;
  /** Which end a too-long row loses: `'post'` (default) drops its end, `'pre'` its beginning. */
  truncating?: Side;
  /** Value of padded positions. Default 0 (the padding token id of `mars-rec/text`). */
  padValue?: number;
  /** Row indices to pad, in output order (duplicates allowed). Default every row, in order. */
  select?: ArrayLike<number>;
}

/**
 * Pads and truncates ragged rows to one width: the dense `[rows, width]` layout a tensor needs.
 * Runs on typed arrays only (one `set` per row).
 * @returns ids `[rows * width]`, lengths `[rows]` (after truncation) and the width.
 * @throws RangeError for a bad option or a `select` entry that is not a row index.
 *
 * @example
 * ```ts
 * import { padRows } from 'mars-rec';
 *
 * const documents = { values: Int32Array.of(5, 6, 7, 8, 9), rowSplits: Int32Array.of(0, 3, 3, 5) };
 * const padded = padRows(documents, { maxWidth: 2 });
 * console.log(padded.width, padded.ids, padded.lengths); // 2 Int32Array [5, 6, 0, 0, 8, 9] Int32Array [2, 0, 2]
 * ```
 */
export function padRows(rows: RaggedRows, options: PadOptions = {}): PaddedRows {
  const where = 'padRows';
  checkRaggedRows(rows, `${where}: rows`);
  const padding = checkSide(options.padding ?? 'post', 'padding', where);
  const truncating = checkSide(options.truncating ?? 'post', 'truncating', where);
  const padValue = options.padValue ?? 0;
  if (!Number.isInteger(padValue) || padValue < -0x80000000 || padValue > 0x7fffffff) {
    throw new RangeError(`${where}: padValue must be an int32 integer, got ${String(padValue)}`);
  }
  const count = raggedRowCount(rows);
  const splits = rows.rowSplits;
  const select = options.select;
  const outputRows = select === undefined ? count : select.length;
  const source = (position: number): number => {
    if (select === undefined) return position;
    const row = select[position];
    if (!Number.isInteger(row) || row < 0 || row >= count) {
      throw new RangeError(
        `${where}: select[${position}] = ${String(row)} is not a row index in [0, ${count})`,
      );
    }
    return row;
  };

  let width: number;
  if (options.width !== undefined) {
    width = checkCount(options.width, 'width', where, 0);
  } else {
    const maxWidth = checkCount(options.maxWidth ?? Infinity, 'maxWidth', where, 0, true);
    const minWidth = checkCount(options.minWidth ?? 1, 'minWidth', where, 0);
    let longest = 0;
    for (let position = 0; position < outputRows; position++) {
      const row = source(position);
      longest = Math.max(longest, splits[row + 1] - splits[row]);
    }
    width = Math.max(minWidth, Math.min(maxWidth, longest));
  }

  const ids = new Int32Array(outputRows * width);
  if (padValue !== 0) ids.fill(padValue);
  const lengths = new Int32Array(outputRows);
  let truncatedRows = 0;
  for (let position = 0; position < outputRows; position++) {
    const row = source(position);
    const full = splits[row + 1] - splits[row];
    const kept = Math.min(full, width);
    if (kept < full) truncatedRows++;
    const start = truncating === 'pre' ? splits[row + 1] - kept : splits[row];
    const target = position * width + (padding === 'post' ? 0 : width - kept);
    ids.set(rows.values.subarray(start, start + kept), target);
    lengths[position] = kept;
  }
  return { ids, lengths, width, padding, padValue, truncatedRows };
}

/**
 * The inverse of {@link padRows}: the real values of each padded row as ragged rows (what was
 * kept after truncation).
 * @param padded - a padded block; `padding` says where the padding is (default `'post'`).
 * @throws RangeError when `ids` is not `lengths.length * width` long or a length exceeds the width.
 */
export function unpadRows(padded: PaddedBlock & { readonly padding?: Side }): RaggedRows {
  const where = 'unpadRows';
  const { ids, lengths, width } = padded;
  const padding = checkSide(padded.padding ?? 'post', 'padding', where);
  checkCount(width, 'width', where, 0);
  if (ids.length !== lengths.length * width) {
    throw new RangeError(
      `${where}: ids has ${ids.length} values but ${lengths.length} rows x width ${width} = ${lengths.length * width}`,
    );
  }
  const rowSplits = new Int32Array(lengths.length + 1);
  for (let row = 0; row < lengths.length; row++) {
    const length = lengths[row];
    if (length < 0 || length > width) {
      throw new RangeError(`${where}: row ${row} has length ${length}, outside [0, width = ${width}]`);
    }
    rowSplits[row + 1] = rowSplits[row] + length;
  }
  const values = new Int32Array(rowSplits[lengths.length]);
  for (let row = 0; row < lengths.length; row++) {
    const start = row * width + (padding === 'post' ? 0 : width - lengths[row]);
    values.set(ids.subarray(start, start + lengths[row]), rowSplits[row]);
  }
  return { values, rowSplits };
}
