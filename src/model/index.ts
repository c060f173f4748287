/**
 * The MarsModel facade and its pieces: config, BPR loss, cached ranking, artifacts.
 * @packageDocumentation
 */
export { MarsModel, DEFAULT_EVALUATION_METRICS } from './mars-model';
export type { AttentionExplanation, EvaluateOptions, Recommendation, RecommendOptions } from './mars-model';
export { DEFAULT_MARS_CONFIG, MARS_CONFIG_BOUNDS, resolveMarsConfig } from './config';
export type { MarsConfig } from './config';
export type {
  BatchEndEvent,
  EpochEndEvent,
  FitOptions,
  FitResult,
  MarsTrainingData,
  ValidationEvent,
  WordVectorLines,
} from './fit-options';
export { bprLoss, bprLossOfPairs } from './loss';
export type { BprLossInputs, BprLossWeights } from './loss';
export { maskedSoftmaxOverHistory, scoreAllItems } from './ranking';
export type { ScoreAllItemsOptions } from './ranking';
export { ItemCatalog } from './catalog';
export { LazyAdamOptimizer } from './lazy-adam';
export {
  addCollaborativeScores,
  collaborativePairScores,
  collaborativeUserVectors,
  fitCollaborativePart,
  foldInUser,
} from './collaborative';
export type { CollaborativeFitOptions, FoldInOptions } from './collaborative';
export {
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  checkWeightSpecs,
  fileSystemHandler,
  loadArtifact,
  resolveArtifactHandler,
  saveArtifact,
} from './artifact';
export type { ArtifactContents, ArtifactLocation } from './artifact';
export { atomicDirectoryPaths, settleDirectory, writeDirectoryAtomically } from './atomic-directory';
export type { AtomicDirectoryOptions, DirectorySettlement } from './atomic-directory';
export { uniqueHistory } from './unique-history';
