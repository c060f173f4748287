/**
 * The defaults of training, in one place: `MarsModel.fit`, the `mars-rec` CLI (which passes
 * `undefined` for every flag not given) and the training loop all read them from here.
 */

/** Triplets per training step. */
export const DEFAULT_BATCH_SIZE = 128;

/**
 * The learning rate for a batch size: the report's rule 0.001 x batchSize / 512 (2.5e-4 at the
 * default batch of 128).
 */
export function defaultLearningRate(batchSize: number): number {
  return (0.001 * batchSize) / 512;
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

/** Validations without improvement before training stops. */
export const DEFAULT_PATIENCE = 3;

/** The fewest steps between two validations: never judge a few steps' noise. */
export const MIN_VALIDATION_INTERVAL = 50;

/** Seed of training when none is given. */
export const DEFAULT_SEED = 1;
