import { historyOfRow } from '../ragged/cap-history';
import { SeededRandom } from '../random/seeded-random';
import { decodeStrings, encodeStrings, readBinaryFile, writeBinaryFile } from './binary-file';
import type { BinaryColumn, BinaryFileContents } from './binary-file';
import type { CsrMatrix, TimestampArray } from './csr';
import { IdInterner } from './id-interner';
import type { IdList } from './id-interner';
import { sortSegmentByItem } from './interaction-columns';
import type { InteractionDataset } from './interaction-dataset';
import { selectIds } from './subset';

/** How each user's items are divided. */
export type SplitStrategy = 'random' | 'chronological' | 'leave-last-out';

/** Options of {@link splitPerUser}. */
export interface SplitOptions {
  /** Share of each user's items for training (report: 0.3). Default 0.3. */
  trainFraction?: number;
  /**
   * `'random'` (default; seeded), `'chronological'` (oldest items train, newest test; needs
   * timestamps), or `'leave-last-out'` (the newest item is the test, the one before it the
   * validation, the rest train; needs timestamps).
   */
  strategy?: SplitStrategy;
  /** Seed of the random strategy. Default 1. */
  seed?: number;
  /** Users with fewer items are dropped (and counted). Default 3. */
  minItemsPerUser?: number;
}

/** The JSON form of a {@link UserSplit}: ids instead of indices, so it survives re-indexing. */
export interface UserSplitJson {
  /** Format tag. */
  format: 'mars-rec/split';
  /** Format version. */
  version: 1;
  /** How the split was made. */
  options: Required<SplitOptions>;
  /** Item ids, by the split's item index. */
  itemIds: string[];
  /** User ids, by row. */
  userIds: string[];
  /** Per part, per user: item indices. */
  train: number[][];
  /** Validation rows. */
  validation: number[][];
  /** Test rows. */
  test: number[][];
  /**
   * Unix seconds of each entry of `train`, `validation` and `test`, aligned with their rows, when
   * the dataset had timestamps (absent otherwise; version-1 files without them still load).
   */
  timestamps?: { train: number[][]; validation: number[][]; test: number[][] };
}

/**
 * A per-user split of a dataset into train, validation and test, all users x items over the same
 * index spaces (rows are the kept users, `userIds`; columns the dataset's items).
 *
 * Rounding (the report's reading): n_train = max(1, floor(trainFraction x n)), validation =
 * floor((n - n_train) / 2), test = the rest, so test takes the odd item; users with fewer than
 * `minItemsPerUser` items are dropped and counted.
 *
 * @example
 * ```ts
 * import { loadDataset, splitPerUser, UserSplit } from 'mars-rec/data';
 *
 * const { dataset } = await loadDataset({ items: 'items.jsonl', interactions: 'interactions.csv' });
 * const split = splitPerUser(dataset, { trainFraction: 0.3, seed: 1 });
 * console.log(split.train.rowCount, split.droppedUsers, split.historyOf(split.userIds[0]));
 * await split.save('runs/split.bin'); // the exact split, to evaluate on later
 * const again = await UserSplit.load('runs/split.bin');
 * ```
 */
export class UserSplit {
  /** Training positives. */
  readonly train: CsrMatrix;
  /** Validation positives. */
  readonly validation: CsrMatrix;
  /** Test positives. */
  readonly test: CsrMatrix;
  /** User ids, one per row (compact; {@link UserSplit.userIds} as an array). */
  readonly users: IdList;
  /** Item ids, one per column. */
  readonly itemIds: readonly string[];
  /** Users dropped for having fewer than `minItemsPerUser` items. */
  readonly droppedUsers: number;
  /** The options used. */
  readonly options: Required<SplitOptions>;
  private userIdArray?: readonly string[];

  /** @internal */
  constructor(parts: {
    train: CsrMatrix;
    validation: CsrMatrix;
    test: CsrMatrix;
    users: IdList | readonly string[];
    itemIds: readonly string[];
    droppedUsers: number;
    options: Required<SplitOptions>;
  }) {
    this.train = parts.train;
    this.validation = parts.validation;
    this.test = parts.test;
    if (Array.isArray(parts.users)) this.userIdArray = parts.users as readonly string[];
    this.users = Array.isArray(parts.users)
      ? IdInterner.fromIds(parts.users as readonly string[])
      : (parts.users as IdList);
    this.itemIds = parts.itemIds;
    this.droppedUsers = parts.droppedUsers;
    this.options = parts.options;
  }

  /** User ids as an array (made on first use: one string per user; prefer {@link UserSplit.users}). */
  get userIds(): readonly string[] {
    this.userIdArray ??= Array.from({ length: this.users.size }, (_, row) => this.users.idAt(row));
    return this.userIdArray;
  }

  /**
   * One user's items in a part as item ids, oldest first when the split has timestamps (item
   * index order otherwise): the history `MarsModel.recommend` and `explain` expect.
   * @param user - a user id (from `userIds`) or row index.
   * @param part - which part. Default `'train'`.
   * @throws RangeError naming the user when it is not in the split.
   */
  historyOf(user: string | number, part: 'train' | 'validation' | 'test' = 'train'): string[] {
    const row = typeof user === 'number' ? user : (this.users.indexOf(user) ?? -1);
    if (!(Number.isInteger(row) && row >= 0 && row < this.users.size))
      throw new RangeError(`UserSplit.historyOf: user ${JSON.stringify(user)} is not in the split`);
    return Array.from(historyOfRow(this[part], row), (item) => this.itemIds[item]);
  }

  /** The JSON form, to reuse the exact split later (see {@link UserSplit.fromJSON}). */
  toJSON(): UserSplitJson {
    return {
      format: 'mars-rec/split',
      version: 1,
      options: this.options,
      itemIds: [...this.itemIds],
      userIds: [...this.userIds],
      train: csrRows(this.train),
      validation: csrRows(this.validation),
      test: csrRows(this.test),
      ...(this.train.timestamps && this.validation.timestamps && this.test.timestamps
        ? {
            timestamps: {
              train: csrTimestampRows(this.train),
              validation: csrTimestampRows(this.validation),
              test: csrTimestampRows(this.test),
            },
          }
        : {}),
    };
  }

  /**
   * Restores a split written by {@link UserSplit.toJSON}.
   * @throws TypeError or RangeError naming what is wrong (format, version, an index out of range).
   */
  static fromJSON(json: unknown): UserSplit {
    const value = json as Partial<UserSplitJson> | null;
    if (!value || value.format !== 'mars-rec/split')
      throw new TypeError('UserSplit.fromJSON: not a mars-rec split (format must be "mars-rec/split")');
    if (value.version !== 1)
      throw new RangeError(
        `UserSplit.fromJSON: unsupported version ${String(value.version)}; this mars-rec reads version 1`,
      );
    for (const key of ['itemIds', 'userIds', 'train', 'validation', 'test'] as const) {
      if (!Array.isArray(value[key]))
        throw new TypeError(`UserSplit.fromJSON: field "${key}" must be an array`);
    }
    const itemIds = value.itemIds as string[];
    const userIds = value.userIds as string[];
    const times = value.timestamps;
    const toCsr = (rows: number[][], part: 'train' | 'validation' | 'test'): CsrMatrix => {
      if (rows.length !== userIds.length) {
        throw new RangeError(
          `UserSplit.fromJSON: "${part}" has ${rows.length} rows for ${userIds.length} users`,
        );
      }
      rows.forEach((row, user) =>
        row.forEach((item) => {
          if (!Number.isInteger(item) || item < 0 || item >= itemIds.length) {
            throw new RangeError(
              `UserSplit.fromJSON: "${part}" row ${user} holds item index ${item}, outside [0, ${itemIds.length})`,
            );
          }
        }),
      );
      const partTimes = times?.[part];
      if (partTimes === undefined) return rowsToCsr(rows, itemIds.length);
      if (
        !Array.isArray(partTimes) ||
        partTimes.length !== rows.length ||
        partTimes.some((row, user) => !Array.isArray(row) || row.length !== rows[user].length)
      ) {
        throw new RangeError(
          `UserSplit.fromJSON: "timestamps.${part}" does not match the shape of "${part}"`,
        );
      }
      return rowsToCsr(rows, itemIds.length, partTimes);
    };
    return new UserSplit({
      train: toCsr(value.train as number[][], 'train'),
      validation: toCsr(value.validation as number[][], 'validation'),
      test: toCsr(value.test as number[][], 'test'),
      users: userIds,
      itemIds,
      droppedUsers: 0,
      options: value.options as Required<SplitOptions>,
    });
  }

  /**
   * Writes the split in binary (typed arrays, ids as UTF-8), for splits too large for JSON; a
   * temporary file renamed into place. Read back with {@link UserSplit.load}.
   */
  async save(path: string): Promise<void> {
    const columns: Record<string, BinaryColumn> = {};
    for (const part of ['train', 'validation', 'test'] as const) {
      const matrix = this[part];
      columns[`${part}Offsets`] = matrix.offsets;
      columns[`${part}Indices`] = matrix.indices;
      if (matrix.timestamps) columns[`${part}Times`] = matrix.timestamps;
    }
    const users = this.users instanceof IdInterner ? this.users : IdInterner.fromIds(this.userIds);
    const userColumns = users.toColumns();
    if ('keys' in userColumns) columns.userKeys = userColumns.keys;
    else {
      columns.userArena = userColumns.arena;
      columns.userStarts = userColumns.starts;
    }
    const items = encodeStrings(this.itemIds);
    columns.itemArena = items.arena;
    columns.itemStarts = items.starts;
    await writeBinaryFile(
      path,
      { format: 'mars-rec/split-binary', version: 1, options: this.options, droppedUsers: this.droppedUsers },
      columns,
    );
  }

  /**
   * Reads a split written by {@link UserSplit.save}.
   * @throws Error naming the file when it is not a binary split.
   */
  static async load(path: string): Promise<UserSplit> {
    return UserSplit.fromBinary(await readBinaryFile(path), path);
  }

  /**
   * The split of a binary file already read ({@link UserSplit.load} without the read), for a
   * reader that checksums the bytes too and so reads the file once.
   * @param contents - the file's contents (`parseBinaryFile`).
   * @param path - where they came from, for the errors.
   * @throws Error naming `path` when the contents are not a binary split.
   */
  static fromBinary(contents: BinaryFileContents, path: string): UserSplit {
    const { meta, columns } = contents;
    const header = meta as {
      format?: string;
      version?: number;
      options: Required<SplitOptions>;
      droppedUsers: number;
    };
    if (header.format !== 'mars-rec/split-binary' || header.version !== 1) {
      throw new Error(`${path}: not a mars-rec binary split of version 1`);
    }
    const itemIds = decodeStrings(columns.itemArena as Uint8Array, columns.itemStarts as Uint32Array);
    const users = IdInterner.fromColumns(
      columns.userKeys
        ? { keys: columns.userKeys as Float64Array }
        : { arena: columns.userArena as Uint8Array, starts: columns.userStarts as Uint32Array },
    );
    const part = (name: string): CsrMatrix => {
      const offsets = columns[`${name}Offsets`] as Int32Array;
      const times = columns[`${name}Times`] as TimestampArray | undefined;
      return {
        rowCount: offsets.length - 1,
        columnCount: itemIds.length,
        offsets,
        indices: columns[`${name}Indices`] as Int32Array,
        ...(times ? { timestamps: times } : {}),
      };
    };
    return new UserSplit({
      train: part('train'),
      validation: part('validation'),
      test: part('test'),
      users,
      itemIds,
      droppedUsers: header.droppedUsers,
      options: header.options,
    });
  }
}

/**
 * Splits each user's items into train, validation and test; see {@link UserSplit} for the
 * rounding. Works in typed arrays: a pass to size the three parts, a pass to fill them (each row
 * shuffled or ordered in a scratch array, then sorted by item).
 *
 * @example
 * ```ts
 * import { loadDataset, preprocess, splitPerUser } from 'mars-rec/data';
 *
 * const { dataset: raw } = await loadDataset({ items: 'items.jsonl', interactions: 'interactions.csv' });
 * const { dataset } = preprocess(raw, { minRating: 4, minUserInteractions: 3 });
 * const { train, validation, test } = splitPerUser(dataset, { trainFraction: 0.3, seed: 1 });
 * const newestLast = splitPerUser(dataset, { strategy: 'leave-last-out' }); // needs timestamps
 * ```
 */
export function splitPerUser(dataset: InteractionDataset, options: SplitOptions = {}): UserSplit {
  const resolved: Required<SplitOptions> = {
    trainFraction: options.trainFraction ?? 0.3,
    strategy: options.strategy ?? 'random',
    seed: options.seed ?? 1,
    minItemsPerUser: options.minItemsPerUser ?? 3,
  };
  const { trainFraction, strategy } = resolved;
  if (!(trainFraction > 0 && trainFraction < 1))
    throw new RangeError(`splitPerUser: trainFraction must be in (0, 1), got ${trainFraction}`);
  if (!['random', 'chronological', 'leave-last-out'].includes(strategy)) {
    throw new RangeError(
      `splitPerUser: strategy must be 'random', 'chronological' or 'leave-last-out', got '${String(strategy)}'`,
    );
  }
  const matrix = dataset.interactions;
  const times = matrix.timestamps;
  if (strategy !== 'random' && !times) {
    throw new RangeError(
      `splitPerUser: strategy '${strategy}' needs timestamps, and the interactions have none`,
    );
  }
  const minimum = Math.max(3, resolved.minItemsPerUser);
  const counts = (n: number): [number, number] => {
    if (strategy === 'leave-last-out') return [n - 2, 1];
    const trainCount = Math.max(1, Math.floor(trainFraction * n));
    return [trainCount, Math.floor((n - trainCount) / 2)];
  };
  // pass 1: kept users and the size of each part's rows
  let keptCount = 0;
  let longest = 0;
  for (let user = 0; user < matrix.rowCount; user++) {
    const n = matrix.offsets[user + 1] - matrix.offsets[user];
    if (n >= minimum) keptCount++;
    longest = Math.max(longest, n);
  }
  const kept = new Int32Array(keptCount);
  const offsets = [
    new Int32Array(keptCount + 1),
    new Int32Array(keptCount + 1),
    new Int32Array(keptCount + 1),
  ];
  let row = 0;
  for (let user = 0; user < matrix.rowCount; user++) {
    const n = matrix.offsets[user + 1] - matrix.offsets[user];
    if (n < minimum) continue;
    const [trainCount, validationCount] = counts(n);
    kept[row] = user;
    offsets[0][row + 1] = offsets[0][row] + trainCount;
    offsets[1][row + 1] = offsets[1][row] + validationCount;
    offsets[2][row + 1] = offsets[2][row] + n - trainCount - validationCount;
    row++;
  }
  const timeArray = (length: number): TimestampArray | undefined =>
    times ? new (times.constructor as Float64ArrayConstructor)(length) : undefined;
  const indices = offsets.map((partOffsets) => new Int32Array(partOffsets[keptCount]));
  const partTimes = offsets.map((partOffsets) => timeArray(partOffsets[keptCount]));
  // pass 2: order each row (shuffle or time), deal it into the parts, sort each part's row
  const rng = new SeededRandom(resolved.seed);
  const positions = new Int32Array(longest);
  for (let r = 0; r < keptCount; r++) {
    const start = matrix.offsets[kept[r]];
    const n = matrix.offsets[kept[r] + 1] - start;
    const order = positions.subarray(0, n);
    for (let k = 0; k < n; k++) order[k] = start + k;
    if (strategy === 'random') rng.shuffle(order);
    else {
      const t = times as TimestampArray;
      order.sort((a, b) => t[a] - t[b] || a - b);
    }
    let k = 0;
    for (let part = 0; part < 3; part++) {
      const from = offsets[part][r];
      const to = offsets[part][r + 1];
      const partIndices = indices[part];
      const partTime = partTimes[part];
      for (let at = from; at < to; at++, k++) {
        partIndices[at] = matrix.indices[order[k]];
        if (partTime && times) partTime[at] = times[order[k]];
      }
      sortSegmentByItem(partIndices, partTime, from, to);
    }
  }
  const part = (index: number): CsrMatrix => ({
    rowCount: keptCount,
    columnCount: dataset.itemCount,
    offsets: offsets[index],
    indices: indices[index],
    ...(partTimes[index] ? { timestamps: partTimes[index] } : {}),
  });
  return new UserSplit({
    train: part(0),
    validation: part(1),
    test: part(2),
    users: keptCount === dataset.userCount ? dataset.users : selectIds(dataset.users, kept),
    itemIds: dataset.itemIds,
    droppedUsers: matrix.rowCount - keptCount,
    options: resolved,
  });
}

/**
 * A CSR matrix from rows of item indices (each row sorted ascending here), with per-entry
 * timestamps moved along with their items when given (`timestamps[user][k]` is the time of
 * `rows[user][k]`).
 *
 * @example
 * ```ts
 * import { rowsToCsr } from 'mars-rec/data';
 *
 * // user 0 liked items 2 and 0, user 1 item 1; 3 items
 * const positives = rowsToCsr([[2, 0], [1]], 3);
 * console.log(Array.from(positives.offsets), Array.from(positives.indices)); // [0, 2, 3] [0, 2, 1]
 * ```
 */
export function rowsToCsr(
  rows: readonly (readonly number[])[],
  columnCount: number,
  timestamps?: readonly (readonly number[])[],
): CsrMatrix {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((row, user) => (offsets[user + 1] = offsets[user] + row.length));
  const indices = new Int32Array(offsets[rows.length]);
  const times = timestamps ? new Float64Array(offsets[rows.length]) : undefined;
  rows.forEach((row, user) => {
    const order = Array.from(row.keys()).sort((a, b) => row[a] - row[b]);
    order.forEach((k, position) => {
      indices[offsets[user] + position] = row[k];
      if (times && timestamps) times[offsets[user] + position] = timestamps[user][k];
    });
  });
  return times
    ? { rowCount: rows.length, columnCount, offsets, indices, timestamps: times }
    : { rowCount: rows.length, columnCount, offsets, indices };
}

function csrTimestampRows(matrix: CsrMatrix): number[][] {
  const times = matrix.timestamps as TimestampArray;
  return Array.from({ length: matrix.rowCount }, (_, user) =>
    Array.from(times.subarray(matrix.offsets[user], matrix.offsets[user + 1])),
  );
}

function csrRows(matrix: CsrMatrix): number[][] {
  return Array.from({ length: matrix.rowCount }, (_, user) =>
    Array.from(matrix.indices.subarray(matrix.offsets[user], matrix.offsets[user + 1])),
  );
}
