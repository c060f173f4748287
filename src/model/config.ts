import { DEFAULT_MAX_HISTORY } from '../ragged/history-matrix';
import type { WordBoundaries } from '../text/tokenizer';
import { DEFAULT_LAMBDA } from '../training/defaults';

/**
 * The architecture of a MARS model. Every field has a documented default; {@link resolveMarsConfig}
 * fills them in and validates the result.
 */
export interface MarsConfig {
  /** Word embedding size E. Default 64. */
  embeddingDim: number;
  /** Convolution filters F per kernel size. Default 100. */
  filters: number;
  /** Convolution kernel widths, in tokens. Default [3]. */
  kernelSizes: number[];
  /** Item and memory vector size d. Default 64. */
  outputDim: number;
  /**
   * Train the word embeddings (true) or keep them at their initial values, useful with
   * pretrained vectors (`FitOptions.wordVectors`). Default true.
   */
  trainableWordEmbeddings: boolean;
  /** Dropout rate after max-pooling, during training only. Default 0. */
  dropout: number;
  /** Longest history kept per user (memory slots), in items; longer histories are capped. Default 50. */
  maxHistory: number;
  /** Longest document kept, in tokens after stopword removal; longer ones are truncated. Default 300. */
  maxDocumentLength: number;
  /** lambda_u of eq. 4: weight of the squared norm of the adaptive user vectors. Default 1e-4. */
  lambdaU: number;
  /** lambda_v of eq. 4: weight of the squared norm of the item vectors. Default 1e-4. */
  lambdaV: number;
  /**
   * One CNN for both the memory (user side) and the candidates (item side) instead of the paper's
   * two (f_user and f_item). Default false (the paper's form).
   */
  sharedEncoder: boolean;
  /** How the memory is read: `'attention'` (MARS) or `'mean'` (the ablation's plain average). Default `'attention'`. */
  aggregation: 'attention' | 'mean';
  /** Add a learned per-item bias to each score (captures popularity). Default false (the paper's form). */
  itemBias: boolean;
  /**
   * Add a learned item-ID embedding to the text vector of items seen in training (both sides);
   * unseen (cold) items keep their text-only vector. Default false (the paper's form).
   */
  itemIdEmbedding: boolean;
  /**
   * Factors of the collaborative part: when > 0, the score adds a BPR-MF term p_u . q_j + b_j
   * (`fitCollaborativePart`), fitted on the training positives before the text parts train
   * and then kept fixed, so the text CNN and the attention learn what it misses. The user
   * term applies to the training users (their row in `train`); an anonymous history gets a
   * user vector folded in from its items (`foldInUser`), and items unseen in training get zero
   * factors. 0 = off (the paper's
   * text-only form). Default 64: on movies_tmdb_small's validation split the text-only form stays
   * at the popularity level (recall@50 about 0.21), with this part 0.285 (docs/quality.md).
   */
  collaborativeFactors: number;
  /** Vocabulary: drop words seen fewer times than this over all item texts. Default 2. */
  minWordCount: number;
  /** Vocabulary: keep at most this many words (most frequent first). Default 50,000. */
  maxVocabularySize: number;
  /** Stopword lists removed from item texts (built-in language codes). Default ['en']. */
  stopwords: string[];
  /** Strip HTML tags and decode entities before tokenizing. Default true. */
  stripHtml: boolean;
  /**
   * How item texts are cut into words (`TokenizerOptions.wordBoundaries`). `'unicode'` (the
   * default) keeps combining marks inside words and splits Thai, Lao, Khmer, Myanmar, Chinese
   * and Japanese text at dictionary word boundaries (Hindi `हिन्दी`, Arabic `مُحَمَّد` stay one
   * word); `'report'` is the MARS report's `\w+` words, which break at such marks. Both agree on
   * ASCII text. Models saved before this field existed load with `'report'`, the tokenizer
   * they were trained with.
   */
  wordBoundaries: WordBoundaries;
}

/**
 * The largest value each size of {@link MarsConfig} may take: a config (from code, from
 * `mars-rec train --config` or from a saved model) beyond them is refused before anything is
 * allocated. Sizes in their fields' units (vector components, tokens, items, words).
 */
export const MARS_CONFIG_BOUNDS = Object.freeze({
  embeddingDim: 4096,
  filters: 4096,
  outputDim: 4096,
  collaborativeFactors: 4096,
  /** Widest convolution kernel, in tokens. */
  kernelSize: 64,
  /** Most kernel sizes. */
  kernelSizes: 16,
  maxHistory: 10_000,
  maxDocumentLength: 100_000,
  maxVocabularySize: 10_000_000,
  minWordCount: 1_000_000_000,
  /** Most stopword lists. */
  stopwords: 64,
} as const);

/**
 * The defaults of {@link MarsConfig}: MARS at the report's sizes with a fixed collaborative part
 * (`collaborativeFactors: 64`); `collaborativeFactors: 0` is the paper's text-only form.
 */
export const DEFAULT_MARS_CONFIG: Readonly<MarsConfig> = Object.freeze({
  embeddingDim: 64,
  filters: 100,
  kernelSizes: [3],
  outputDim: 64,
  dropout: 0,
  trainableWordEmbeddings: true,
  maxHistory: DEFAULT_MAX_HISTORY,
  maxDocumentLength: 300,
  lambdaU: DEFAULT_LAMBDA,
  lambdaV: DEFAULT_LAMBDA,
  sharedEncoder: false,
  aggregation: 'attention',
  itemBias: false,
  itemIdEmbedding: false,
  collaborativeFactors: 64,
  minWordCount: 2,
  maxVocabularySize: 50_000,
  stopwords: ['en'],
  stripHtml: true,
  wordBoundaries: 'unicode',
});

/**
 * Fills in defaults and validates a partial config; throws a `RangeError` or `TypeError` naming
 * the field and the value on anything invalid, including a size beyond
 * {@link MARS_CONFIG_BOUNDS}.
 */
export function resolveMarsConfig(partial: Partial<MarsConfig> = {}): MarsConfig {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) {
    throw new TypeError(
      `MarsConfig must be an object of MarsConfig fields, got ${partial === null ? 'null' : Array.isArray(partial) ? 'an array' : typeof partial}`,
    );
  }
  for (const key of ['kernelSizes', 'stopwords'] as const) {
    if (partial[key] !== undefined && !Array.isArray(partial[key]))
      throw new TypeError(`MarsConfig.${key} must be an array, got ${JSON.stringify(partial[key])}`);
  }
  const config: MarsConfig = {
    ...DEFAULT_MARS_CONFIG,
    ...partial,
    kernelSizes: [...(partial.kernelSizes ?? DEFAULT_MARS_CONFIG.kernelSizes)],
    stopwords: [...(partial.stopwords ?? DEFAULT_MARS_CONFIG.stopwords)],
  };
  const known = new Set(Object.keys(DEFAULT_MARS_CONFIG));
  for (const key of Object.keys(partial)) {
    if (!known.has(key))
      throw new TypeError(`MarsConfig: unknown field '${key}'; known fields: ${[...known].join(', ')}`);
  }
  for (const key of [
    'embeddingDim',
    'filters',
    'outputDim',
    'maxHistory',
    'maxDocumentLength',
    'minWordCount',
    'maxVocabularySize',
  ] as const)
    boundedInteger(config, key, 1, MARS_CONFIG_BOUNDS[key]);
  boundedInteger(config, 'collaborativeFactors', 0, MARS_CONFIG_BOUNDS.collaborativeFactors);
  const widest = MARS_CONFIG_BOUNDS.kernelSize;
  if (
    config.kernelSizes.length === 0 ||
    config.kernelSizes.length > MARS_CONFIG_BOUNDS.kernelSizes ||
    !config.kernelSizes.every((k) => Number.isInteger(k) && k >= 1 && k <= widest)
  ) {
    throw new RangeError(
      `MarsConfig.kernelSizes must be a list of 1 to ${MARS_CONFIG_BOUNDS.kernelSizes} integers in [1, ${widest}], got ${JSON.stringify(config.kernelSizes)}`,
    );
  }
  if (
    config.stopwords.length > MARS_CONFIG_BOUNDS.stopwords ||
    !config.stopwords.every((language) => typeof language === 'string')
  ) {
    throw new TypeError(
      `MarsConfig.stopwords must be a list of at most ${MARS_CONFIG_BOUNDS.stopwords} language codes, got ${JSON.stringify(config.stopwords)}`,
    );
  }
  if (config.wordBoundaries !== 'unicode' && config.wordBoundaries !== 'report') {
    throw new RangeError(
      `MarsConfig.wordBoundaries must be 'unicode' or 'report', got ${JSON.stringify(config.wordBoundaries)}`,
    );
  }
  if (!(config.dropout >= 0 && config.dropout < 1)) {
    throw new RangeError(`MarsConfig.dropout must be in [0, 1), got ${config.dropout}`);
  }
  for (const key of ['lambdaU', 'lambdaV'] as const) {
    if (!(config[key] >= 0) || !Number.isFinite(config[key])) {
      throw new RangeError(`MarsConfig.${key} must be a finite number >= 0, got ${config[key]}`);
    }
  }
  if (config.aggregation !== 'attention' && config.aggregation !== 'mean') {
    throw new RangeError(
      `MarsConfig.aggregation must be 'attention' or 'mean', got '${String(config.aggregation)}'`,
    );
  }
  for (const key of [
    'sharedEncoder',
    'itemBias',
    'itemIdEmbedding',
    'stripHtml',
    'trainableWordEmbeddings',
  ] as const) {
    if (typeof config[key] !== 'boolean')
      throw new TypeError(`MarsConfig.${key} must be a boolean, got ${String(config[key])}`);
  }
  return config;
}

function boundedInteger(config: MarsConfig, key: keyof MarsConfig, min: number, max: number): void {
  const value = config[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = min === 1 ? 'a positive integer' : `an integer >= ${min}`;
    throw new RangeError(
      `MarsConfig.${key} must be ${range} at most ${max.toLocaleString('en-US')} (MARS_CONFIG_BOUNDS), got ${JSON.stringify(value)}`,
    );
  }
}
