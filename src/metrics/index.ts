/**
 * Ranking metrics and a full-ranking evaluator on typed arrays and CSR matrices.
 * TensorFlow-free: other projects can use `mars-rec/metrics` without TensorFlow.js.
 * @packageDocumentation
 * @module mars-rec/metrics
 */
export type { RelevantItems } from './relevant-items';
export { topK, TopKSelector } from './top-k';
export type { ItemExclusion } from './top-k';
export {
  recallAtK,
  precisionAtK,
  hitAtK,
  averagePrecisionAtK,
  ndcgAtK,
  reciprocalRank,
} from './list-metrics';
export type { AveragePrecisionNormalization, AveragePrecisionOptions } from './list-metrics';
export { auc } from './auc';
export { catalogueCoverage } from './coverage';
export { parseMetricName } from './metric-name';
export type { MetricKind, MetricSpec } from './metric-name';
export { summarize } from './summary';
export type { MetricSummary } from './summary';
export { evaluateRanking, defaultRankingMetrics } from './evaluate-ranking';
export type {
  EvaluateRankingOptions,
  RankingEvaluation,
  RankingScorer,
  SkipReason,
} from './evaluate-ranking';
export { evaluateSampledUsers, sampleEvaluationUsers } from './sample-users';
export type { SampledEvaluation, SampledEvaluationOptions } from './sample-users';
export { formatMetricsTable } from './format-table';
export type { EvaluationSummary, MetricsTableOptions } from './format-table';
