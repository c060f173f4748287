/** One recommended item as a model returns it. */
export interface Recommendation {
  /** Item id. */
  id: string;
  /** The model's score; higher is better. */
  score: number;
}

/** How much each history item shaped one candidate's score (MARS's attention). */
export interface AttentionExplanation {
  /** The candidate item id. */
  item: string;
  /** The candidate's score. */
  score: number;
  /** The attention weight of each history item kept, in history order. */
  history: { id: string; weight: number }[];
}

/**
 * One recommendation the service asks of a model. Ids are ones the model knows (the service
 * has set the unknown ones aside).
 */
export interface RecommendationQuery {
  /** Item ids, oldest first. */
  history: readonly string[];
  /** Row of the user in the model's training data, when the request named a known user. */
  user?: number;
  /** Number of items wanted. */
  k: number;
  /** Item ids never to return (the history is excluded too). */
  exclude: readonly string[];
}

/**
 * What the HTTP service needs of a recommender: MARS (`servedMarsModel`), the popularity and
 * BPR-MF baselines (`servedPopularity`, `servedBprMf`), or your own. `recommendMany` gets every
 * request of a batch at once, so a model that scores histories together pays one scoring call.
 */
export interface ServedModel {
  /** What kind of model this is, e.g. `mars`, `bpr-mf`, `popularity`. */
  readonly kind: string;
  /** Number of items it ranks. */
  readonly itemCount: number;
  /**
   * Whether it needs a known user for every request (BPR-MF learns nothing from a history
   * alone). Default false.
   */
  readonly needsUser?: boolean;
  /** Whether the model knows this item id. */
  hasItem(id: string): boolean;
  /** The top items of each query, best first, at most `k` each. */
  recommendMany(queries: readonly RecommendationQuery[]): Promise<Recommendation[][]>;
  /** Attention weights of each history item for one candidate; absent when the model cannot say. */
  explain?(history: readonly string[], item: string, user?: number): Promise<AttentionExplanation>;
  /** Facts for `GET /info` (configuration, sizes). */
  describe(): Record<string, unknown>;
  /** Tensors alive in the backend, for `GET /info` (leak watching); absent without TensorFlow. */
  tensorCount?(): number;
}

/**
 * Drops each query's excluded ids from a ranking that was asked for `k + exclude.length` items
 * without them, and keeps the first `k`.
 */
export function withoutExcluded(
  ranking: readonly Recommendation[],
  query: RecommendationQuery,
): Recommendation[] {
  if (query.exclude.length === 0) return ranking.slice(0, query.k);
  const excluded = new Set(query.exclude);
  const kept: Recommendation[] = [];
  for (const recommendation of ranking) {
    if (kept.length === query.k) break;
    if (!excluded.has(recommendation.id)) kept.push(recommendation);
  }
  return kept;
}
