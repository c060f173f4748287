/**
 * Loading, cleaning, splitting and describing interaction data. TensorFlow-free.
 * @packageDocumentation
 * @module mars-rec/data
 */
export type { CsrMatrix, TimestampArray } from './csr';
export { sortedRowContains } from './csr';
export { InteractionDataset } from './interaction-dataset';
export type { InteractionDatasetParts, InteractionRecord, ItemRecord } from './interaction-dataset';
export { IdInterner } from './id-interner';
export type { IdList } from './id-interner';
export { InteractionColumns } from './interaction-columns';
export type { CompactInteractions, InteractionColumnsOptions } from './interaction-columns';
export { readInteractionsCsv } from './streaming-csv';
export type { ReadInteractionsOptions, StreamedInteractions } from './streaming-csv';
export { readInteractionsParquet, readItemsParquet, convertToParquet } from './parquet-source';
export { readInteractionsArrow, readItemsArrow } from './arrow-source';
export { TokenStore, TokenStoreBuilder } from './token-store';
export type { TokenStoreParts } from './token-store';
export { loadItemTokens, hashFile } from './load-items';
export type { LoadedItemTokens, LoadItemTokensOptions } from './load-items';
export { loadDataset, readInteractions } from './load-dataset';
export type { LoadDatasetOptions, LoadReport } from './load-dataset';
export { parseBinaryFile, readBinaryFile, writeBinaryFile } from './binary-file';
export type { BinaryColumn, BinaryFileContents } from './binary-file';
export {
  DataFormatError,
  decodeUtf8Line,
  loadInteractionsCsv,
  loadItemsJsonl,
  loadMindBehaviors,
  loadMindNews,
  loadMovieLensRatings,
  readLines,
  splitCsvLine,
} from './loaders';
export type { LineSource } from './loaders';
export { loadMovieLensMovies } from './movielens-movies';
export type { MovieLensItem, MovieLensMoviesOptions } from './movielens-movies';
export { loadAmazonMetadata, loadAmazonReviews } from './amazon-reviews';
export type { AmazonItem, AmazonMetadataOptions, AmazonTextField } from './amazon-reviews';
export { interactionsCsvLines, itemsJsonlLines } from './format-lines';
export { preprocess } from './preprocess';
export type { PreprocessOptions, PreprocessReport } from './preprocess';
export { rowsToCsr, splitPerUser, UserSplit } from './split';
export type { SplitOptions, SplitStrategy, UserSplitJson } from './split';
export { describeDataset, summarizeDistribution } from './statistics';
export type { DatasetStatistics, Summary } from './statistics';
