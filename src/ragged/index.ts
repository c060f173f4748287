/**
 * Ragged-aware padding and masking: TF.js has no ragged tensors, so token sequences and
 * histories travel as flat `{ values, rowSplits }` rows and become dense blocks only at the
 * last moment, each padded no wider than it must be.
 *
 * `padRows` / `unpadRows` / `maskFromLengths` pad and truncate (`'pre'`/`'post'`);
 * `uniqueRows` deduplicates the documents of a batch; `bucketRows` groups documents by length
 * under a token budget; `capHistory` is the one rule that caps a history (its most recent
 * items) and `historyOfRow` reads a user's history from a matrix; `historyMatrix` pads a batch's histories to its own longest (capped);
 * `planTripletDocuments` does all of it for one BPR batch. This entry is TensorFlow-free; the
 * tensor helpers (`idsTensor`, `encodeBuckets`, ...) live apart in `ragged/tensors`, the one
 * file of the folder that imports `@tensorflow/tfjs-core`.
 * @packageDocumentation
 */
export type { RaggedRows, GatherRaggedOptions } from './ragged-rows';
export {
  checkRaggedRows,
  gatherRagged,
  raggedFromLengths,
  raggedFromRows,
  raggedRow,
  raggedRowCount,
  raggedRowLength,
  raggedRowLengths,
  raggedToArrays,
  rowSplitsFromLengths,
} from './ragged-rows';
export type { Side } from './side';
export { padRows, unpadRows } from './pad';
export type { PadOptions, PaddedBlock, PaddedRows } from './pad';
export { maskFromLengths } from './mask';
export { uniqueRows } from './unique-rows';
export type { UniqueRows, UniqueRowsOptions } from './unique-rows';
export { bucketRows, DEFAULT_TOKEN_BUDGET } from './length-buckets';
export type { BucketOptions, LengthBucket, LengthBuckets } from './length-buckets';
export { historyMatrix, DEFAULT_MAX_HISTORY } from './history-matrix';
export { capHistory, chronologicalPositions, historiesOfRows, historyOfRow } from './cap-history';
export type { TimedRows } from './cap-history';
export { uniqueHistory } from './unique-history';
export type { HistoryMatrix, HistoryMatrixOptions } from './history-matrix';
export { planTripletDocuments } from './triplet-documents';
export type { TripletBatchItems, TripletDocumentOptions, TripletDocumentPlan } from './triplet-documents';
