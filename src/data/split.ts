import { SeededRandom } from '../sampling/random';
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
}

/**
 * A per-user split of a dataset into train, validation and test, all users x items over the same
 * index spaces (rows are the kept users, `userIds`; columns the dataset's items).
 *
 * Rounding (findings.md): n_train = max(1, floor(trainFraction x n)), validation =
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
    const toCsr = (rows: number[][], part: string): CsrMatrix => {
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
      return rowsToCsr(rows, itemIds.length);
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
    userIds.push(dataset.userIds[user]);
  }
  return new UserSplit({
    train: rowsToCsr(parts[0], dataset.itemCount),
    validation: rowsToCsr(parts[1], dataset.itemCount),
    test: rowsToCsr(parts[2], dataset.itemCount),
    userIds,
    itemIds: dataset.itemIds,
    droppedUsers,
    options: resolved,
  });
}

/** A CSR matrix from rows of item indices (each row sorted ascending here). */
export function rowsToCsr(rows: readonly (readonly number[])[], columnCount: number): CsrMatrix {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((row, user) => (offsets[user + 1] = offsets[user] + row.length));
  const indices = new Int32Array(offsets[rows.length]);
  rows.forEach((row, user) =>
    indices.set(
      [...row].sort((a, b) => a - b),
      offsets[user],
    ),
  );
  return { rowCount: rows.length, columnCount, offsets, indices };
}

function csrRows(matrix: CsrMatrix): number[][] {
  return Array.from({ length: matrix.rowCount }, (_, user) =>
    Array.from(matrix.indices.subarray(matrix.offsets[user], matrix.offsets[user + 1])),
  );
}
