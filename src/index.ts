/**
 * mars-rec: MARS (Memory Attention-Aware Recommender System) on TensorFlow.js.
 *
 * The root entry exports the public building blocks, folder by folder (internal helpers stay
 * in their modules). The subpaths `mars-rec/text`, `mars-rec/data`, `mars-rec/sampling` and
 * `mars-rec/metrics` never import TensorFlow.
 * @packageDocumentation
 * @module mars-rec
 */
export * from './text/index';
export * from './data/index';
export * from './sampling/index';
export * from './metrics/index';
export type { GatherRaggedOptions, RaggedRows, Side, TimedRows } from './ragged/index';
export type { BucketOptions, LengthBucket, LengthBuckets } from './ragged/index';
export type {
  HistoryMatrix,
  HistoryMatrixOptions,
  PadOptions,
  PaddedBlock,
  PaddedRows,
} from './ragged/index';
export type { TripletBatchItems, TripletDocumentOptions, TripletDocumentPlan } from './ragged/index';
export type { UniqueRows, UniqueRowsOptions } from './ragged/index';
export {
  bucketRows,
  capHistory,
  chronologicalPositions,
  DEFAULT_MAX_HISTORY,
  DEFAULT_TOKEN_BUDGET,
  gatherRagged,
  historiesOfRows,
  historyMatrix,
  historyOfRow,
  maskFromLengths,
  padRows,
  planTripletDocuments,
  raggedFromLengths,
  raggedFromRows,
  uniqueRows,
  unpadRows,
} from './ragged/index';
export { encodeBuckets, historyTensors } from './ragged/tensors';
export type { EncodeBucketsOptions, HistoryTensors, TokenEncoder } from './ragged/tensors';
export { generateSyntheticCorpus } from './synthetic/index';
export type {
  SyntheticCorpus,
  SyntheticCorpusOptions,
  SyntheticInteraction,
  SyntheticItem,
} from './synthetic/index';
export * from './collaborative/index';
export { PopularityRecommender } from './baselines/popularity';
export type { PopularityJson } from './baselines/popularity';
export * from './layers/index';
export * from './training/index';
export * from './serving/index';
export * from './model/index';
export * from './backend/index';
export * from './reporting/index';
