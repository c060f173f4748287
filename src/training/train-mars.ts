import type { CsrMatrix } from '../data/csr';
import { marsTrainableVariables } from '../layers/mars-blocks';
import type { MarsBlocks } from '../layers/mars-blocks';
import type { RaggedRows } from '../ragged/ragged-rows';
import { SeededRandom } from '../random/seeded-random';
import { BprTripletSampler } from '../sampling/bpr-triplet-sampler';
import { defaultValidationInterval, resolveTrainingBudget } from './budget';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_EPOCH_FRACTION,
  DEFAULT_PATIENCE,
  DEFAULT_SEED,
  DEFAULT_STEP_TOKEN_BUDGET,
  DEFAULT_VALIDATION_METRIC,
  DEFAULT_VALIDATION_USERS,
  DEFAULT_WEIGHT_AVERAGE_DECAY,
  WEIGHT_AVERAGE_INTERVAL,
  defaultLearningRate,
} from './defaults';
import type {
  BatchEndEvent,
  EpochEndEvent,
  FitOutcome,
  FitProgressEvent,
  ValidationEvent,
} from './fit-events';
import { runFitLoop } from './fit-loop';
import { defaultStepEngine } from './fast-cpu/fast-cpu-step-engine';
import type { StepEngineFactory } from './mars-step';
import type { OptimizerChoice } from './optimizers';
import { sampleUsersWithTargets } from './validation-users';

/** How a MARS model trains; every field has a default (see `training/defaults`). */
export interface MarsTrainingOptions {
  /** Triplets per step. Default `DEFAULT_BATCH_SIZE` (128). */
  batchSize?: number;
  /**
   * Training steps. Default: none, then `epochs`, and without either the default budget: train
   * until validation stops improving (`patience`), at most `maxPasses` passes over the training
   * positives, keeping the best weights.
   */
  steps?: number;
  /** Epochs, each of `epochFraction` x (training positives) triplets (report 3.1.2). Ignored when `steps` is set. */
  epochs?: number;
  /** The cap of the default budget, in passes over the training positives. Default `DEFAULT_MAX_PASSES` (20). */
  maxPasses?: number;
  /** Size of an epoch as a fraction of the number of training positives. Default 0.1. */
  epochFraction?: number;
  /** Learning rate of the optimizer. Default `defaultLearningRate(batchSize)`: 0.002 x batchSize / 512, twice the report's rule. */
  learningRate?: number;
  /**
   * `'adam'` (the report's choice, default), `'lazy-adam'` (`LazyAdamOptimizer`: rows of the
   * embedding tables absent from a batch do not move), `'sgd'` (plain SGD: rows of the embeddings and
   * biases that a batch does not touch do not move, as in BPR-MF), or any TF.js optimizer
   * (then `learningRate` is ignored and the caller disposes it).
   */
  optimizer?: OptimizerChoice;
  /** Seed of sampling, initialisation, dropout and validation users. Default 1. */
  seed?: number;
  /** Most padded tokens per encoded bucket; bounds a step's memory whatever the lengths. Default 16,384 tokens. */
  tokenBudget?: number;
  /**
   * Validate every this many steps when there is validation data. Default: every pass over the
   * training positives under the default budget, once per epoch with `steps` or `epochs`; at
   * least 50 steps apart.
   */
  validateEvery?: number;
  /** Metric for early stopping and best-weights selection. Default `'recall@50'`. */
  validationMetric?: string;
  /** Users validated on: one seeded sample for the whole run (all when fewer). Default 1,000 users. */
  validationUsers?: number;
  /**
   * Validations in a row without a better validation since training started before stopping
   * (a starting point validated before the first step, such as the collaborative part alone,
   * stays a candidate for the best weights but does not count); 0 disables early stopping.
   * Default `DEFAULT_PATIENCE` (8).
   */
  patience?: number;
  /** Keep the weights of the best validation at the end. Default true when validating. */
  restoreBestWeights?: boolean;
  /**
   * Polyak averaging: every `WEIGHT_AVERAGE_INTERVAL` steps an exponential moving average of the
   * weights moves towards them with this largest decay (`WeightAverage`); validation judges the
   * average, and the weights kept (best or final) are the average's. 0 turns it off (validate and
   * keep the weights themselves). Default `DEFAULT_WEIGHT_AVERAGE_DECAY` (0.95: a window of about
   * 200 steps).
   */
  weightAverageDecay?: number;
  /**
   * Builds the step engine. Default {@link defaultStepEngine}: the fast CPU step (WebAssembly
   * SIMD kernels, worker threads over the available cores) on the `cpu` and `wasm` backends when
   * it can train the model, else the TF.js step. `tfjsStepEngine` always runs the TF.js step;
   * `fastCpuStepEngine({ threads })` always the fast one. Both give the same weights within float
   * tolerance.
   */
  stepEngine?: StepEngineFactory;
  /** Called after each step. */
  onBatchEnd?: (event: BatchEndEvent) => void | Promise<void>;
  /** Called after each epoch. */
  onEpochEnd?: (event: EpochEndEvent) => void | Promise<void>;
  /** Called after each validation. */
  onValidation?: (event: ValidationEvent) => void | Promise<void>;
  /**
   * Progress in words: at the start, every few seconds of training, at each validation, and at
   * the end with how training ended. Default none.
   */
  onProgress?: (event: FitProgressEvent) => void;
  /** Print the `onProgress` lines on the console's error stream (stderr in Node). Default false. */
  verbose?: boolean;
  /** Stops training after the current step; the model stays usable with the weights reached. */
  signal?: AbortSignal;
}

/** The data and wiring of one MARS training run ({@link trainMarsBlocks}). */
export interface MarsTrainingRun {
  /** The blocks to train (their trainable variables). */
  blocks: MarsBlocks;
  /** The encoded text of every item. */
  documents: RaggedRows;
  /** Training positives, users x items. */
  train: CsrMatrix;
  /** Validation positives, same shape; none disables validation. */
  validation?: CsrMatrix;
  /** Longest history kept, in items. */
  maxHistory: number;
  /** lambda_u of eq. 4. */
  lambdaU: number;
  /** lambda_v of eq. 4. */
  lambdaV: number;
  /** Metric means of the current weights on `targets` for some users (the model's evaluation). */
  evaluate: (targets: CsrMatrix, users: Int32Array, metric: string) => Promise<Record<string, number>>;
  /** Called whenever the weights change (drop cached item vectors). */
  onWeightsChanged?: () => void;
  /** Validate before the first step too; see `ValidationSchedule.atStart`. */
  atStart?: { start: string; trained: string };
}

/**
 * Trains MARS blocks with BPR: the triplet sampler, the budget, the optimizer and step engine,
 * validation with early stopping and best weights, progress. The items of `train` are first
 * marked seen by the item bias and item-ID embedding (`markSeen`: items without a training
 * positive keep their cold values). `MarsModel.fit` calls it after building the model.
 *
 * @example
 * ```ts
 * import { buildMarsBlocks, computeItemVectors, disposeItemVectors, historiesOfRows } from 'mars-rec';
 * import { resolveMarsConfig, scoreHistories, trainMarsBlocks } from 'mars-rec';
 * import { InteractionDataset, loadInteractionsCsv, loadItemsJsonl, splitPerUser } from 'mars-rec/data';
 * import { evaluateRanking } from 'mars-rec/metrics';
 * import { encodeCorpus, Tokenizer, Vocabulary } from 'mars-rec/text';
 *
 * const dataset = InteractionDataset.build(await loadItemsJsonl('items.jsonl'), await loadInteractionsCsv('interactions.csv'));
 * const { train, validation } = splitPerUser(dataset, { seed: 1 });
 * const tokenizer = new Tokenizer({ stopwords: ['en'] });
 * const vocabulary = Vocabulary.fit(dataset.itemTexts, { tokenizer, minCount: 2 });
 * const documents = encodeCorpus(dataset.itemTexts, tokenizer, vocabulary, { maxLength: 300 });
 * const config = resolveMarsConfig({ collaborativeFactors: 0 }); // the paper's text-only form
 * const blocks = buildMarsBlocks(config, { vocabularySize: vocabulary.size, itemCount: dataset.itemCount, seed: 1 });
 * const { maxHistory, lambdaU, lambdaV } = config;
 * const outcome = await trainMarsBlocks(
 *   {
 *     ...{ blocks, documents, train, validation, maxHistory, lambdaU, lambdaV },
 *     // a validation metric of the current weights, for early stopping and the best weights
 *     evaluate: async (targets, users, metric) => {
 *       const vectors = await computeItemVectors(blocks, documents);
 *       const result = await evaluateRanking({
 *         ...{ itemCount: dataset.itemCount, targets, exclude: train, users, metrics: [metric] },
 *         score: (batch) => scoreHistories(vectors, historiesOfRows(train, batch, maxHistory)),
 *       });
 *       disposeItemVectors(vectors);
 *       return result.mean;
 *     },
 *   },
 *   { steps: 1000, validateEvery: 100, seed: 1 },
 * );
 * console.log(outcome.summary);
 * ```
 */
export async function trainMarsBlocks(
  run: MarsTrainingRun,
  options: MarsTrainingOptions = {},
): Promise<FitOutcome> {
  // items with training positives learn their ID terms; the others keep the cold values
  run.blocks.itemBias?.markSeen(run.train);
  run.blocks.itemIdEmbedding?.markSeen(run.train);
  const seed = options.seed ?? DEFAULT_SEED;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const epochFraction = options.epochFraction ?? DEFAULT_EPOCH_FRACTION;
  const sampler = new BprTripletSampler(run.train, {
    batchSize,
    maxHistory: run.maxHistory,
    historyStrategy: run.train.timestamps ? 'recent' : 'random',
    epochFraction,
    seed,
  });
  const positives = run.train.offsets[run.train.rowCount];
  const budgetRequest = { ...options, epochFraction, batchSize, positives };
  const budget = resolveTrainingBudget(budgetRequest);
  const learningRate = options.learningRate ?? defaultLearningRate(batchSize);
  const variables = marsTrainableVariables(run.blocks);
  const engine = (options.stepEngine ?? defaultStepEngine)({
    blocks: run.blocks,
    documents: run.documents,
    variables,
    optimizer: options.optimizer ?? 'adam',
    learningRate,
    loss: {
      maxHistory: run.maxHistory,
      lambdaU: run.lambdaU,
      lambdaV: run.lambdaV,
      tokenBudget: options.tokenBudget ?? DEFAULT_STEP_TOKEN_BUDGET,
    },
  });
  const { validation } = run;
  const metric = options.validationMetric ?? DEFAULT_VALIDATION_METRIC;
  const averageDecay = options.weightAverageDecay ?? DEFAULT_WEIGHT_AVERAGE_DECAY;
  if (!(averageDecay >= 0 && averageDecay < 1))
    throw new RangeError(`fit: weightAverageDecay must be in [0, 1), got ${String(averageDecay)}`);
  // one seeded sample of validation users for the whole run: validations differ by the weights only
  const validationUsers =
    validation &&
    sampleUsersWithTargets(
      validation,
      options.validationUsers ?? DEFAULT_VALIDATION_USERS,
      new SeededRandom(seed + 7919),
    );
  const onProgress =
    options.onProgress ??
    (options.verbose ? (event: FitProgressEvent) => console.error(`fit: ${event.message}`) : undefined);
  try {
    return await runFitLoop({
      engine,
      nextBatch: () => sampler.nextBatch(),
      batchSize,
      positives,
      stepsPerEpoch: sampler.stepsPerEpoch,
      budget,
      variables,
      learningRate: typeof options.optimizer === 'object' ? undefined : learningRate,
      validation: validation && {
        validate: () => run.evaluate(validation, validationUsers as Int32Array, metric),
        metric,
        every: options.validateEvery ?? defaultValidationInterval(budget, budgetRequest),
        patience: options.patience ?? DEFAULT_PATIENCE,
        restoreBest: options.restoreBestWeights ?? true,
        atStart: run.atStart,
      },
      averaging: averageDecay > 0 ? { decay: averageDecay, every: WEIGHT_AVERAGE_INTERVAL } : undefined,
      onWeightsChanged: run.onWeightsChanged,
      signal: options.signal,
      onBatchEnd: options.onBatchEnd,
      onEpochEnd: options.onEpochEnd,
      onValidation: options.onValidation,
      onProgress,
    });
  } finally {
    engine.dispose();
  }
}
