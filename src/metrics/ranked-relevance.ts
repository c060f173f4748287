import type { AveragePrecisionNormalization } from './list-metrics';

/** The list metrics read from a {@link RankedRelevance}: those with a cutoff `k` (and `mrr@k`). */
export type ListMetricKind = 'recall' | 'precision' | 'hit' | 'ndcg' | 'map' | 'mrr';

/**
 * Cumulative statistics of the top of one ranking, position by position: hits, DCG with binary
 * gains, and the sum of precisions at the relevant positions. Every list metric at every cutoff
 * is a formula over them ({@link listMetricValue}), which `recallAtK` and friends and
 * `evaluateRanking` share. Reused across rankings (`reset`), so the evaluator allocates it once.
 */
export class RankedRelevance {
  /** `hitsAt[p]`: relevant items among the first `p` positions. */
  readonly hitsAt: Float64Array;
  /** `dcgAt[p]`: sum over the first `p` positions of rel(i) / log2(i + 1), ranks 1-based. */
  readonly dcgAt: Float64Array;
  /** `precisionSumAt[p]`: sum over the relevant positions i <= p of P(i). */
  readonly precisionSumAt: Float64Array;
  /** Positions pushed since the last `reset`. */
  length = 0;
  /** 1-based rank of the first relevant position; 0 when none so far. */
  firstRank = 0;

  /** @param capacity - the most positions a ranking will push (the largest cutoff). */
  constructor(capacity: number) {
    this.hitsAt = new Float64Array(capacity + 1);
    this.dcgAt = new Float64Array(capacity + 1);
    this.precisionSumAt = new Float64Array(capacity + 1);
  }

  /** Starts a new ranking. */
  reset(): void {
    this.length = 0;
    this.firstRank = 0;
  }

  /** Appends the next position of the ranking. */
  push(relevant: boolean): void {
    const p = this.length++;
    if (relevant) {
      const hits = this.hitsAt[p] + 1;
      this.hitsAt[p + 1] = hits;
      this.dcgAt[p + 1] = this.dcgAt[p] + 1 / Math.log2(p + 2);
      this.precisionSumAt[p + 1] = this.precisionSumAt[p] + hits / (p + 1);
      if (this.firstRank === 0) this.firstRank = p + 1;
    } else {
      this.hitsAt[p + 1] = this.hitsAt[p];
      this.dcgAt[p + 1] = this.dcgAt[p];
      this.precisionSumAt[p + 1] = this.precisionSumAt[p];
    }
  }
}

/** `[n + 1]` ideal DCG with binary gains: entry `m` is sum_{i=1..m} 1 / log2(i + 1). */
export function idealDcgTable(n: number): Float64Array {
  const ideal = new Float64Array(n + 1);
  for (let position = 1; position <= n; position++)
    ideal[position] = ideal[position - 1] + 1 / Math.log2(position + 1);
  return ideal;
}

/**
 * The value of a list metric at cutoff `k` for one ranking (definitions in `list-metrics.ts`):
 * with `p = min(k, positions pushed)`, recall = hits(p) / |R|, precision = hits(p) / k,
 * hit = [hits(p) > 0], NDCG = DCG(p) / IDCG(min(|R|, k)), AP = precisionSum(p) / min(k, |R|)
 * (or / |R|), MRR@k = 1 / first rank when within `k`, else 0. With `|R| = 0`, recall, NDCG and
 * AP are NaN (undefined), the others 0.
 * @param relevantCount - |R|, the user's relevant items.
 * @param idealDcg - an {@link idealDcgTable} covering `min(|R|, k)`.
 */
export function listMetricValue(
  kind: ListMetricKind,
  k: number,
  relevance: RankedRelevance,
  relevantCount: number,
  idealDcg: Float64Array,
  normalization: AveragePrecisionNormalization = 'min(k,|R|)',
): number {
  const p = Math.min(k, relevance.length);
  switch (kind) {
    case 'recall':
      return relevance.hitsAt[p] / relevantCount;
    case 'precision':
      return relevance.hitsAt[p] / k;
    case 'hit':
      return relevance.hitsAt[p] > 0 ? 1 : 0;
    case 'ndcg':
      return relevance.dcgAt[p] / idealDcg[Math.min(relevantCount, k)];
    case 'map':
      return (
        relevance.precisionSumAt[p] / (normalization === '|R|' ? relevantCount : Math.min(k, relevantCount))
      );
    case 'mrr':
      return relevance.firstRank > 0 && relevance.firstRank <= k ? 1 / relevance.firstRank : 0;
  }
}
