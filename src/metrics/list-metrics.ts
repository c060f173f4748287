import { idealDcgTable, listMetricValue, RankedRelevance } from './ranked-relevance';
import type { ListMetricKind } from './ranked-relevance';
import { describe, relevantLookup } from './relevant-items';
import type { RelevantItems } from './relevant-items';

/**
 * How average precision at `k` is normalised: the sum of precisions at the relevant positions of
 * the top `k` is divided by
 * - `'min(k,|R|)'` (default): `min(k, |R|)`, so a perfect top-`k` list scores 1 even when the
 *   user has more than `k` relevant items (the MARS report's MAP@500);
 * - `'|R|'`: `|R|`, the classic information-retrieval AveP truncated at `k`; it cannot reach 1
 *   when `|R| > k`.
 */
export type AveragePrecisionNormalization = 'min(k,|R|)' | '|R|';

/** Options of {@link averagePrecisionAtK}. */
export interface AveragePrecisionOptions {
  /** The denominator of the sum. Default `'min(k,|R|)'`. */
  normalization?: AveragePrecisionNormalization;
}

/**
 * Marks which of the first `min(k, ranked.length)` items of a ranking are relevant.
 * @returns the relevance flags (1 = relevant) and `|R|`.
 */
function relevanceAtTop(
  ranked: Int32Array,
  relevant: RelevantItems,
  k: number,
  caller: string,
): { flags: Uint8Array; relevantCount: number } {
  if (!(ranked instanceof Int32Array)) {
    throw new TypeError(`${caller}: ranked must be an Int32Array of item indices, got ${describe(ranked)}`);
  }
  checkCutoff(k, caller);
  const lookup = relevantLookup(relevant, caller);
  const length = Math.min(k, ranked.length);
  const flags = new Uint8Array(length);
  const seen = new Set<number>();
  for (let position = 0; position < length; position++) {
    const item = ranked[position];
    if (seen.has(item)) {
      throw new RangeError(
        `${caller}: ranked lists item ${item} twice (second time at position ${position}); a ` +
          `ranking must list each item once`,
      );
    }
    seen.add(item);
    if (lookup.has(item)) flags[position] = 1;
  }
  return { flags, relevantCount: lookup.size };
}

/**
 * Throws when `k` is not a positive integer.
 * @param k - the cutoff to check.
 * @param caller - the public function's name, for the message.
 */
export function checkCutoff(k: number, caller: string): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`${caller}: k must be an integer >= 1 (a cutoff in items), got ${String(k)}`);
  }
}

/** One list metric of one ranking, by the formulas `evaluateRanking` uses too ({@link listMetricValue}). */
function measure(
  kind: ListMetricKind,
  ranked: Int32Array,
  relevant: RelevantItems,
  k: number,
  caller: string,
  normalization?: AveragePrecisionNormalization,
): number {
  const { flags, relevantCount } = relevanceAtTop(ranked, relevant, k, caller);
  const relevance = new RankedRelevance(flags.length);
  for (const flag of flags) relevance.push(flag === 1);
  const idealDcg = idealDcgTable(Math.min(relevantCount, k));
  return listMetricValue(kind, k, relevance, relevantCount, idealDcg, normalization);
}

/**
 * Recall at `k`: the share of the relevant items found in the top `k` of the ranking,
 * `|top_k ∩ R| / |R|`.
 * @param ranked - item indices, best first (only the first `k` are read; a shorter list is a
 *   list that ran out of items).
 * @param relevant - the user's relevant items: a sorted `Int32Array` or a `Set`.
 * @param k - the cutoff in items, an integer >= 1.
 * @returns a value in [0, 1]; NaN when `relevant` is empty (recall is undefined then).
 */
export function recallAtK(ranked: Int32Array, relevant: RelevantItems, k: number): number {
  return measure('recall', ranked, relevant, k, 'recallAtK');
}

/**
 * Precision at `k`: `|top_k ∩ R| / k`. The denominator is `k` even when the ranking holds fewer
 * than `k` items (a short list is penalised, as in the MARS report).
 * @param ranked - item indices, best first.
 * @param relevant - the user's relevant items: a sorted `Int32Array` or a `Set`.
 * @param k - the cutoff in items, an integer >= 1.
 * @returns a value in [0, 1]; 0 when `relevant` is empty.
 */
export function precisionAtK(ranked: Int32Array, relevant: RelevantItems, k: number): number {
  return measure('precision', ranked, relevant, k, 'precisionAtK');
}

/**
 * Hit rate at `k`: 1 when at least one relevant item is in the top `k`, else 0.
 * @param ranked - item indices, best first.
 * @param relevant - the user's relevant items: a sorted `Int32Array` or a `Set`.
 * @param k - the cutoff in items, an integer >= 1.
 * @returns 0 or 1; 0 when `relevant` is empty.
 */
export function hitAtK(ranked: Int32Array, relevant: RelevantItems, k: number): number {
  return measure('hit', ranked, relevant, k, 'hitAtK');
}

/**
 * Average precision at `k` (its mean over users is MAP@k). With `rel(i)` = 1 when the item at
 * rank `i` (1-based) is relevant and `P(i)` = precision at `i`:
 *
 * - default, `normalization: 'min(k,|R|)'`:
 *   `AP@k = (1 / min(k, |R|)) * sum_{i=1..k} P(i) * rel(i)`
 * - `normalization: '|R|'`:
 *   `AP@k = (1 / |R|) * sum_{i=1..k} P(i) * rel(i)`
 *
 * They agree when `|R| <= k`. The default reaches 1 for a perfect list even when `|R| > k`.
 * @param ranked - item indices, best first.
 * @param relevant - the user's relevant items: a sorted `Int32Array` or a `Set`.
 * @param k - the cutoff in items, an integer >= 1.
 * @param options - the normalization; see {@link AveragePrecisionNormalization}.
 * @returns a value in [0, 1]; NaN when `relevant` is empty.
 */
export function averagePrecisionAtK(
  ranked: Int32Array,
  relevant: RelevantItems,
  k: number,
  options: AveragePrecisionOptions = {},
): number {
  const normalization = checkNormalization(options.normalization, 'averagePrecisionAtK');
  return measure('map', ranked, relevant, k, 'averagePrecisionAtK', normalization);
}

/**
 * Checks an average-precision normalization and applies the default.
 * @param normalization - the option as given.
 * @param caller - the public function's name, for the message.
 */
export function checkNormalization(
  normalization: AveragePrecisionNormalization | undefined,
  caller: string,
): AveragePrecisionNormalization {
  if (normalization === undefined) return 'min(k,|R|)';
  if (normalization !== 'min(k,|R|)' && normalization !== '|R|') {
    throw new RangeError(
      `${caller}: normalization must be 'min(k,|R|)' or '|R|', got ${JSON.stringify(normalization)}`,
    );
  }
  return normalization;
}

/**
 * Normalised discounted cumulative gain at `k` with binary gains:
 * `DCG@k = sum_{i=1..k} rel(i) / log2(i + 1)` (rank `i` 1-based),
 * `IDCG@k = sum_{i=1..min(|R|, k)} 1 / log2(i + 1)`, `NDCG@k = DCG@k / IDCG@k`.
 * @param ranked - item indices, best first.
 * @param relevant - the user's relevant items: a sorted `Int32Array` or a `Set`.
 * @param k - the cutoff in items, an integer >= 1.
 * @returns a value in [0, 1]; NaN when `relevant` is empty.
 */
export function ndcgAtK(ranked: Int32Array, relevant: RelevantItems, k: number): number {
  return measure('ndcg', ranked, relevant, k, 'ndcgAtK');
}

/**
 * Reciprocal rank: `1 / rank` of the first relevant item (rank 1-based) among the first `k`
 * items; its mean over users is MRR.
 * @param ranked - item indices, best first.
 * @param relevant - the user's relevant items: a sorted `Int32Array` or a `Set`.
 * @param k - optional cutoff in items (an integer >= 1); default: the whole list.
 * @returns a value in (0, 1], or 0 when no relevant item is within the cutoff (also when
 *   `relevant` is empty).
 */
export function reciprocalRank(ranked: Int32Array, relevant: RelevantItems, k?: number): number {
  return measure('mrr', ranked, relevant, k ?? Math.max(1, ranked?.length ?? 1), 'reciprocalRank');
}
