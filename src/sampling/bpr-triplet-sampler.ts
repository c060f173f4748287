import type { CsrMatrix } from '../data/csr';
import { sortedRowContains } from '../data/csr';
import { chronologicalPositions } from '../ragged/cap-history';
import { DEFAULT_MAX_HISTORY } from '../ragged/history-matrix';
import { SeededRandom } from '../random/seeded-random';

/** How a history longer than `maxHistory` is cut. */
export type HistoryStrategy = 'random' | 'recent';

/** How negatives are drawn. */
export type NegativeSampling = 'uniform' | { popularityExponent: number };

/** Options of {@link BprTripletSampler}; every field has a default. */
export interface BprTripletSamplerOptions {
  /** Triplets per batch. Default 128. */
  batchSize?: number;
  /** Give each triplet the user's history (positives minus j). Default true. */
  includeHistory?: boolean;
  /** Longest history kept, in items. Default `DEFAULT_MAX_HISTORY` (50, the report's cap). */
  maxHistory?: number;
  /**
   * Which items a capped history keeps: `'random'` (a uniform subset, default when the matrix
   * has no timestamps) or `'recent'` (the latest by timestamp, the rule of `capHistory`; needs
   * `timestamps`).
   */
  historyStrategy?: HistoryStrategy;
  /**
   * `'uniform'` (Rendle et al., the report's eq. 3; default), or `{ popularityExponent: alpha }`:
   * negatives drawn with probability proportional to (item interaction count)^alpha among the
   * user's non-positives, for harder negatives.
   */
  negativeSampling?: NegativeSampling;
  /** An epoch is this fraction of the number of positives, in triplets (report 3.1.2). Default 0.1. */
  epochFraction?: number;
  /** Seed of a new generator. Default 1. Ignored when `rng` is given. */
  seed?: number;
  /** A generator to draw from (shared with the caller). */
  rng?: SeededRandom;
}

/**
 * One batch of BPR training tuples (user i, history I_i^+ \ {j}, positive j, negative j'), as
 * typed arrays that go to tensors without copying object graphs. Every batch is a fresh set of
 * arrays: a consumer may keep a batch while drawing the next.
 */
export interface TripletBatch {
  /** `[batch]` user rows. */
  users: Int32Array;
  /** `[batch]` positive items j, uniform among the user's positives. */
  positives: Int32Array;
  /** `[batch]` negative items j', never a positive of the user. */
  negatives: Int32Array;
  /** `[batch + 1]` start of each triplet's history in `historyItems` (all zero without history). */
  historyOffsets: Int32Array;
  /** Histories, concatenated: the user's positives minus j, capped at `maxHistory` (order: see `writeHistory`). */
  historyItems: Int32Array;
}

/** Users the sampler never draws, and why. */
export interface SamplerExclusions {
  /** Users with no positive at all. */
  withoutPositives: number;
  /** Users whose positives cover the whole catalogue: no negative exists. Listed, never looped on. */
  withoutNegatives: Int32Array;
}

/**
 * The BPR triplet sampler of the report's eq. 3 (after Rendle et al. 2009) on a CSR interaction
 * matrix: a user drawn uniformly among users with at least one positive and one possible
 * negative, a positive j uniformly from the user's positives, a negative j' uniformly from the
 * items the user has not interacted with, and the user's history as the positives minus j.
 *
 * Negatives: rejection sampling against the user's sorted positives (binary search); when the
 * positives cover more than half of the catalogue, the negative is drawn directly from the
 * complement (the k-th non-positive item), so the cost stays bounded for any user.
 *
 * TensorFlow-free: output batches are plain typed arrays.
 */
export class BprTripletSampler implements Iterable<TripletBatch>, AsyncIterable<TripletBatch> {
  /** Triplets per batch. */
  readonly batchSize: number;
  /** Longest history, in items. */
  readonly maxHistory: number;
  /** Whether batches carry histories. */
  readonly includeHistory: boolean;
  /** Who is never drawn, and why. */
  readonly exclusions: SamplerExclusions;
  /** Batches per epoch: ceil(epochFraction x positives / batchSize), at least 1. */
  readonly stepsPerEpoch: number;
  private readonly matrix: CsrMatrix;
  private readonly rng: SeededRandom;
  private readonly eligibleUsers: Int32Array;
  private readonly historyStrategy: HistoryStrategy;
  private readonly negativeCdf?: Float64Array;
  private readonly scratch: Int32Array;
  /** Per-offset stamps of the rejection subset sampler (one stamp per history drawn). */
  private readonly marks: Uint32Array;
  /** For `'recent'`: each row's positions (into `indices`), newest first. */
  private readonly recency?: Int32Array;
  private stamp = 0;

  /**
   * @param matrix - users x items positives; rows sorted ascending (see `CsrMatrix`).
   * @param options - see {@link BprTripletSamplerOptions}.
   */
  constructor(matrix: CsrMatrix, options: BprTripletSamplerOptions = {}) {
    const {
      batchSize = 128,
      includeHistory = true,
      maxHistory = DEFAULT_MAX_HISTORY,
      negativeSampling = 'uniform',
      epochFraction = 0.1,
    } = options;
    checkMatrix(matrix);
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`BprTripletSampler: batchSize must be a positive integer, got ${batchSize}`);
    }
    if (!Number.isInteger(maxHistory) || maxHistory < 0) {
      throw new RangeError(`BprTripletSampler: maxHistory must be an integer >= 0, got ${maxHistory}`);
    }
    if (!(epochFraction > 0) || !Number.isFinite(epochFraction)) {
      throw new RangeError(
        `BprTripletSampler: epochFraction must be a positive number, got ${epochFraction}`,
      );
    }
    const historyStrategy = options.historyStrategy ?? (matrix.timestamps ? 'recent' : 'random');
    if (historyStrategy !== 'random' && historyStrategy !== 'recent') {
      throw new RangeError(
        `BprTripletSampler: historyStrategy must be 'random' or 'recent', got '${String(historyStrategy)}'`,
      );
    }
    if (historyStrategy === 'recent' && !matrix.timestamps) {
      throw new RangeError("BprTripletSampler: historyStrategy 'recent' needs the matrix's timestamps");
    }
    this.matrix = matrix;
    this.batchSize = batchSize;
    this.maxHistory = maxHistory;
    this.includeHistory = includeHistory;
    this.historyStrategy = historyStrategy;
    this.rng = options.rng ?? new SeededRandom(options.seed ?? 1);

    const eligible: number[] = [];
    const withoutNegatives: number[] = [];
    let withoutPositives = 0;
    for (let user = 0; user < matrix.rowCount; user++) {
      const count = matrix.offsets[user + 1] - matrix.offsets[user];
      if (count === 0) withoutPositives++;
      else if (count >= matrix.columnCount) withoutNegatives.push(user);
      else eligible.push(user);
    }
    if (eligible.length === 0) {
      throw new RangeError(
        `BprTripletSampler: no user can be sampled (${withoutPositives} users without positives, ` +
          `${withoutNegatives.length} whose positives cover all ${matrix.columnCount} items)`,
      );
    }
    this.eligibleUsers = Int32Array.from(eligible);
    this.exclusions = { withoutPositives, withoutNegatives: Int32Array.from(withoutNegatives) };
    const positives = matrix.offsets[matrix.rowCount];
    this.stepsPerEpoch = Math.max(1, Math.ceil((epochFraction * positives) / batchSize));
    if (negativeSampling !== 'uniform') {
      const alpha = negativeSampling.popularityExponent;
      if (!Number.isFinite(alpha)) {
        throw new RangeError(`BprTripletSampler: popularityExponent must be a finite number, got ${alpha}`);
      }
      this.negativeCdf = popularityCdf(matrix, alpha);
    }
    let longest = 0;
    for (let user = 0; user < matrix.rowCount; user++) {
      longest = Math.max(longest, matrix.offsets[user + 1] - matrix.offsets[user]);
    }
    this.scratch = new Int32Array(longest);
    this.marks = new Uint32Array(longest);
    if (historyStrategy === 'recent') this.recency = recencyOrder(matrix);
  }

  /** Draws the next batch. */
  nextBatch(): TripletBatch {
    const { batchSize, matrix, rng } = this;
    const users = new Int32Array(batchSize);
    const positives = new Int32Array(batchSize);
    const negatives = new Int32Array(batchSize);
    const historyOffsets = new Int32Array(batchSize + 1);
    const buffer = this.includeHistory ? new Int32Array(batchSize * this.maxHistory) : new Int32Array(0);
    let historyLength = 0;
    for (let b = 0; b < batchSize; b++) {
      const user = this.eligibleUsers[rng.nextInt(this.eligibleUsers.length)];
      const start = matrix.offsets[user];
      const end = matrix.offsets[user + 1];
      const positivePosition = start + rng.nextInt(end - start);
      users[b] = user;
      positives[b] = matrix.indices[positivePosition];
      negatives[b] = this.drawNegative(start, end);
      if (this.includeHistory)
        historyLength += this.writeHistory(start, end, positivePosition, buffer, historyLength);
      historyOffsets[b + 1] = historyLength;
    }
    return { users, positives, negatives, historyOffsets, historyItems: buffer.slice(0, historyLength) };
  }

  /** One epoch ({@link BprTripletSampler.stepsPerEpoch} batches). */
  *[Symbol.iterator](): Iterator<TripletBatch> {
    for (let step = 0; step < this.stepsPerEpoch; step++) yield this.nextBatch();
  }

  /** One epoch, asynchronously (yields to the event loop between batches). */
  async *[Symbol.asyncIterator](): AsyncIterator<TripletBatch> {
    for (let step = 0; step < this.stepsPerEpoch; step++) {
      yield this.nextBatch();
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
  }

  private drawNegative(start: number, end: number): number {
    const { matrix, rng } = this;
    const positiveCount = end - start;
    if (this.negativeCdf) {
      // popularity-weighted: rejection against the positives (bounded: the CDF gives every item weight > 0)
      for (;;) {
        const item = searchCdf(this.negativeCdf, rng.nextFloat());
        if (!sortedRowContains(matrix.indices, start, end, item)) return item;
      }
    }
    if (positiveCount * 2 <= matrix.columnCount) {
      for (;;) {
        const item = rng.nextInt(matrix.columnCount);
        if (!sortedRowContains(matrix.indices, start, end, item)) return item;
      }
    }
    // dense user: the k-th item of the complement, found by walking the sorted positives
    let k = rng.nextInt(matrix.columnCount - positiveCount);
    for (let p = start; p < end; p++) {
      if (matrix.indices[p] <= k) k++;
      else break;
    }
    return k;
  }

  /**
   * Writes the history of one triplet (the user's positives minus j, capped at `maxHistory`) into
   * `out` at `at`; returns its length. Uncapped histories keep the row's ascending order; capped
   * ones are in draw order (attention does not depend on the order of the memory).
   */
  private writeHistory(
    start: number,
    end: number,
    positivePosition: number,
    out: Int32Array,
    at: number,
  ): number {
    const { matrix, maxHistory, rng } = this;
    const available = end - start - 1;
    if (available <= maxHistory) {
      let count = 0;
      for (let p = start; p < end; p++) if (p !== positivePosition) out[at + count++] = matrix.indices[p];
      return count;
    }
    if (this.recency) {
      // the row's positions, newest first, precomputed: skip j and take the first maxHistory
      let count = 0;
      for (let k = start; count < maxHistory; k++) {
        const p = this.recency[k];
        if (p !== positivePosition) out[at + count++] = matrix.indices[p];
      }
    } else if (maxHistory * 2 <= available) {
      // a uniform subset by rejection: cheap when the subset is at most half of the row
      const stamp = ++this.stamp;
      const marks = this.marks;
      marks[positivePosition - start] = stamp;
      for (let k = 0; k < maxHistory; k++) {
        let offset: number;
        do offset = rng.nextInt(end - start);
        while (marks[offset] === stamp);
        marks[offset] = stamp;
        out[at + k] = matrix.indices[start + offset];
      }
    } else {
      // partial Fisher-Yates over the row minus j
      const scratch = this.scratch;
      let count = 0;
      for (let p = start; p < end; p++) if (p !== positivePosition) scratch[count++] = matrix.indices[p];
      for (let k = 0; k < maxHistory; k++) {
        const j = k + rng.nextInt(count - k);
        const swap = scratch[k];
        scratch[k] = scratch[j];
        scratch[j] = swap;
        out[at + k] = scratch[k];
      }
    }
    return maxHistory;
  }
}

/** Per row, the positions of its entries newest first: `chronologicalPositions` reversed. */
function recencyOrder(matrix: CsrMatrix): Int32Array {
  const order = new Int32Array(matrix.indices.length);
  for (let row = 0; row < matrix.rowCount; row++)
    order.set(chronologicalPositions(matrix, row).reverse(), matrix.offsets[row]);
  return order;
}

function checkMatrix(matrix: CsrMatrix): void {
  const { rowCount, columnCount, offsets, indices } = matrix;
  if (offsets.length !== rowCount + 1 || offsets[0] !== 0 || offsets[rowCount] !== indices.length) {
    throw new RangeError(
      `BprTripletSampler: malformed CSR: offsets must have rowCount + 1 = ${rowCount + 1} entries from 0 to indices.length = ${indices.length}`,
    );
  }
  for (let user = 0; user < rowCount; user++) {
    for (let p = offsets[user]; p < offsets[user + 1]; p++) {
      const item = indices[p];
      if (!(item >= 0 && item < columnCount)) {
        throw new RangeError(
          `BprTripletSampler: user row ${user} holds item ${item}, outside [0, ${columnCount})`,
        );
      }
      if (p > offsets[user] && indices[p - 1] >= item) {
        throw new RangeError(
          `BprTripletSampler: user row ${user} is not sorted ascending without duplicates (item ${item})`,
        );
      }
    }
  }
}

/** Cumulative distribution of (count + 1)^alpha over items; +1 keeps unseen items drawable. */
function popularityCdf(matrix: CsrMatrix, alpha: number): Float64Array {
  const counts = new Float64Array(matrix.columnCount);
  for (let p = 0; p < matrix.indices.length; p++) counts[matrix.indices[p]]++;
  let total = 0;
  for (let item = 0; item < counts.length; item++) {
    total += Math.pow(counts[item] + 1, alpha);
    counts[item] = total;
  }
  for (let item = 0; item < counts.length; item++) counts[item] /= total;
  return counts;
}

function searchCdf(cdf: Float64Array, uniform: number): number {
  let low = 0;
  let high = cdf.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cdf[middle] > uniform) high = middle;
    else low = middle + 1;
  }
  return low;
}
