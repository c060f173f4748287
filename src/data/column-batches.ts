import { IdInterner } from './id-interner';
import { InteractionColumns } from './interaction-columns';
import { DataFormatError } from './loaders';
import type { ReadInteractionsOptions, StreamedInteractions } from './streaming-csv';
import { NumericUserBatch } from './user-batch';

/**
 * One batch of interaction rows from a columnar source (Parquet through DuckDB, Arrow IPC): the
 * ids as numbers where they are canonical integers, the other values read one by one.
 */
export interface InteractionBatch {
  /** Rows in the batch. */
  count: number;
  /**
   * User ids that are integers in [0, 10^15) (the ids the interners keep as numbers), NaN for
   * any other id (a string, a negative or larger number, null): those are read by `userAt`.
   */
  userKeys: Float64Array;
  /** The user id of row `k` as the source holds it (string, number, bigint, or null when missing). */
  userAt(k: number): unknown;
  /** Item ids as for `userKeys`. */
  itemKeys: Float64Array;
  /** The item id of row `k` as the source holds it. */
  itemAt(k: number): unknown;
  /** Unix seconds, NaN when unknown (or when the source has no timestamp column). */
  times: Float64Array;
  /** Ratings, NaN when unknown (or when the source has no rating column). */
  ratings: Float64Array;
}

/** What a columnar source says about its columns before the first batch. */
export interface ColumnarShape {
  /** Rows in the source (reserved up front). */
  rowCount: number;
  /** Whether the source has a timestamp column. */
  timestamps: boolean;
  /** Whether the source has a rating column. */
  ratings: boolean;
}

/** File names read as Arrow IPC: `.arrow`, `.arrows`, `.feather` (v2), `.ipc`. */
export const ARROW_FILE = /\.(arrow|arrows|feather|ipc)$/i;

/** Largest id kept as a number: 15 digits, as for CSV (`canonicalIntegerOf`). */
const NUMERIC_ID_LIMIT = 1e15;

/**
 * Turns batches of columns into the compact columns of {@link readInteractionsCsv}: the same
 * rating filter, unknown-item handling, interning and errors (naming the source and the 1-based
 * row) as every other reader. Ids that are numbers go through the interners' batched lookups.
 */
export class ColumnBatchIngester {
  private readonly users: IdInterner;
  private readonly items: IdInterner;
  private readonly lookupItems: boolean;
  private readonly output: InteractionColumns;
  private readonly batch: NumericUserBatch;
  private row = 0;
  private unknown = 0;
  private belowMinRating = 0;

  /**
   * @param source - the file, for errors.
   * @param options - as for {@link readInteractionsCsv}.
   * @param shape - the source's row count and optional columns.
   */
  constructor(
    private readonly source: string,
    private readonly options: ReadInteractionsOptions,
    shape: ColumnarShape,
  ) {
    this.users = options.users ?? new IdInterner();
    this.lookupItems = options.items !== undefined;
    this.items = options.items ?? new IdInterner();
    this.output = new InteractionColumns({
      capacity: shape.rowCount,
      ratings: shape.ratings && (options.keepRatings ?? true),
      timestamps: shape.timestamps,
    });
    this.batch = new NumericUserBatch(this.users, this.output);
  }

  /** Rows taken so far. */
  get rows(): number {
    return this.row;
  }

  /** Takes the rows of one batch, in order. */
  add(batch: InteractionBatch): void {
    if (this.addNumeric(batch)) return;
    const { count, userKeys, itemKeys, times, ratings } = batch;
    const { minRating, onUnknownItem } = this.options;
    const items = this.items;
    const lookupItems = this.lookupItems;
    const pending = this.batch;
    for (let k = 0; k < count; k++) {
      const row = ++this.row;
      const rating = ratings[k];
      if (minRating !== undefined && rating < minRating) {
        this.belowMinRating++;
        continue;
      }
      const itemKey = itemKeys[k];
      let item: number;
      if (itemKey === itemKey && items.isNumeric) {
        item = lookupItems ? items.findNumber(itemKey) : items.internNumber(itemKey);
      } else {
        const value = batch.itemAt(k);
        if (value === null || value === undefined || value === '')
          throw new DataFormatError(this.source, row, 'empty item field');
        item = this.intern(items, value, !lookupItems, 'item', row);
      }
      if (item < 0) {
        if (onUnknownItem === 'error') {
          const id = itemKey === itemKey ? String(itemKey) : String(batch.itemAt(k));
          throw new DataFormatError(this.source, row, `item '${id}' is not among the items`);
        }
        this.unknown++;
        continue;
      }
      const userKey = userKeys[k];
      if (userKey === userKey && this.users.isNumeric) {
        pending.push(userKey, item, times[k], rating);
        continue;
      }
      pending.flush();
      const value = batch.userAt(k);
      if (value === null || value === undefined || value === '')
        throw new DataFormatError(this.source, row, 'empty user field');
      this.output.push(this.intern(this.users, value, true, 'user', row), item, times[k], rating);
    }
  }

  /**
   * The whole batch at once when every id in it is a number the interners keep as such: rating
   * filter and unknown items by compaction, then one batched lookup for the items and one for
   * the users, then a bulk append. Returns false (having changed nothing) to leave the batch to
   * the row-by-row path: an id that is not a number, or an unknown item that is an error.
   */
  private addNumeric(batch: InteractionBatch): boolean {
    const { count } = batch;
    if (!this.users.isNumeric || !this.items.isNumeric) return false;
    const { userKeys, itemKeys } = batch;
    for (let k = 0; k < count; k++) {
      if (userKeys[k] !== userKeys[k] || itemKeys[k] !== itemKeys[k]) return false;
    }
    const scratch = this.scratchFor(count);
    let users = userKeys;
    let itemIds = itemKeys;
    let times = batch.times;
    let ratings = batch.ratings;
    let kept = count;
    const { minRating } = this.options;
    if (minRating !== undefined) {
      kept = 0;
      for (let k = 0; k < count; k++) {
        if (ratings[k] < minRating) continue;
        scratch.users[kept] = users[k];
        scratch.itemIds[kept] = itemIds[k];
        scratch.times[kept] = times[k];
        scratch.ratings[kept] = ratings[k];
        kept++;
      }
      ({ users, itemIds, times, ratings } = scratch);
    }
    const items = scratch.itemIndices;
    this.items.internNumbers(itemIds, kept, items, !this.lookupItems);
    let known = kept;
    for (let k = 0; k < kept; k++) if (items[k] < 0) known--;
    if (known < kept) {
      if (this.options.onUnknownItem === 'error') return false;
      let write = 0;
      for (let k = 0; k < kept; k++) {
        if (items[k] < 0) continue;
        items[write] = items[k];
        scratch.users[write] = users[k];
        scratch.times[write] = times[k];
        scratch.ratings[write] = ratings[k];
        write++;
      }
      ({ users, times, ratings } = scratch);
    }
    this.batch.flush(); // rows held from earlier batches go first
    this.users.internNumbers(users, known, scratch.userIndices);
    this.output.append(scratch.userIndices, items, times, ratings, known);
    this.row += count;
    this.belowMinRating += count - kept;
    this.unknown += kept - known;
    return true;
  }

  private scratch?: {
    users: Float64Array;
    itemIds: Float64Array;
    times: Float64Array;
    ratings: Float64Array;
    itemIndices: Int32Array;
    userIndices: Int32Array;
  };

  private scratchFor(count: number): NonNullable<ColumnBatchIngester['scratch']> {
    if (!this.scratch || this.scratch.users.length < count) {
      const size = Math.max(count, 2048);
      this.scratch = {
        users: new Float64Array(size),
        itemIds: new Float64Array(size),
        times: new Float64Array(size),
        ratings: new Float64Array(size),
        itemIndices: new Int32Array(size),
        userIndices: new Int32Array(size),
      };
    }
    return this.scratch;
  }

  /** The columns and the id dictionaries read. */
  finish(): StreamedInteractions {
    this.batch.flush();
    return {
      columns: this.output,
      users: this.users,
      items: this.items,
      rows: this.row,
      unknownItemInteractions: this.unknown,
      belowMinRating: this.belowMinRating,
    };
  }

  /**
   * Interns an id as the source holds it: a string as it is, an integer as its decimal text. A
   * floating-point number must be an integer within 2^53 (beyond, neighbouring ids would merge).
   * Returns -1 for an absent item when not adding.
   */
  private intern(interner: IdInterner, value: unknown, add: boolean, what: string, row: number): number {
    let id: string;
    if (typeof value === 'string') id = value;
    else if (typeof value === 'bigint') id = value.toString();
    else if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) {
        throw new DataFormatError(
          this.source,
          row,
          `${what} id ${value} is not an integer within 2^53 (neighbouring ids would merge); store ids as integers or strings`,
        );
      }
      if (value >= 0 && value < NUMERIC_ID_LIMIT)
        return add ? interner.internNumber(value) : interner.findNumber(value);
      id = String(value);
    } else id = String(value);
    return add ? interner.internString(id) : (interner.indexOf(id) ?? -1);
  }
}

/**
 * Fills `keys[0, count)` from 64-bit integers given as little-endian int32 pairs (`words[2k]`
 * low, `words[2k + 1]` high): the value where it is in [0, 10^15), NaN elsewhere. No BigInt is
 * made.
 */
export function keysFromInt64Words(words: Int32Array, count: number, keys: Float64Array): void {
  for (let k = 0; k < count; k++) {
    const high = words[2 * k + 1];
    // 10^15 < 2^50: a high word in [0, 2^18] covers it; the exact bound is checked after
    const value = high >= 0 && high <= 262144 ? high * 4294967296 + (words[2 * k] >>> 0) : NaN;
    keys[k] = value < NUMERIC_ID_LIMIT ? value : NaN;
  }
}

/** Fills `keys[0, count)` from 32-bit (or narrower) integers: the value where it is >= 0, else NaN. */
export function keysFromIntegers(values: ArrayLike<number>, count: number, keys: Float64Array): void {
  for (let k = 0; k < count; k++) {
    const value = values[k];
    keys[k] = value >= 0 ? value : NaN;
  }
}
