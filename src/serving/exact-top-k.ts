import { scoreRows } from './exact-scores';
import type { ItemIndex } from './item-index/item-index';
import type { MemoryQuery } from './memory-query';
import type { ScoringTable } from './scoring-table';

/** Which items a top-k may return, and how many. */
export interface TopKRequest {
  /** Items to return, an integer >= 1. */
  k: number;
  /** Rows never to return (the history, explicit exclusions). Removed rows are never returned either. */
  exclude?: ReadonlySet<number>;
  /** When given, only these rows may be returned. */
  allowed?: ReadonlySet<number>;
}

/** A top-k list and what it cost. */
export interface TopKResult {
  /** Table rows, best first: higher score, then lower row on equal scores. */
  rows: Int32Array;
  /** Their exact scores ({@link scoreRows}). */
  scores: Float64Array;
  /** Items whose exact score was computed. */
  scored: number;
  /** Index searches made. */
  searches: number;
}

/**
 * The exact top-k by scoring every live row: the reference the other paths are tested against
 * (same scores, same tie order).
 */
export function bruteForceTopK(table: ScoringTable, query: MemoryQuery, request: TopKRequest): TopKResult {
  const eligible = eligibility(table, request);
  const rows: number[] = [];
  for (let row = 0; row < table.size; row++) if (eligible(row)) rows.push(row);
  const scores = new Float64Array(rows.length);
  scoreRows(table, query, rows, scores);
  const best = new RankedHeap(request.k);
  rows.forEach((row, k) => best.offer(row, scores[k]));
  return { ...best.sorted(), scored: rows.length, searches: 0 };
}

/** Options of {@link exactTopK}. */
export interface ExactTopKOptions {
  /**
   * An upper bound on the norm of every vector in the index (for the rounding margin of the
   * engine's float32 inner products). Required.
   */
  maxVectorNorm: number;
  /**
   * Candidates fetched first from the engine's approximate search to set a high threshold early.
   * Default `max(256, 4 k)`; 0 to go straight to exact searches.
   */
  seedCandidates?: number;
}

/**
 * The exact top-k of a MARS query by the threshold algorithm over one sorted stream, identical to
 * {@link bruteForceTopK} (same list, same order, same scores).
 *
 * Every item's score is bounded by one inner product, r_j <= y . x_j with y the query's envelope
 * ({@link envelopeQuery}) and x_j its index vector ({@link indexVectorsOf}). The index returns
 * items in decreasing y . x_j (its exact search, one SIMD pass over the vectors, about 1/50 of
 * the work of scoring them); each is scored exactly until the next bound falls below the k-th best
 * score found (minus a rounding margin), when no unread item can enter the top-k. A first
 * approximate search seeds the threshold; the exact stream is fetched in growing pages.
 *
 * @example
 * ```ts
 * import { BruteForceItemIndex, exactTopK, indexDimensions, indexVectorsOf, prepareMemoryQuery } from 'mars-rec';
 * import { ScoringTable } from 'mars-rec';
 *
 * const table = new ScoringTable(2, 0);
 * table.append({
 *   itemVectors: Float32Array.of(1, 0, 0, 1, 0.6, 0.8),
 *   memoryVectors: Float32Array.of(1, 0, 0, 1, 0.6, 0.8),
 *   itemFactors: new Float32Array(0),
 *   biases: new Float32Array(3),
 * });
 * const rows = Int32Array.of(0, 1, 2);
 * const width = indexDimensions(table);
 * const vectors = indexVectorsOf(table, rows); // [rows, d + F + 2]
 * const index = new BruteForceItemIndex(width); // or await createItemIndex('usearch', width)
 * await index.add(rows, vectors);
 * const norms = Array.from(rows, (row) => Math.hypot(...vectors.subarray(row * width, (row + 1) * width)));
 * const top = await exactTopK(table, index, prepareMemoryQuery(table, [0]), { k: 2, exclude: new Set([0]) }, {
 *   maxVectorNorm: Math.max(...norms),
 * });
 * console.log(top.rows, top.scores); // Int32Array [2, 1] Float64Array [0.6, 0]
 * ```
 */
export async function exactTopK(
  table: ScoringTable,
  index: ItemIndex,
  query: MemoryQuery,
  request: TopKRequest,
  options: ExactTopKOptions,
): Promise<TopKResult> {
  checkK(request.k);
  const eligible = eligibility(table, request);
  const best = new RankedHeap(request.k);
  const seen = new Set<number>();
  const score = new Float64Array(1);
  const consider = (row: number): void => {
    if (seen.has(row)) return;
    seen.add(row);
    if (!eligible(row)) return;
    scoreRows(table, query, [row], score);
    best.offer(row, score[0]);
  };
  const y = query.envelope;
  const margin = boundMargin(y, options.maxVectorNorm);
  let searches = 0;
  const seed = options.seedCandidates ?? Math.max(256, 4 * request.k);
  if (seed > 0) {
    const found = await index.search(y, seed);
    searches++;
    for (const row of found.keys) consider(row);
  }
  let page = Math.max(1024, 4 * seed, 8 * request.k);
  for (;;) {
    const found = await index.search(y, page, { exact: true });
    searches++;
    let finished = found.keys.length < page;
    for (let k = 0; k < found.keys.length; k++) {
      if (best.full) {
        const threshold = best.threshold;
        if (found.scores[k] < threshold - margin(threshold)) {
          finished = true;
          break;
        }
      }
      consider(found.keys[k]);
    }
    if (finished) break;
    page *= 4;
  }
  return { ...best.sorted(), scored: seen.size, searches };
}

/** Options of {@link approximateTopK}. */
export interface ApproximateTopKOptions {
  /**
   * Candidates fetched from the engine's approximate search. Default 300: with usearch's graph and
   * 32 probed cells it found the exact top-100 with recall 0.9996 at 1M items (docs/serving.md).
   */
  candidates?: number;
  /** Cells of the engine's partition scan to probe (usearch). Default: the index's setting (32). */
  probes?: number;
  /**
   * An upper bound on the norm of every index vector: with it, candidates are scored in
   * decreasing bound and the scoring stops once the k-th best score beats the next bound (the
   * same list as scoring them all, fewer scores). Default: score every candidate.
   */
  maxVectorNorm?: number;
}

/**
 * An approximate top-k with a fixed budget: the `candidates` best items of the engine's
 * approximate search by the envelope bound are scored exactly, in decreasing bound until the
 * k-th best beats the next bound, and the best k kept (the exact threshold algorithm stopped
 * after its first page). A budget at least the catalogue's size scores every item (the exact
 * list). Recall against {@link exactTopK} is measured by `npm run bench -- serving`.
 */
export async function approximateTopK(
  table: ScoringTable,
  index: ItemIndex,
  query: MemoryQuery,
  request: TopKRequest,
  options: ApproximateTopKOptions = {},
): Promise<TopKResult> {
  checkK(request.k);
  const budget = options.candidates ?? 300;
  if (!Number.isInteger(budget) || budget < 1)
    throw new RangeError(`approximateTopK: candidates must be a positive integer, got ${budget}`);
  // excluded items (the history) take places in the engine's answer: ask for that many more
  const wanted = Math.max(budget, request.k) + (request.exclude?.size ?? 0);
  // a budget that covers the whole catalogue scores it all: the exact list, whatever the graph finds
  if (wanted >= index.size)
    return options.maxVectorNorm === undefined
      ? bruteForceTopK(table, query, request)
      : exactTopK(table, index, query, request, { maxVectorNorm: options.maxVectorNorm });
  const eligible = eligibility(table, request);
  const found = await index.search(query.envelope, wanted, { probes: options.probes });
  // by decreasing bound: once the k-th best beats a candidate's bound, it beats every later one
  const order = Array.from(found.keys.keys()).sort((a, b) => found.scores[b] - found.scores[a] || a - b);
  const margin = boundMargin(query.envelope, options.maxVectorNorm ?? Infinity);
  const best = new RankedHeap(request.k);
  const score = new Float64Array(1);
  let scored = 0;
  for (const position of order) {
    const bound = found.scores[position];
    if (best.full && bound === bound && bound < best.threshold - margin(best.threshold)) break;
    const row = found.keys[position];
    if (!eligible(row)) continue;
    scoreRows(table, query, [row], score);
    best.offer(row, score[0]);
    scored++;
  }
  return { ...best.sorted(), scored, searches: 1 };
}

/**
 * The rounding margin below a threshold under which a float32 bound y . x_j proves an item out:
 * float32 inner products over D terms are within about D * 2^-24 * |y| |x| of the true ones.
 */
function boundMargin(y: Float32Array, maxVectorNorm: number): (threshold: number) => number {
  let yNorm = 0;
  for (let i = 0; i < y.length; i++) yNorm += y[i] * y[i];
  const productError = 4 * y.length * 2 ** -24 * Math.sqrt(yNorm) * maxVectorNorm;
  return (threshold) => productError + 2 ** -20 * (1 + Math.abs(threshold));
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`top-k: k must be a positive integer, got ${k}`);
}

function eligibility(table: ScoringTable, request: TopKRequest): (row: number) => boolean {
  checkK(request.k);
  const { exclude, allowed } = request;
  return (row) => table.isLive(row) && !exclude?.has(row) && (allowed === undefined || allowed.has(row));
}

/**
 * The best `k` (row, score) pairs offered so far: a min-heap whose root is the worst kept pair
 * (lower score, or equal score and higher row), so the order matches `topK` of mars-rec/metrics.
 */
class RankedHeap {
  private readonly rows: Int32Array;
  private readonly scores: Float64Array;
  private count = 0;

  constructor(private readonly k: number) {
    this.rows = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  get full(): boolean {
    return this.count === this.k;
  }

  /** The k-th best score (valid when full). */
  get threshold(): number {
    return this.scores[0];
  }

  offer(row: number, score: number): void {
    if (Number.isNaN(score)) throw new RangeError(`top-k: the score of row ${row} is NaN`);
    if (this.count < this.k) {
      let position = this.count++;
      while (position > 0) {
        const parent = (position - 1) >> 1;
        if (!worse(row, score, this.rows[parent], this.scores[parent])) break;
        this.rows[position] = this.rows[parent];
        this.scores[position] = this.scores[parent];
        position = parent;
      }
      this.rows[position] = row;
      this.scores[position] = score;
      return;
    }
    if (!worse(this.rows[0], this.scores[0], row, score)) return;
    let position = 0;
    for (;;) {
      const left = 2 * position + 1;
      if (left >= this.count) break;
      const right = left + 1;
      const child =
        right < this.count && worse(this.rows[right], this.scores[right], this.rows[left], this.scores[left])
          ? right
          : left;
      if (!worse(this.rows[child], this.scores[child], row, score)) break;
      this.rows[position] = this.rows[child];
      this.scores[position] = this.scores[child];
      position = child;
    }
    this.rows[position] = row;
    this.scores[position] = score;
  }

  sorted(): { rows: Int32Array; scores: Float64Array } {
    const order = Array.from({ length: this.count }, (_, k) => k).sort(
      (a, b) => this.scores[b] - this.scores[a] || this.rows[a] - this.rows[b],
    );
    return {
      rows: Int32Array.from(order, (k) => this.rows[k]),
      scores: Float64Array.from(order, (k) => this.scores[k]),
    };
  }
}

/** Whether (rowA, scoreA) ranks below (rowB, scoreB). */
function worse(rowA: number, scoreA: number, rowB: number, scoreB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && rowA > rowB);
}
