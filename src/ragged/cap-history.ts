import { checkCount } from './side';

/**
 * Rows of item indices with optional per-entry timestamps: a users x items CSR matrix
 * (structural; `CsrMatrix` of `mars-rec/data` fits).
 */
export interface TimedRows {
  /** Row start offsets, length rows + 1. */
  readonly offsets: Int32Array;
  /** Item indices of each row. */
  readonly indices: Int32Array;
  /** Per-entry timestamps (any unit; later is larger; NaN where unknown), aligned with `indices`. */
  readonly timestamps?: Float64Array | Uint32Array;
}

/**
 * The one rule by which every path of mars-rec caps a history (training memory, evaluation,
 * recommendations, explanations, the CLI): a history is a list of item indices oldest first, and
 * a capped history keeps its last `maxHistory` items, the most recent ones.
 * @param history - item indices, oldest first.
 * @param maxHistory - the cap, in items (an integer >= 0).
 * @returns the last `maxHistory` entries, as a view of `history` (no copy).
 * @throws RangeError when `maxHistory` is not an integer >= 0.
 *
 * @example
 * ```ts
 * import { capHistory } from 'mars-rec';
 *
 * capHistory(Int32Array.of(4, 8, 15, 16, 23, 42), 3); // Int32Array [16, 23, 42]: the most recent
 * ```
 */
export function capHistory(history: Int32Array, maxHistory: number): Int32Array {
  checkCount(maxHistory, 'maxHistory', 'capHistory', 0);
  return history.length <= maxHistory ? history : history.subarray(history.length - maxHistory);
}

/**
 * The positions (into `indices`) of a row's entries, oldest first: by timestamp when the rows
 * have them (unknown, NaN, times first; ties keep the row order), in row order otherwise.
 * @param rows - the matrix.
 * @param row - the row (user) index.
 */
export function chronologicalPositions(rows: TimedRows, row: number): Int32Array {
  const start = rows.offsets[row];
  const end = rows.offsets[row + 1];
  const positions = Int32Array.from({ length: end - start }, (_, k) => start + k);
  const times = rows.timestamps;
  if (times) positions.sort((a, b) => timeOrder(times[a], times[b]) || a - b);
  return positions;
}

/**
 * A row of a users x items matrix as a history for the model: its items oldest first (see
 * {@link chronologicalPositions}), capped by {@link capHistory}. Evaluation, the CLI and
 * `UserSplit.historyOf` all read a user's memory through this function.
 * @param rows - the matrix (usually the training positives).
 * @param row - the row (user) index.
 * @param maxHistory - the cap, in items. Default: no cap.
 * @returns item indices, oldest first; a copy when timestamps reorder the row, else a view.
 *
 * @example
 * ```ts
 * import { historyOfRow } from 'mars-rec';
 * import { rowsToCsr } from 'mars-rec/data';
 *
 * // user 0 saw item 5 (time 300), item 2 (time 100), item 9 (time 200); rows are sorted by item
 * const train = rowsToCsr([[5, 2, 9]], 10, [[300, 100, 200]]);
 * historyOfRow(train, 0); // Int32Array [2, 9, 5]: oldest first
 * historyOfRow(train, 0, 2); // Int32Array [9, 5]
 * ```
 */
export function historyOfRow(rows: TimedRows, row: number, maxHistory = Infinity): Int32Array {
  const start = rows.offsets[row];
  const end = rows.offsets[row + 1];
  const ordered = rows.timestamps
    ? Int32Array.from(chronologicalPositions(rows, row), (position) => rows.indices[position])
    : rows.indices.subarray(start, end);
  return maxHistory === Infinity ? ordered : capHistory(ordered, maxHistory);
}

/**
 * The memories of many users: {@link historyOfRow} of each row in `users`, the histories that
 * full-ranking evaluation scores (`MarsModel.evaluate`, and a model composed by hand).
 * @param rows - the matrix (usually the training positives).
 * @param users - row (user) indices.
 * @param maxHistory - the cap, in items. Default: no cap.
 * @returns one history per user, oldest first.
 */
export function historiesOfRows(
  rows: TimedRows,
  users: ArrayLike<number>,
  maxHistory = Infinity,
): Int32Array[] {
  return Array.from(users, (user) => historyOfRow(rows, user, maxHistory));
}

function timeOrder(a: number, b: number): number {
  const aKnown = !Number.isNaN(a);
  const bKnown = !Number.isNaN(b);
  if (aKnown && bKnown) return a - b;
  return Number(aKnown) - Number(bKnown); // unknown times count as the oldest
}
