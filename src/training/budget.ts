import { DEFAULT_EPOCH_FRACTION } from './defaults';
import type { TrainingBudget } from './fit-loop';

/** What {@link resolveTrainingBudget} reads. */
export interface BudgetRequest {
  /** Steps asked; wins over `epochs`. */
  steps?: number;
  /** Epochs asked, each of `epochFraction` x positives triplets (report 3.1.2). Default 1. */
  epochs?: number;
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

/**
 * The budget of a run: `steps` when given, else `epochs` epochs (default 1).
 * @throws RangeError naming the option when `steps` or `epochs` is not a count.
 */
export function resolveTrainingBudget(request: BudgetRequest): TrainingBudget {
  if (request.steps !== undefined) {
    if (!Number.isInteger(request.steps) || request.steps < 0)
      throw new RangeError(`fit: steps must be an integer >= 0, got ${String(request.steps)}`);
    return { maxSteps: request.steps, limit: 'steps' };
  }
  const epochs = request.epochs ?? 1;
  if (!(epochs > 0) || !Number.isFinite(epochs))
    throw new RangeError(`fit: epochs must be a positive number, got ${String(epochs)}`);
  return { maxSteps: Math.max(1, Math.round(epochs * stepsPerEpoch(request))), limit: 'epochs' };
}
