import { defaultRankingMetrics } from '../metrics/evaluate-ranking';
import type { AttentionUniformity } from '../serving/attention-uniformity';

/** One recommended item. */
export interface Recommendation {
  /** Item id. */
  id: string;
  /** The MARS score r = u . v (+ item bias and collaborative term when configured); higher is better. */
  score: number;
}

/** Options of {@link MarsModel.recommend}. */
export interface RecommendOptions {
  /** Number of items to return. Default 10. */
  k?: number;
  /** Item ids never to recommend (the history is always excluded too). */
  exclude?: readonly string[];
  /** Rank only these item ids. Default: the whole catalogue. */
  candidates?: readonly string[];
  /**
   * The training user (row index of `train`) the history belongs to, for a model with a
   * collaborative part (`collaborativeFactors`): their learned p_u is used. Default: none (an
   * anonymous history gets a user vector folded in from its items, `foldInUser`).
   */
  user?: number;
  /** {@link RecommendOptions.user} per history of `recommendMany`. */
  users?: readonly number[];
  /**
   * Search the attached index ({@link MarsModel.buildIndex}, {@link MarsModel.useIndex}) by the
   * threshold algorithm: the same list as scoring every item, from a fraction of the work.
   * Histories and results may then hold items added to the index after training. Default false
   * (score every item of the model's own catalogue).
   */
  exact?: boolean;
  /**
   * Search the attached index approximately: a fixed budget of `candidates` (default 300) items
   * from the vector engine, scored exactly. `true` for the default budget. Default false.
   */
  approximate?: boolean | { candidates?: number };
}

/** How much each history item contributed to a candidate's score ({@link MarsModel.explain}). */
export interface AttentionExplanation {
  /** The candidate item id. */
  item: string;
  /** The candidate's score. */
  score: number;
  /** One entry per history item kept (the most recent `maxHistory`), in history order. */
  history: { id: string; weight: number }[];
  /**
   * How close the weights are to uniform. When `nearUniform`, every history item contributes
   * about equally and the weights single none out: the score comes from the whole history, not
   * from one remembered item (docs/quality.md measures how often this happens per data set).
   */
  uniformity: AttentionUniformity;
}

/** Options of {@link MarsModel.evaluate}. */
export interface EvaluateOptions {
  /** Metric names (see `mars-rec/metrics`). Default {@link DEFAULT_EVALUATION_METRICS}. */
  metrics?: readonly string[];
  /** Users scored per batch. Default {@link EVALUATION_USER_BATCH} (64). */
  userBatchSize?: number;
  /** Evaluate only these users. Default: every user with a target. */
  users?: Int32Array;
  /** Called after each scored batch with users done and users to score (full ranking takes seconds). */
  onProgress?: (usersDone: number, usersTotal: number) => void;
}

/**
 * The metrics {@link MarsModel.evaluate} and `mars-rec evaluate` report by default: the
 * evaluator's own default list (`defaultRankingMetrics`: recall@10, recall@50, precision@10,
 * ndcg@10, map@500, hit@10, mrr; the report's recall@50 and MAP@500 included).
 */
export const DEFAULT_EVALUATION_METRICS: readonly string[] = defaultRankingMetrics;

/** Users scored per batch by {@link MarsModel.evaluate} and `mars-rec evaluate`. */
export const EVALUATION_USER_BATCH = 64;
