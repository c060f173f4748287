import type { CsrMatrix } from '../data/csr';
import { RelevantScoreIndex } from './auc';
import { checkCsr } from './check-csr';
import { checkNormalization } from './list-metrics';
import type { AveragePrecisionNormalization } from './list-metrics';
import { parseMetricName } from './metric-name';
import { idealDcgTable, listMetricValue, RankedRelevance } from './ranked-relevance';
import type { ListMetricKind } from './ranked-relevance';
import type { MetricSpec } from './metric-name';
import { describe } from './relevant-items';
import { summarize } from './summary';
import { TopKSelector } from './top-k';

/**
 * Scores every item for a batch of users: returns `[users.length, itemCount]` scores, row-major
 * (the score of item `i` for `users[b]` is at `b * itemCount + i`); higher is better. May be
 * async (for example a TensorFlow.js model's `data()`).
 */
export type RankingScorer = (
  users: Int32Array,
) => Float32Array | Float64Array | Promise<Float32Array | Float64Array>;

/** Why a user was not evaluated. */
export type SkipReason =
  /** The user's `targets` row is empty. */
  | 'no-relevant-items'
  /** Every target of the user is also in their `exclude` row, so none can be ranked. */
  | 'all-relevant-items-excluded';

/** The metrics {@link evaluateRanking} computes when `metrics` is not given. */
export const defaultRankingMetrics: readonly string[] = [
  'recall@10',
  'recall@50',
  'precision@10',
  'ndcg@10',
  'map@500',
  'hit@10',
  'mrr',
];

/** Options of {@link evaluateRanking}. */
export interface EvaluateRankingOptions {
  /** Catalogue size in items; every score row has this many entries. */
  itemCount: number;
  /**
   * The relevant (held-out) items of each user, one row per user, `columnCount = itemCount`, rows
   * sorted ascending.
   */
  targets: CsrMatrix;
  /**
   * Items never ranked for a user (usually the training items), same shape as `targets`. A
   * target that is also excluded is dropped from the user's relevant set (counted in
   * `droppedTargets`). Default: nothing excluded.
   */
  exclude?: CsrMatrix;
  /** The scoring callback; see {@link RankingScorer}. */
  score: RankingScorer;
  /**
   * Metric names, parsed by {@link parseMetricName}: `recall@K`, `precision@K`, `hit@K`,
   * `ndcg@K`, `map@K`, `mrr`, `mrr@K`, `auc`, `coverage@K`. Default
   * {@link defaultRankingMetrics}.
   */
  metrics?: readonly string[];
  /** Which users (rows) to evaluate. Default: every row of `targets`, ascending. */
  users?: Int32Array;
  /** Users scored per call of `score`; memory is `userBatchSize * itemCount` scores. Default 256. */
  userBatchSize?: number;
  /** Denominator of `map@K`; see {@link AveragePrecisionNormalization}. Default `'min(k,|R|)'`. */
  averagePrecisionNormalization?: AveragePrecisionNormalization;
  /** Called after each scored batch with users done and users to score. */
  onProgress?: (usersDone: number, usersTotal: number) => void;
}

/** The result of {@link evaluateRanking}. */
export interface RankingEvaluation {
  /** Canonical metric names, in the order asked, without duplicates. */
  metrics: readonly string[];
  /** The evaluated users, in the order of the `users` option. */
  users: Int32Array;
  /**
   * Per-user values of each per-user metric, aligned with `users` (`coverage@K` has none). A
   * value is NaN only where the metric is undefined for that user: `auc` when every
   * non-excluded item is relevant.
   */
  perUser: Record<string, Float64Array>;
  /** Mean over users of each metric (NaN values left out); for `coverage@K`, the coverage. */
  mean: Record<string, number>;
  /** Standard error of each mean (sample standard deviation / sqrt(n)); NaN for `coverage@K`. */
  standardError: Record<string, number>;
  /** How many users count in each mean. */
  count: Record<string, number>;
  /** Number of users evaluated, `users.length`. */
  usersEvaluated: number;
  /** Number of users skipped. */
  usersSkipped: number;
  /** The skipped users and why, aligned. */
  skipped: { users: Int32Array; reasons: SkipReason[] };
  /** Skipped users per reason. */
  skippedByReason: Record<SkipReason, number>;
  /** Target entries that were also excluded and so did not count as relevant. */
  droppedTargets: number;
}

const excludedBit = 1;
const relevantBit = 2;
const emptyCsrRow = new Int32Array(0);

/**
 * Full-ranking evaluation (the MARS report's protocol): for each user,
 * score all items, leave out the user's excluded (training) items, keep the top `K` by a
 * streaming heap (never a full sort; {@link TopKSelector}), and compute every metric against
 * the user's targets. Users with no relevant item are skipped and reported with the reason.
 *
 * Ranking: higher score first; equal scores rank the lower item index first, so results are
 * deterministic. Metric definitions are those of {@link recallAtK}, {@link precisionAtK},
 * {@link hitAtK}, {@link ndcgAtK}, {@link averagePrecisionAtK} (`map@K`),
 * {@link reciprocalRank} (`mrr` is the reciprocal rank of the best relevant item in the full
 * ranking of non-excluded items; `mrr@K` counts 0 beyond rank `K`), {@link auc} (over all
 * non-excluded items, ties one half) and {@link catalogueCoverage} (`coverage@K`).
 *
 * @example
 * ```ts
 * const result = await evaluateRanking({
 *   itemCount, targets: testMatrix, exclude: trainMatrix,
 *   score: (users) => model.scoreAll(users), // Float32Array [users.length * itemCount]
 *   metrics: ['recall@50', 'map@500'],
 * });
 * console.log(result.mean['recall@50'], '±', result.standardError['recall@50']);
 * ```
 * @param options - see {@link EvaluateRankingOptions}.
 * @throws TypeError or RangeError for malformed matrices, unknown metric names, a score array of
 *   the wrong type or length, or a NaN score of a non-excluded item (the message names the user
 *   and item).
 */
export async function evaluateRanking(options: EvaluateRankingOptions): Promise<RankingEvaluation> {
  const { itemCount, targets, exclude, score } = options;
  if (!Number.isInteger(itemCount) || itemCount < 1) {
    throw new RangeError(`evaluateRanking: itemCount must be an integer >= 1, got ${String(itemCount)}`);
  }
  if (typeof score !== 'function') {
    throw new TypeError(
      `evaluateRanking: score must be a function (users: Int32Array) => Float32Array, got ${describe(score)}`,
    );
  }
  checkCsr(targets, 'targets', itemCount);
  if (exclude !== undefined) {
    checkCsr(exclude, 'exclude', itemCount);
    if (exclude.rowCount !== targets.rowCount) {
      throw new RangeError(
        `evaluateRanking: exclude has ${exclude.rowCount} rows but targets has ${targets.rowCount}; both need one row per user`,
      );
    }
  }
  const batchSize = options.userBatchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`evaluateRanking: userBatchSize must be an integer >= 1, got ${String(batchSize)}`);
  }
  const normalization = checkNormalization(options.averagePrecisionNormalization, 'evaluateRanking');
  const specs = parseMetrics(options.metrics ?? defaultRankingMetrics);
  const candidates = options.users ?? rangeOf(targets.rowCount);
  if (!(candidates instanceof Int32Array)) {
    throw new TypeError(
      `evaluateRanking: users must be an Int32Array of row indices, got ${describe(candidates)}`,
    );
  }

  const mask = new Uint8Array(itemCount);
  const excludeOffsets = exclude?.offsets;
  const excludeIndices = exclude?.indices ?? emptyCsrRow;

  // Pass 1: who can be evaluated (no scoring needed for the others).
  const { evaluated, skippedUsers, reasons, skippedByReason, droppedTargets } = selectUsers(
    targets,
    exclude,
    candidates,
    mask,
  );

  // Pass 2: score in batches, select, measure.
  let maxK = 0;
  for (const spec of specs) if (spec.k !== undefined) maxK = Math.max(maxK, spec.k);
  const topLength = Math.min(maxK, itemCount);
  const needsFullRank = specs.some((spec) => spec.kind === 'mrr' && spec.k === undefined);
  const needsAuc = specs.some((spec) => spec.kind === 'auc');
  const perUserSpecs = specs.filter((spec) => spec.kind !== 'coverage');
  const coverageSpecs = specs.filter((spec) => spec.kind === 'coverage');
  const coverageSeen = coverageSpecs.map(() => new Uint8Array(itemCount));
  const coverageDistinct = coverageSpecs.map(() => 0);

  const userCount = evaluated.length;
  const values = perUserSpecs.map(() => new Float64Array(userCount));
  const selector = new TopKSelector(Math.max(1, topLength));
  const top = new Int32Array(Math.max(1, topLength));
  const relevance = new RankedRelevance(topLength);
  const idealDcg = idealDcgTable(topLength);
  const relevantItems = new Int32Array(itemCount);
  const relevantScores = new Float64Array(itemCount);
  const scoreIndex = new RelevantScoreIndex();

  for (let batchStart = 0; batchStart < userCount; batchStart += batchSize) {
    const batchUsers = Int32Array.from(evaluated.slice(batchStart, batchStart + batchSize));
    const scores = await score(batchUsers);
    if (!(scores instanceof Float32Array || scores instanceof Float64Array)) {
      throw new TypeError(
        `evaluateRanking: score must return a Float32Array (or Float64Array) of [users, itemCount] scores, got ${describe(scores)}`,
      );
    }
    if (scores.length !== batchUsers.length * itemCount) {
      throw new RangeError(
        `evaluateRanking: score returned ${scores.length} values for ${batchUsers.length} users; expected ` +
          `${batchUsers.length} x ${itemCount} = ${batchUsers.length * itemCount} (row-major [users, itemCount])`,
      );
    }
    for (let b = 0; b < batchUsers.length; b++) {
      const user = batchUsers[b];
      const row = b * itemCount;
      const excludeStart = excludeOffsets === undefined ? 0 : excludeOffsets[user];
      const excludeEnd = excludeOffsets === undefined ? 0 : excludeOffsets[user + 1];
      const excludedCount = markRow(mask, excludeIndices, excludeStart, excludeEnd, excludedBit);
      let relevantCount = 0;
      for (let t = targets.offsets[user]; t < targets.offsets[user + 1]; t++) {
        const item = targets.indices[t];
        if (mask[item] === 0) {
          mask[item] = relevantBit;
          relevantItems[relevantCount++] = item;
        }
      }

      const count = selector.select(
        scores,
        row,
        itemCount,
        topLength,
        excludeIndices,
        excludeStart,
        excludeEnd,
        top,
      );
      if (count < 0) {
        throw new RangeError(
          `evaluateRanking: score returned NaN for user ${user}, item ${-count - 1}; NaN scores cannot be ` +
            `ranked. Fix the model, or use -Infinity to rank an item last, or exclude it`,
        );
      }
      relevance.reset();
      for (let position = 0; position < count; position++)
        relevance.push((mask[top[position]] & relevantBit) !== 0);

      let fullRank = relevance.firstRank;
      if (needsFullRank && fullRank === 0) {
        fullRank = rankOfBestRelevant(scores, row, itemCount, mask, relevantItems, relevantCount);
      }
      const userAuc = needsAuc
        ? aucOfRow(scores, row, itemCount, excludeIndices, excludeStart, excludeEnd, excludedCount, {
            relevantItems,
            relevantCount,
            relevantScores,
            scoreIndex,
          })
        : NaN;

      const index = batchStart + b;
      for (let m = 0; m < perUserSpecs.length; m++) {
        const { kind, k } = perUserSpecs[m];
        // the formulas of the list metrics (recallAtK, ...), on this ranking's top
        if (kind === 'auc') values[m][index] = userAuc;
        else if (kind === 'mrr' && k === undefined) values[m][index] = 1 / fullRank;
        else
          values[m][index] = listMetricValue(
            kind as ListMetricKind,
            k as number,
            relevance,
            relevantCount,
            idealDcg,
            normalization,
          );
      }
      for (let c = 0; c < coverageSpecs.length; c++) {
        const seen = coverageSeen[c];
        const length = Math.min(coverageSpecs[c].k ?? 0, count);
        for (let position = 0; position < length; position++) {
          if (seen[top[position]] === 0) {
            seen[top[position]] = 1;
            coverageDistinct[c]++;
          }
        }
      }

      clearRow(mask, excludeIndices, excludeStart, excludeEnd);
      for (let r = 0; r < relevantCount; r++) mask[relevantItems[r]] = 0;
    }
    options.onProgress?.(Math.min(batchStart + batchSize, userCount), userCount);
  }

  const perUser: Record<string, Float64Array> = {};
  const mean: Record<string, number> = {};
  const standardError: Record<string, number> = {};
  const count: Record<string, number> = {};
  for (const spec of specs) {
    const m = perUserSpecs.indexOf(spec);
    if (m >= 0) {
      perUser[spec.name] = values[m];
      const summary = summarize(values[m]);
      mean[spec.name] = summary.mean;
      standardError[spec.name] = summary.standardError;
      count[spec.name] = summary.count;
    } else {
      const c = coverageSpecs.indexOf(spec);
      mean[spec.name] = coverageDistinct[c] / itemCount;
      standardError[spec.name] = NaN;
      count[spec.name] = userCount;
    }
  }
  return {
    metrics: specs.map((spec) => spec.name),
    users: Int32Array.from(evaluated),
    perUser,
    mean,
    standardError,
    count,
    usersEvaluated: userCount,
    usersSkipped: skippedUsers.length,
    skipped: { users: Int32Array.from(skippedUsers), reasons },
    skippedByReason,
    droppedTargets,
  };
}

/** The users of `candidates` that have a relevant item left after exclusion; the others, with why. */
function selectUsers(
  targets: CsrMatrix,
  exclude: CsrMatrix | undefined,
  candidates: Int32Array,
  mask: Uint8Array,
): {
  evaluated: number[];
  skippedUsers: number[];
  reasons: SkipReason[];
  skippedByReason: Record<SkipReason, number>;
  droppedTargets: number;
} {
  const excludeOffsets = exclude?.offsets;
  const excludeIndices = exclude?.indices ?? emptyCsrRow;
  const evaluated: number[] = [];
  const skippedUsers: number[] = [];
  const reasons: SkipReason[] = [];
  const skippedByReason: Record<SkipReason, number> = {
    'no-relevant-items': 0,
    'all-relevant-items-excluded': 0,
  };
  let droppedTargets = 0;
  for (let position = 0; position < candidates.length; position++) {
    const user = candidates[position];
    if (!(user >= 0 && user < targets.rowCount)) {
      throw new RangeError(
        `evaluateRanking: users[${position}] = ${user} is not a row of targets [0, ${targets.rowCount})`,
      );
    }
    const targetStart = targets.offsets[user];
    const targetEnd = targets.offsets[user + 1];
    let relevantCount = 0;
    if (targetEnd > targetStart) {
      if (excludeOffsets !== undefined)
        markRow(mask, excludeIndices, excludeOffsets[user], excludeOffsets[user + 1], excludedBit);
      for (let t = targetStart; t < targetEnd; t++) {
        const item = targets.indices[t];
        if ((mask[item] & excludedBit) !== 0) droppedTargets++;
        else if ((mask[item] & relevantBit) === 0) {
          mask[item] |= relevantBit;
          relevantCount++;
        }
      }
      clearRow(mask, targets.indices, targetStart, targetEnd);
      if (excludeOffsets !== undefined)
        clearRow(mask, excludeIndices, excludeOffsets[user], excludeOffsets[user + 1]);
    }
    if (relevantCount > 0) {
      evaluated.push(user);
    } else {
      const reason: SkipReason =
        targetEnd > targetStart ? 'all-relevant-items-excluded' : 'no-relevant-items';
      skippedUsers.push(user);
      reasons.push(reason);
      skippedByReason[reason]++;
    }
  }
  return { evaluated, skippedUsers, reasons, skippedByReason, droppedTargets };
}

/**
 * AUC of one user's scores over all non-excluded items (ties one half): NaN when every
 * non-excluded item is relevant.
 */
function aucOfRow(
  scores: Float32Array | Float64Array,
  row: number,
  itemCount: number,
  excludeIndices: Int32Array,
  excludeStart: number,
  excludeEnd: number,
  excludedCount: number,
  relevant: {
    relevantItems: Int32Array;
    relevantCount: number;
    relevantScores: Float64Array;
    scoreIndex: RelevantScoreIndex;
  },
): number {
  const { relevantItems, relevantCount, relevantScores, scoreIndex } = relevant;
  const negativeCount = itemCount - excludedCount - relevantCount;
  if (negativeCount <= 0) return NaN;
  for (let r = 0; r < relevantCount; r++) relevantScores[r] = scores[row + relevantItems[r]];
  scoreIndex.reset(relevantScores, relevantCount);
  // sum over all items, then take back the excluded and relevant ones: no per-item
  // branch; wins are multiples of 1/2, so the sums are exact
  let wins = scoreIndex.sumWinsOver(scores, row, itemCount);
  for (let e = excludeStart; e < excludeEnd; e++) {
    if (e === excludeStart || excludeIndices[e] !== excludeIndices[e - 1]) {
      wins -= scoreIndex.winsOver(scores[row + excludeIndices[e]]);
    }
  }
  for (let r = 0; r < relevantCount; r++) wins -= scoreIndex.winsOver(relevantScores[r]);
  return wins / (relevantCount * negativeCount);
}

function parseMetrics(names: readonly string[]): MetricSpec[] {
  if (!Array.isArray(names) || names.length === 0) {
    throw new RangeError(
      `evaluateRanking: metrics must be a non-empty array of metric names such as ['recall@10', 'ndcg@10', 'mrr']`,
    );
  }
  const specs: MetricSpec[] = [];
  for (const name of names) {
    const spec = parseMetricName(name);
    if (!specs.some((known) => known.name === spec.name)) specs.push(spec);
  }
  return specs;
}

function rangeOf(length: number): Int32Array {
  const users = new Int32Array(length);
  for (let i = 0; i < length; i++) users[i] = i;
  return users;
}

/** Sets `bit` on the items of a CSR row; returns how many distinct items got it. */
function markRow(mask: Uint8Array, indices: Int32Array, start: number, end: number, bit: number): number {
  let marked = 0;
  for (let position = start; position < end; position++) {
    const item = indices[position];
    if ((mask[item] & bit) === 0) {
      mask[item] |= bit;
      marked++;
    }
  }
  return marked;
}

function clearRow(mask: Uint8Array, indices: Int32Array, start: number, end: number): void {
  for (let position = start; position < end; position++) mask[indices[position]] = 0;
}

/**
 * 1-based rank, among non-excluded items, of the best relevant item: one pass counting the
 * items that beat it (higher score, or equal score and lower index).
 */
function rankOfBestRelevant(
  scores: Float32Array | Float64Array,
  row: number,
  itemCount: number,
  mask: Uint8Array,
  relevantItems: Int32Array,
  relevantCount: number,
): number {
  let bestItem = relevantItems[0];
  let bestScore = scores[row + bestItem];
  for (let r = 1; r < relevantCount; r++) {
    const item = relevantItems[r];
    const value = scores[row + item];
    if (value > bestScore || (value === bestScore && item < bestItem)) {
      bestItem = item;
      bestScore = value;
    }
  }
  let better = 0;
  for (let item = 0; item < itemCount; item++) {
    const value = scores[row + item];
    if ((value > bestScore || (value === bestScore && item < bestItem)) && mask[item] === 0) better++;
  }
  return better + 1;
}
