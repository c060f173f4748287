/**
 * The MarsModel facade and what it alone adds: the config, the network built from it, the
 * catalogue, and the saved artifact.
 * @packageDocumentation
 */
export { MarsModel } from './mars-model';
export { DEFAULT_EVALUATION_METRICS, EVALUATION_USER_BATCH } from './mars-model-options';
export type {
  AttentionExplanation,
  EvaluateOptions,
  Recommendation,
  RecommendOptions,
} from './mars-model-options';
export { DEFAULT_MARS_CONFIG, MARS_CONFIG_BOUNDS, resolveMarsConfig } from './config';
export type { MarsConfig } from './config';
export type { FitOptions, FitResult, MarsTrainingData, WordVectorLines } from './fit-options';
export { buildMarsBlocks, namedMarsWeights } from './mars-network';
export type { MarsNetworkSizes, NamedWeight } from './mars-network';
export { ItemCatalog } from './catalog';
export { formatModelSummary, summarizeMarsBlocks } from './model-summary';
export type { ModelSummary, WeightSummary } from './model-summary';
export { loadMarsModel, saveMarsModel } from './persistence';
export type { MarsModelParts } from './persistence';
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
export { uniqueHistory } from '../ragged/unique-history';
