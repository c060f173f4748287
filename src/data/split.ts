import { historyOfRow } from '../ragged/cap-history';
import { SeededRandom } from '../random/seeded-random';
import type { CsrMatrix } from './csr';
import type { InteractionDataset } from './interaction-dataset';

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
 */
export class UserSplit {
  /** Training positives. */
  readonly train: CsrMatrix;
  /** Validation positives. */
  readonly validation: CsrMatrix;
  /** Test positives. */
  readonly test: CsrMatrix;
  /** User ids, one per row. */
  readonly userIds: readonly string[];
  /** Item ids, one per column. */
  readonly itemIds: readonly string[];
  /** Users dropped for having fewer than `minItemsPerUser` items. */
  readonly droppedUsers: number;
  /** The options used. */
  readonly options: Required<SplitOptions>;

  /** @internal */
  constructor(parts: {
    train: CsrMatrix;
    validation: CsrMatrix;
    test: CsrMatrix;
    userIds: readonly string[];
    itemIds: readonly string[];
    droppedUsers: number;
    options: Required<SplitOptions>;
  }) {
    this.train = parts.train;
    this.validation = parts.validation;
    this.test = parts.test;
    this.userIds = parts.userIds;
    this.itemIds = parts.itemIds;
    this.droppedUsers = parts.droppedUsers;
    this.options = parts.options;
  }

  /**
   * One user's items in a part as item ids, oldest first when the split has timestamps (item
   * index order otherwise): the history `MarsModel.recommend` and `explain` expect.
   * @param user - a user id (from `userIds`) or row index.
   * @param part - which part. Default `'train'`.
   * @throws RangeError naming the user when it is not in the split.
   */
  historyOf(user: string | number, part: 'train' | 'validation' | 'test' = 'train'): string[] {
    const row = typeof user === 'number' ? user : this.userIds.indexOf(user);
    if (!(Number.isInteger(row) && row >= 0 && row < this.userIds.length))
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
      userIds,
      itemIds,
      droppedUsers: 0,
      options: value.options as Required<SplitOptions>,
    });
  }
}

/** Splits each user's items into train, validation and test; see {@link UserSplit} for the rounding. */
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
  const rng = new SeededRandom(resolved.seed);
  const parts: number[][][] = [[], [], []];
  const timeParts: number[][][] = [[], [], []];
  const userIds: string[] = [];
  let droppedUsers = 0;
  for (let user = 0; user < matrix.rowCount; user++) {
    const start = matrix.offsets[user];
    const positions = Array.from({ length: matrix.offsets[user + 1] - start }, (_, k) => start + k);
    const n = positions.length;
    if (n < Math.max(3, resolved.minItemsPerUser)) {
      droppedUsers++;
      continue;
    }
    if (strategy === 'random') rng.shuffle(positions);
    else positions.sort((a, b) => (times as Float64Array)[a] - (times as Float64Array)[b] || a - b);
    let trainCount = Math.max(1, Math.floor(trainFraction * n));
    let validationCount = Math.floor((n - trainCount) / 2);
    if (strategy === 'leave-last-out') {
      trainCount = n - 2;
      validationCount = 1;
    }
    const items = positions.map((p) => matrix.indices[p]);
    parts[0].push(items.slice(0, trainCount));
    parts[1].push(items.slice(trainCount, trainCount + validationCount));
    parts[2].push(items.slice(trainCount + validationCount));
    if (times) {
      const itemTimes = positions.map((p) => times[p]);
      timeParts[0].push(itemTimes.slice(0, trainCount));
      timeParts[1].push(itemTimes.slice(trainCount, trainCount + validationCount));
      timeParts[2].push(itemTimes.slice(trainCount + validationCount));
    }
    userIds.push(dataset.userIds[user]);
  }
  return new UserSplit({
    train: rowsToCsr(parts[0], dataset.itemCount, times ? timeParts[0] : undefined),
    validation: rowsToCsr(parts[1], dataset.itemCount, times ? timeParts[1] : undefined),
    test: rowsToCsr(parts[2], dataset.itemCount, times ? timeParts[2] : undefined),
    userIds,
    itemIds: dataset.itemIds,
    droppedUsers,
    options: resolved,
  });
}

/**
 * A CSR matrix from rows of item indices (each row sorted ascending here), with per-entry
 * timestamps moved along with their items when given (`timestamps[user][k]` is the time of
 * `rows[user][k]`).
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
  const times = matrix.timestamps as Float64Array;
  return Array.from({ length: matrix.rowCount }, (_, user) =>
    Array.from(times.subarray(matrix.offsets[user], matrix.offsets[user + 1])),
  );
}

function csrRows(matrix: CsrMatrix): number[][] {
  return Array.from({ length: matrix.rowCount }, (_, user) =>
    Array.from(matrix.indices.subarray(matrix.offsets[user], matrix.offsets[user + 1])),
  );
}
