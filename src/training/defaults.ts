/**
 * The defaults of training, in one place: `MarsModel.fit`, the `mars-rec` CLI (which passes
 * `undefined` for every flag not given), the training loop and the BPR-MF tuning all read them
 * from here. The training budget, validation schedule and tuning grid are measured choices
 * (docs/quality.md); retune them here.
 */

/** Triplets per training step. */
export const DEFAULT_BATCH_SIZE = 128;

/**
 * The learning rate for a batch size: 0.002 x batchSize / 512 (5e-4 at the default batch of
 * 128), twice the report's rule (0.001 x batchSize / 512). With the weight average and the
 * validation schedule below, twice the report's rate validated better on amazon_office and
 * movies_tmdb_small (docs/quality.md, issue #13 section); pass `learningRate: 0.00025` for the
 * report's setting (the parity with the PyTorch reference is measured there).
 */
export function defaultLearningRate(batchSize: number): number {
  return (0.002 * batchSize) / 512;
}

/** Size of an `epochs` epoch, as a fraction of the training positives (report 3.1.2). */
export const DEFAULT_EPOCH_FRACTION = 0.1;

/** Most padded tokens per encoded bucket in a training step; bounds a step's memory. */
export const DEFAULT_STEP_TOKEN_BUDGET = 16_384;

/** lambda_u and lambda_v of eq. 4: weights of the squared norms of user and item vectors. */
export const DEFAULT_LAMBDA = 1e-4;

/** The validation metric of early stopping and best-weights selection. */
export const DEFAULT_VALIDATION_METRIC = 'recall@50';

/** Users sampled (seeded) for each validation; all of them when there are fewer. */
export const DEFAULT_VALIDATION_USERS = 1000;

/** Validations without improvement before training stops (early stopping). */
export const DEFAULT_PATIENCE = 8;

/** The fewest steps between two validations: never judge a few steps' noise. */
export const MIN_VALIDATION_INTERVAL = 50;

/**
 * The training budget when neither `steps` nor `epochs` is given: train until validation stops
 * improving (`DEFAULT_PATIENCE` validations in a row), but at most this many passes over the
 * training positives (one pass = positives / batch size steps).
 */
export const DEFAULT_MAX_PASSES = 20;

/**
 * Under the default budget, validate every this many passes (and at least
 * `MIN_VALIDATION_INTERVAL` steps apart). With `DEFAULT_PATIENCE` 8, training stops after 8
 * passes without a better validation. Measured on amazon_office (docs/quality.md, issue #13):
 * the text part of the default model first lowers validation below the collaborative part's
 * for 3.5 to 7.5 passes, then climbs until 14 to 19 passes; validating every half pass
 * (patience 4 passes) stopped seeds 1 to 3 at 12, 4.5 and 11 passes (test recall@50 0.1129,
 * one seed never leaving the collaborative part), every pass at the cap of 20 (0.1215), in
 * half the validations a pass.
 */
export const VALIDATION_INTERVAL_PASSES = 1;

/**
 * Without a validation split, the default budget validates on a slice of the training
 * positives held out for it: one positive (the most recent when there are timestamps, else a
 * seeded random one) of each of up to `HOLDOUT_USERS` seeded random users that have at least
 * `HOLDOUT_MIN_POSITIVES` positives, and never more than `HOLDOUT_MAX_FRACTION` of all positives.
 */
export const HOLDOUT_USERS = 1000;
/** See {@link HOLDOUT_USERS}. */
export const HOLDOUT_MIN_POSITIVES = 3;
/** See {@link HOLDOUT_USERS}. */
export const HOLDOUT_MAX_FRACTION = 0.1;

/** L2 weights BPR-MF tries on validation when none is given (`tuneBprMf`). */
export const BPR_MF_L2_GRID: readonly number[] = [0.01, 0.03, 0.1];

/** The most BPR-MF epochs `tuneBprMf` trains (each as many triplets as there are positives). */
export const BPR_MF_MAX_EPOCHS = 300;

/** `tuneBprMf` validates every this many epochs. */
export const BPR_MF_VALIDATION_INTERVAL_EPOCHS = 10;

/** `tuneBprMf` stops an L2 value after this many validations without improvement. */
export const BPR_MF_PATIENCE = 3;

/**
 * Polyak averaging of the MARS weights during training (`WeightAverage`): the largest decay of
 * the moving average, updated every {@link WEIGHT_AVERAGE_INTERVAL} steps (a window of about
 * 10 / (1 - 0.95) = 200 steps; shorter early in training). Measured on amazon_office's validation
 * split (text-only MARS, 3,000 steps, seeds 1 and 2): best validation recall@50 0.120 and 0.122
 * with averaging, 0.117 and 0.118 without, and a smoother curve (docs/quality.md). 0 turns it off.
 */
export const DEFAULT_WEIGHT_AVERAGE_DECAY = 0.95;

/** Steps between two updates of the weight average (each flushes the step engine's weights). */
export const WEIGHT_AVERAGE_INTERVAL = 10;

/** Seed of training when none is given. */
export const DEFAULT_SEED = 1;
