import type * as tf from '@tensorflow/tfjs-core';
import type { CsrMatrix } from '../data/csr';
import type { TokenStore } from '../data/token-store';
import type { CollaborativeFitOptions } from './collaborative';

/** What {@link MarsModel.fit} trains on: the item catalogue and the training positives. */
export interface MarsTrainingData {
  /** Item ids by dense item index. */
  itemIds: readonly string[];
  /** Item texts, aligned with `itemIds` (or give `itemTokens`). */
  itemTexts?: readonly string[];
  /**
   * The items already tokenised (`loadDataset`'s `dataset.itemTokens`, aligned with `itemIds`),
   * instead of `itemTexts`: the vocabulary comes from its counts, nothing is tokenised again.
   * Its tokenizer must have the model's settings (`stripHtml`, `stopwords`).
   */
  itemTokens?: TokenStore;
  /** Training positives, users x items (`columnCount = itemIds.length`), optional timestamps. */
  train: CsrMatrix;
  /** Held-out positives for validation (early stopping); same shape as `train`. Optional. */
  validation?: CsrMatrix;
}

/** Progress after one training step, given to {@link FitOptions.onBatchEnd}. */
export interface BatchEndEvent {
  /** Steps done so far (1-based). */
  step: number;
  /** Steps planned. */
  totalSteps: number;
  /** The BPR loss of this step (eq. 4). */
  loss: number;
  /** Seconds spent in training steps so far (sampling + step; no validation). */
  trainSeconds: number;
  /** Training triplets per second so far. */
  tripletsPerSecond: number;
}

/** Progress after one epoch, given to {@link FitOptions.onEpochEnd}. */
export interface EpochEndEvent {
  /** Epoch index (0-based). */
  epoch: number;
  /** Steps done so far. */
  step: number;
  /** Mean loss over the epoch's steps. */
  meanLoss: number;
}

/** One validation of {@link FitOptions.validateEvery}. */
export interface ValidationEvent {
  /** Steps done when validating. */
  step: number;
  /** Metric means on the validation split. */
  metrics: Record<string, number>;
}

/** Options of {@link MarsModel.fit}; every field has a default. */
export interface FitOptions {
  /** Triplets per step. Default 128. */
  batchSize?: number;
  /** Training steps. Default: `epochs` epochs. */
  steps?: number;
  /** Epochs, each of `epochFraction` x (training positives) triplets (report 3.1.2). Default 1. Ignored when `steps` is set. */
  epochs?: number;
  /** Size of an epoch as a fraction of the number of training positives. Default 0.1. */
  epochFraction?: number;
  /** Learning rate of the optimizer. Default the report's rule 0.001 x batchSize / 512. */
  learningRate?: number;
  /**
   * `'adam'` (the report's choice, default), `'lazy-adam'` (`LazyAdamOptimizer`: rows of the
   * embedding tables absent from a batch do not move), `'sgd'` (plain SGD: rows of the embeddings and
   * biases that a batch does not touch do not move, as in BPR-MF), or any TF.js optimizer
   * (then `learningRate` is ignored and the caller disposes it).
   */
  optimizer?: 'adam' | 'lazy-adam' | 'sgd' | tf.Optimizer;
  /** Seed of sampling, initialisation and dropout. Default 1. */
  seed?: number;
  /** Most padded tokens per encoded bucket; bounds a step's memory whatever the lengths. Default 16,384 tokens. */
  tokenBudget?: number;
  /** Validate every this many steps when `data.validation` is given. Default: once per epoch, and at least 50 steps apart. */
  validateEvery?: number;
  /** Metric for early stopping and best-weights selection. Default `'recall@50'`. */
  validationMetric?: string;
  /** Users sampled for each validation (all when larger than the count). Default 1,000 users. */
  validationUsers?: number;
  /** Validations without improvement before stopping; 0 disables early stopping. Default 3. */
  patience?: number;
  /** Keep the weights of the best validation at the end. Default true when validating. */
  restoreBestWeights?: boolean;
  /**
   * With `itemBias` configured, start the item biases of a new model from a bias-only BPR fit
   * on `train` (`fitBprItemBiases`, milliseconds): training then starts from the popularity
   * ranking rather than a random one. Ignored when continuing a fitted or loaded model.
   * Default true.
   */
  itemBiasWarmStart?: boolean;
  /**
   * With `collaborativeFactors` configured, the settings of the BPR-MF fit of the collaborative
   * part (made once, on a new model's first fit). Default BprMatrixFactorization's (300 epochs,
   * L2 0.03) with this fit's seed.
   */
  collaborative?: CollaborativeFitOptions;
  /**
   * Pretrained word vectors in the GloVe / word2vec text format (`word v1 ... vE` per line), for
   * example a file's lines from `readline`. On a new model's first fit, the word embeddings of
   * both encoders start from them (`loadWordVectors`; words absent from them start at zero);
   * `embeddingDim` must equal their size, and `trainableWordEmbeddings: false` keeps them fixed.
   * Ignored when continuing a fitted or loaded model.
   */
  wordVectors?: WordVectorLines;
  /** Called after each step. */
  onBatchEnd?: (event: BatchEndEvent) => void | Promise<void>;
  /** Called after each epoch. */
  onEpochEnd?: (event: EpochEndEvent) => void | Promise<void>;
  /** Called after each validation. */
  onValidation?: (event: ValidationEvent) => void | Promise<void>;
  /** Stops training after the current step; the model stays usable with the weights reached. */
  signal?: AbortSignal;
}

/** Lines of a word-vector text file, synchronous or asynchronous. */
export type WordVectorLines = Iterable<string> | AsyncIterable<string>;

/** What {@link MarsModel.fit} returns. */
export interface FitResult {
  /** Steps done. */
  steps: number;
  /** Seconds spent in training steps (sampling + step; no loading, validation or evaluation). */
  trainSeconds: number;
  /** Training triplets per second over `trainSeconds`. */
  tripletsPerSecond: number;
  /** Loss of each step. */
  losses: number[];
  /** Every validation done. */
  validations: ValidationEvent[];
  /** Step of the best validation, when validating. */
  bestStep?: number;
  /** Whether early stopping ended training. */
  stoppedEarly: boolean;
  /** Whether the signal ended training. */
  aborted: boolean;
  /** With `wordVectors`: how many vocabulary words they covered. */
  wordVectorsFound?: number;
}
