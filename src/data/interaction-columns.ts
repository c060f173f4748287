import type { CsrMatrix, TimestampArray } from './csr';

/** Options of {@link InteractionColumns}. */
export interface InteractionColumnsOptions {
  /**
   * Rows to reserve up front, from the source's row count or an estimate: the columns are
   * allocated once and never copied when the estimate holds (pages never written cost no
   * memory, so a generous estimate is cheap). Default 1,024; the columns grow by half when full.
   */
  capacity?: number;
  /** Keep a rating column (`Float64Array`, exact; 8 bytes an interaction). Default false. */
  ratings?: boolean;
  /** Keep a timestamp column. Default true; dropped by itself at the first interaction without one. */
  timestamps?: boolean;
}

/** A user-by-item matrix built by {@link InteractionColumns.toCsr}, with ratings aligned when kept. */
export interface CompactInteractions {
  /** Users x items, rows sorted by item, de-duplicated; `timestamps` when every interaction had one. */
  matrix: CsrMatrix;
  /** Ratings aligned with `matrix.indices` (NaN where unknown), when a rating column was kept. */
  ratings?: Float64Array;
}

const TWO_POW_32 = 4294967296;

/**
 * Interactions appended into growable typed-array columns (user and item indices as `Int32`,
 * timestamps as `Uint32` Unix seconds while every one is an integer in [0, 2^32), else
 * `Float64`; ratings as `Float64` when kept): 12 bytes an interaction with timestamps, 8 without.
 * {@link InteractionColumns.toCsr} then groups them by user in place, without a second copy.
 *
 * @example
 * ```ts
 * import { InteractionColumns } from 'mars-rec/data';
 *
 * const columns = new InteractionColumns({ capacity: 4, ratings: true });
 * columns.push(1, 0, 1_700_000_000, 4); // user 1, item 0, timestamp, rating
 * columns.push(0, 2, 1_700_000_050, 5);
 * columns.push(0, 1, 1_700_000_020, NaN); // no rating
 * const { matrix, ratings } = columns.toCsr(2, 3); // 2 users x 3 items
 * console.log(Array.from(matrix.offsets), Array.from(matrix.indices)); // [0, 2, 3] [1, 2, 0]
 * console.log(ratings); // Float64Array [NaN, 5, 4]
 * ```
 */
export class InteractionColumns {
  private users: Int32Array;
  private items: Int32Array;
  private times?: TimestampArray;
  private ratingColumn?: Float64Array;
  private count = 0;
  private timed: boolean;

  /** @param options - see {@link InteractionColumnsOptions}. */
  constructor(options: InteractionColumnsOptions = {}) {
    const capacity = Math.max(16, Math.ceil(options.capacity ?? 1024));
    this.users = new Int32Array(capacity);
    this.items = new Int32Array(capacity);
    this.timed = options.timestamps ?? true;
    if (this.timed) this.times = new Uint32Array(capacity);
    if (options.ratings) this.ratingColumn = new Float64Array(capacity);
  }

  /** Interactions appended. */
  get length(): number {
    return this.count;
  }

  /** Whether every interaction so far had a timestamp (and timestamps are kept). */
  get hasTimestamps(): boolean {
    return this.timed;
  }

  /** Bytes allocated by the columns (reserved capacity included). */
  get byteLength(): number {
    return (
      this.users.byteLength +
      this.items.byteLength +
      (this.times?.byteLength ?? 0) +
      (this.ratingColumn?.byteLength ?? 0)
    );
  }

  /**
   * Appends one interaction.
   * @param user - dense user index.
   * @param item - dense item index.
   * @param timestamp - Unix seconds, or NaN when unknown (which drops the timestamp column).
   * @param rating - the rating, NaN when unknown (ignored without a rating column).
   */
  push(user: number, item: number, timestamp: number, rating: number): void {
    const at = this.count;
    if (at === this.users.length) this.grow(at + 1);
    this.users[at] = user;
    this.items[at] = item;
    if (this.timed) {
      const times = this.times as TimestampArray;
      if (
        times instanceof Uint32Array &&
        !(timestamp >= 0 && timestamp < TWO_POW_32 && timestamp % 1 === 0)
      ) {
        if (Number.isNaN(timestamp)) this.dropTimestamps();
        else {
          // only the rows so far are copied: the capacity beyond stays untouched (not resident)
          const wide = new Float64Array(times.length);
          wide.set(times.subarray(0, at));
          wide[at] = timestamp;
          this.times = wide;
        }
      } else times[at] = timestamp;
    }
    if (this.ratingColumn) this.ratingColumn[at] = rating;
    this.count = at + 1;
  }

  /**
   * Appends `count` interactions at once (as {@link InteractionColumns.push} would, one by one):
   * `users[k]`, `items[k]`, `times[k]` (NaN when unknown) and `ratings[k]` for `k < count`.
   */
  append(
    users: Int32Array,
    items: Int32Array,
    times: Float64Array,
    ratings: Float64Array,
    count: number,
  ): void {
    const at = this.count;
    if (at + count > this.users.length) this.grow(at + count);
    this.users.set(users.subarray(0, count), at);
    this.items.set(items.subarray(0, count), at);
    if (this.ratingColumn) this.ratingColumn.set(ratings.subarray(0, count), at);
    const column = this.timed ? this.times : undefined;
    // the first timestamp the column cannot hold (NaN; beyond Uint32) and the rest go one by one
    let held = count;
    if (column instanceof Uint32Array) {
      for (let k = 0; k < count; k++) {
        const time = times[k];
        if (!(time >= 0 && time < TWO_POW_32 && time % 1 === 0)) {
          held = k;
          break;
        }
        column[at + k] = time;
      }
    } else if (column) {
      for (let k = 0; k < count; k++) {
        const time = times[k];
        if (Number.isNaN(time)) {
          held = k;
          break;
        }
        column[at + k] = time;
      }
    }
    this.count = at + held;
    for (let k = held; k < count; k++) this.push(users[k], items[k], times[k], ratings[k]);
  }

  /** Makes room for `extra` more interactions (grows once instead of on many pushes). */
  reserve(extra: number): void {
    if (this.count + extra > this.users.length) this.grow(this.count + extra);
  }

  /**
   * Groups the interactions by user into a CSR matrix, in place: a counting sort that moves each
   * interaction straight to its row (the columns themselves become the matrix; only the row
   * offsets are new), then each row sorted by item and de-duplicated: a repeated (user, item)
   * keeps the latest timestamp and the highest rating. The columns are consumed.
   *
   * @param rowCount - number of users (every user index is below it).
   * @param columnCount - number of items (every item index is below it).
   */
  toCsr(rowCount: number, columnCount: number): CompactInteractions {
    const n = this.count;
    const users = this.users;
    const items = this.items;
    const times = this.timed && n > 0 ? this.times : undefined;
    const ratings = this.ratingColumn;
    this.users = new Int32Array(0);
    this.items = new Int32Array(0);
    this.times = undefined;
    this.ratingColumn = undefined;
    this.count = 0;

    const offsets = new Int32Array(rowCount + 1);
    for (let p = 0; p < n; p++) offsets[users[p] + 1]++;
    for (let user = 0; user < rowCount; user++) offsets[user + 1] += offsets[user];
    // American flag sort (MSD radix, in place), in two levels so each level's moves stay within a
    // cache-sized region: first by the user's high bits into 256 to 4,096 blocks of ~32k entries
    // (the blocks' write heads stay in cache), then by user within each block
    const blockLimit = Math.max(256, Math.min(4096, n / 32768));
    let shift = 0;
    while (rowCount > 0 && (rowCount - 1) >>> shift >= blockLimit) shift++;
    const blocks = rowCount === 0 ? 0 : ((rowCount - 1) >>> shift) + 1;
    const blockNext = new Int32Array(blocks);
    const blockEnd = new Int32Array(blocks);
    for (let block = 0; block < blocks; block++) {
      blockNext[block] = offsets[block << shift];
      blockEnd[block] = offsets[Math.min(rowCount, (block + 1) << shift)];
    }
    if (shift > 0) flagSort(users, items, times, ratings, blockNext, blockEnd, 0, shift);
    // then by user within each block, with cursors for that block's users only
    const secondLevelBlocks = shift > 0 ? blocks : Math.min(1, rowCount);
    for (let block = 0; block < secondLevelBlocks; block++) {
      const first = block << shift;
      const last = shift > 0 ? Math.min(rowCount, (block + 1) << shift) : rowCount;
      const next = offsets.slice(first, last);
      flagSort(users, items, times, ratings, next, offsets.subarray(first + 1, last + 1), first, 0);
    }
    const kept = sortRowsInPlace(offsets, items, times, ratings);
    const matrix: CsrMatrix = {
      rowCount,
      columnCount,
      offsets,
      indices: items.subarray(0, kept),
      ...(times ? { timestamps: times.subarray(0, kept) } : {}),
    };
    return ratings ? { matrix, ratings: ratings.subarray(0, kept) } : { matrix };
  }

  private grow(needed: number): void {
    const capacity = Math.max(needed, Math.ceil(this.users.length * 1.5));
    this.users = resize(this.users, capacity);
    this.items = resize(this.items, capacity);
    if (this.times) this.times = resize(this.times, capacity);
    if (this.ratingColumn) this.ratingColumn = resize(this.ratingColumn, capacity);
  }

  private dropTimestamps(): void {
    this.timed = false;
    this.times = undefined;
  }
}

/**
 * Moves every entry to its bucket `(users[p] - base) >>> shift`, in place: `next[b]` is the first
 * place of bucket b not yet holding one of its entries, `end[b]` its end. Buckets are visited in
 * order, so each entry moves at most once.
 */
function flagSort(
  users: Int32Array,
  items: Int32Array,
  times: TimestampArray | undefined,
  ratings: Float64Array | undefined,
  next: Int32Array,
  end: Int32Array,
  base: number,
  shift: number,
): void {
  for (let bucket = 0; bucket < next.length; bucket++) {
    const bucketEnd = end[bucket];
    let p = next[bucket];
    while (p < bucketEnd) {
      const owner = (users[p] - base) >>> shift;
      if (owner === bucket) {
        p++;
        continue;
      }
      // move the entry at p to its bucket, bring back the entry that was there
      const q = next[owner]++;
      const user = users[p];
      users[p] = users[q];
      users[q] = user;
      const item = items[p];
      items[p] = items[q];
      items[q] = item;
      if (times) {
        const time = times[p];
        times[p] = times[q];
        times[q] = time;
      }
      if (ratings) {
        const rating = ratings[p];
        ratings[p] = ratings[q];
        ratings[q] = rating;
      }
    }
    next[bucket] = p;
  }
}

function resize<T extends Int32Array | Uint32Array | Float64Array>(array: T, length: number): T {
  const resized = new (array.constructor as new (length: number) => T)(length);
  resized.set(array.subarray(0, Math.min(array.length, length)));
  return resized;
}

function maxKnown(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return a > b ? a : b;
}

/**
 * Sorts every row of a CSR matrix by item, merging repeated items (latest timestamp, highest
 * rating), and compacts the rows to the left in place; rewrites `offsets`. Returns the entries
 * kept.
 */
function sortRowsInPlace(
  offsets: Int32Array,
  items: Int32Array,
  times: TimestampArray | undefined,
  ratings: Float64Array | undefined,
): number {
  const rowCount = offsets.length - 1;
  let scratch: RowScratch | undefined;
  let write = 0;
  let start = offsets[0];
  for (let user = 0; user < rowCount; user++) {
    const end = offsets[user + 1];
    const length = end - start;
    offsets[user] = write;
    if (length > 0) {
      if (length <= 24) insertionSortRow(items, times, ratings, start, end);
      else {
        scratch = RowScratch.atLeast(scratch, length, times, ratings);
        scratch.sortRow(items, times, ratings, start, end);
      }
      // merge repeats while moving the row left to `write`
      let last = -1;
      for (let p = start; p < end; p++) {
        const item = items[p];
        if (item === last) {
          if (times) times[write - 1] = maxKnown(times[write - 1], times[p]);
          if (ratings) ratings[write - 1] = maxKnown(ratings[write - 1], ratings[p]);
          continue;
        }
        items[write] = item;
        if (times) times[write] = times[p];
        if (ratings) ratings[write] = ratings[p];
        write++;
        last = item;
      }
    }
    start = end;
  }
  offsets[rowCount] = write;
  return write;
}

function insertionSortRow(
  items: Int32Array,
  times: TimestampArray | undefined,
  ratings: Float64Array | undefined,
  start: number,
  end: number,
): void {
  for (let p = start + 1; p < end; p++) {
    const item = items[p];
    if (items[p - 1] <= item) continue;
    const time = times ? times[p] : 0;
    const rating = ratings ? ratings[p] : 0;
    let q = p - 1;
    while (q >= start && items[q] > item) {
      items[q + 1] = items[q];
      if (times) times[q + 1] = times[q];
      if (ratings) ratings[q + 1] = ratings[q];
      q--;
    }
    items[q + 1] = item;
    if (times) times[q + 1] = time;
    if (ratings) ratings[q + 1] = rating;
  }
}

/** Reusable buffers for sorting long rows: keys `item * length + position`, sorted natively. */
class RowScratch {
  private constructor(
    readonly keys: Float64Array,
    readonly items: Int32Array,
    readonly times: Float64Array,
    readonly ratings: Float64Array,
  ) {}

  static atLeast(
    current: RowScratch | undefined,
    length: number,
    times: TimestampArray | undefined,
    ratings: Float64Array | undefined,
  ): RowScratch {
    if (current && current.keys.length >= length) return current;
    const size = Math.max(length, (current?.keys.length ?? 0) * 2);
    return new RowScratch(
      new Float64Array(size),
      new Int32Array(size),
      new Float64Array(times ? size : 0),
      new Float64Array(ratings ? size : 0),
    );
  }

  sortRow(
    items: Int32Array,
    times: TimestampArray | undefined,
    ratings: Float64Array | undefined,
    start: number,
    end: number,
  ): void {
    const length = end - start;
    const keys = this.keys.subarray(0, length);
    // item * length + position is exact below 2^53 (items < 2^31, rows < 2^22 entries)
    if (length < 4194304) {
      for (let k = 0; k < length; k++) keys[k] = items[start + k] * length + k;
      keys.sort();
    } else {
      const order = Array.from({ length }, (_, k) => k).sort(
        (a, b) => items[start + a] - items[start + b] || a - b,
      );
      for (let k = 0; k < length; k++) keys[k] = order[k];
    }
    const exact = length < 4194304;
    for (let k = 0; k < length; k++) {
      this.items[k] = items[start + k];
      if (times) this.times[k] = times[start + k];
      if (ratings) this.ratings[k] = ratings[start + k];
    }
    for (let k = 0; k < length; k++) {
      const position = exact ? keys[k] % length : keys[k];
      items[start + k] = this.items[position];
      if (times) times[start + k] = this.times[position];
      if (ratings) ratings[start + k] = this.ratings[position];
    }
  }
}

let sharedScratch: RowScratch | undefined;

/**
 * Sorts `items[start, end)` ascending, moving `times` along (no de-duplication): insertion sort
 * for short rows, a native sort of packed keys for long ones.
 */
export function sortSegmentByItem(
  items: Int32Array,
  times: TimestampArray | undefined,
  start: number,
  end: number,
): void {
  if (end - start <= 24) insertionSortRow(items, times, undefined, start, end);
  else {
    sharedScratch = RowScratch.atLeast(sharedScratch, end - start, times ?? new Float64Array(1), undefined);
    sharedScratch.sortRow(items, times, undefined, start, end);
  }
}
