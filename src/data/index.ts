/**
 * Loading, cleaning, splitting and describing interaction data. TensorFlow-free.
 * @packageDocumentation
 * @module mars-rec/data
 */
export type { CsrMatrix } from './csr';
export { sortedRowContains } from './csr';
export { InteractionDataset } from './interaction-dataset';
export type { InteractionRecord, ItemRecord } from './interaction-dataset';
export {
  DataFormatError,
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
