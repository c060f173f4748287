import {
  DEFAULT_EPOCH_FRACTION,
  DEFAULT_MAX_PASSES,
  MIN_VALIDATION_INTERVAL,
  VALIDATION_INTERVAL_PASSES,
} from './defaults';
import type { TrainingBudget } from './fit-loop';

/** What {@link resolveTrainingBudget} reads. */
export interface BudgetRequest {
  /** Steps asked; wins over `epochs`. */
  steps?: number;
  /** Epochs asked, each of `epochFraction` x positives triplets (report 3.1.2); wins over `maxPasses`. */
  epochs?: number;
  /** The cap of the default budget, in passes over the positives. Default `DEFAULT_MAX_PASSES`. */
  maxPasses?: number;
  /** Size of an epoch as a fraction of the training positives. Default {@link DEFAULT_EPOCH_FRACTION}. */
  epochFraction?: number;
  /** Triplets per step. */
  batchSize: number;
  /** Training positives. */
  positives: number;
}

/** Steps of one epoch: ceil(epochFraction x positives / batchSize), at least 1 (the sampler's rule). */
export function stepsPerEpoch(request: BudgetRequest): number {
  const fraction = request.epochFraction ?? DEFAULT_EPOCH_FRACTION;
  return Math.max(1, Math.ceil((fraction * request.positives) / request.batchSize));
}

/** Steps of one pass over the training positives: ceil(positives / batchSize), at least 1. */
export function stepsPerPass(request: BudgetRequest): number {
  return Math.max(1, Math.ceil(request.positives / request.batchSize));
}

/**
 * The budget of a run, one rule for `MarsModel.fit` and the CLI: `steps` when given, else
 * `epochs` epochs, else (the default) training until validation stops improving, capped at
 * `maxPasses` passes over the training positives.
 * @throws RangeError naming the option when `steps`, `epochs` or `maxPasses` is not a count.
 */
export function resolveTrainingBudget(request: BudgetRequest): TrainingBudget {
  if (request.steps !== undefined) {
    if (!Number.isInteger(request.steps) || request.steps < 0)
      throw new RangeError(`fit: steps must be an integer >= 0, got ${String(request.steps)}`);
    return { maxSteps: request.steps, limit: 'steps' };
  }
  if (request.epochs !== undefined) {
    if (!(request.epochs > 0) || !Number.isFinite(request.epochs))
      throw new RangeError(`fit: epochs must be a positive number, got ${String(request.epochs)}`);
    return { maxSteps: Math.max(1, Math.round(request.epochs * stepsPerEpoch(request))), limit: 'epochs' };
  }
  const maxPasses = request.maxPasses ?? DEFAULT_MAX_PASSES;
  if (!(maxPasses > 0) || !Number.isFinite(maxPasses))
    throw new RangeError(`fit: maxPasses must be a positive number, got ${String(maxPasses)}`);
  return {
    maxSteps: Math.max(1, Math.ceil((maxPasses * request.positives) / request.batchSize)),
    limit: 'pass-cap',
  };
}

/**
 * The default validation interval, in steps: under the default budget every
 * `VALIDATION_INTERVAL_PASSES` passes, with `steps` or `epochs` once per epoch; never fewer than
 * `MIN_VALIDATION_INTERVAL` steps apart.
 */
export function defaultValidationInterval(budget: TrainingBudget, request: BudgetRequest): number {
  const interval =
    budget.limit === 'pass-cap'
      ? Math.round((VALIDATION_INTERVAL_PASSES * request.positives) / request.batchSize)
      : stepsPerEpoch(request);
  return Math.max(MIN_VALIDATION_INTERVAL, interval);
}
