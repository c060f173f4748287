import * as tf from '@tensorflow/tfjs-core';
import type { TripletBatch } from '../sampling/bpr-triplet-sampler';
import type {
  BatchEndEvent,
  EpochEndEvent,
  FitOutcome,
  FitProgressEvent,
  StopReason,
  ValidationEvent,
} from './fit-events';
import { NonFiniteLossError } from './non-finite-loss-error';
import type { StepEngine } from './step-engine';
import { WeightAverage } from './weight-average';

/** Seconds between two `'steps'` progress reports. */
const PROGRESS_INTERVAL_SECONDS = 2;

/** How long a run may train: see {@link resolveTrainingBudget}. */
export interface TrainingBudget {
  /** Most steps. */
  maxSteps: number;
  /** What reaching `maxSteps` means: the `steps` or `epochs` asked, or the pass cap. */
  limit: 'steps' | 'epochs' | 'pass-cap';
}

/** When and how the loop validates. */
export interface ValidationSchedule {
  /** One validation: metric means on the validation data (higher is better for `metric`). */
  validate: () => Promise<Record<string, number>>;
  /** The metric that early stopping and best-weights selection follow. */
  metric: string;
  /** Validate every this many steps (and after the last step). */
  every: number;
  /**
   * Validations in a row that do not beat the best validation since training started before
   * stopping (the `atStart` validation does not count); 0 never stops early.
   */
  patience: number;
  /** Keep the weights of the best validation at the end. */
  restoreBest: boolean;
  /**
   * Validate once before the first step, when the starting weights are a ranking already; the
   * words say what step 0 holds and what trains on top, for the summary (e.g. `{ start: 'the
   * collaborative part alone', trained: 'the text part' }`).
   */
  atStart?: { start: string; trained: string };
}

/** Options of {@link runFitLoop}. */
export interface FitLoopOptions {
  /** The step engine: one update per batch. */
  engine: StepEngine;
  /** Draws the next batch (a `BprTripletSampler`'s `nextBatch`). */
  nextBatch: () => TripletBatch;
  /** Triplets per batch, for throughput. */
  batchSize: number;
  /** Training positives, in triplets: one pass is this many triplets. */
  positives: number;
  /** Steps per epoch, for `onEpochEnd`. */
  stepsPerEpoch: number;
  /** The budget. */
  budget: TrainingBudget;
  /** Validation and early stopping; none without validation data. */
  validation?: ValidationSchedule;
  /** Every weight training changes: the best weights are copies of these. */
  variables: tf.Variable[];
  /** The learning rate, named in the error of a diverging run. */
  learningRate?: number;
  /**
   * Polyak averaging: every `every` steps an exponential moving average of the weights
   * ({@link WeightAverage}, largest decay `decay`) moves towards them; validations judge, and the
   * best and final weights are, the average's. None: the weights themselves.
   */
  averaging?: { decay: number; every: number };
  /** Called after every change of the weights (a step, a restore): drop what was computed from them. */
  onWeightsChanged?: () => void;
  /** Stops after the current step. */
  signal?: AbortSignal;
  /** Called after each step. */
  onBatchEnd?: (event: BatchEndEvent) => void | Promise<void>;
  /** Called after each epoch. */
  onEpochEnd?: (event: EpochEndEvent) => void | Promise<void>;
  /** Called after each validation. */
  onValidation?: (event: ValidationEvent) => void | Promise<void>;
  /** Progress in words: at the start, every few seconds, at each validation and at the end. */
  onProgress?: (event: FitProgressEvent) => void;
}

/**
 * The training loop of mars-rec: steps the engine on sampled batches within the budget,
 * validates on schedule, stops early when validation stops improving, keeps and restores the
 * best weights, reports progress, and stops with a {@link NonFiniteLossError} at the first step
 * whose loss is not finite (the best weights so far restored first). Nothing in it knows MARS:
 * the engine and the validation callback do.
 * @returns how training ended, in numbers and words.
 */
export async function runFitLoop(options: FitLoopOptions): Promise<FitOutcome> {
  const { engine, budget, validation, batchSize, variables } = options;
  const totalSteps = budget.maxSteps;
  const passesOf = (steps: number): number => (steps * batchSize) / Math.max(1, options.positives);
  const losses: number[] = [];
  const validations: ValidationEvent[] = [];
  let trainMilliseconds = 0;
  let best = -Infinity;
  let bestStep: number | undefined;
  let bestWeights: tf.Tensor[] | undefined;
  let bestTrained = -Infinity;
  let sinceBest = 0;
  let stopReason: StopReason = budget.limit;
  let epochLoss = 0;
  let epochSteps = 0;
  let step = 0;
  let lastProgress = performance.now();
  const progress = (kind: FitProgressEvent['kind'], message: string): void =>
    options.onProgress?.({ kind, step, totalSteps, passes: passesOf(step), message });
  const throughput = (): number => (step * batchSize) / Math.max(trainMilliseconds / 1000, 1e-9);
  let average: WeightAverage | undefined;

  /** Validates; false when early stopping says stop. */
  const validate = async (schedule: ValidationSchedule): Promise<boolean> => {
    await engine.flush();
    const metrics = average
      ? await average.withAveragedWeights(() => schedule.validate(), options.onWeightsChanged)
      : await schedule.validate();
    const event: ValidationEvent = { step, metrics };
    validations.push(event);
    await options.onValidation?.(event);
    const value = metrics[schedule.metric];
    const improved = value > best;
    if (improved) {
      best = value;
      bestStep = step;
      if (schedule.restoreBest) {
        tf.dispose(bestWeights);
        bestWeights = average ? average.snapshot() : variables.map((variable) => tf.clone(variable));
      }
    }
    // patience follows the trained weights' own curve: the starting weights (step 0) stay a
    // candidate of the best-weights selection, but training that starts below them is not cut
    // short before it had a chance to rise
    if (step > 0 && value > bestTrained) {
      bestTrained = value;
      sinceBest = 0;
    } else if (step > 0) sinceBest++;
    progress(
      'validation',
      `validation at step ${step}: ${schedule.metric} ${format(value)}` +
        (improved ? ' (best so far)' : ` (best ${format(best)} at step ${bestStep})`),
    );
    return !(schedule.patience > 0 && sinceBest >= schedule.patience);
  };
  const restoreBest = (): void => {
    if (!bestWeights) return;
    variables.forEach((variable, index) => variable.assign((bestWeights as tf.Tensor[])[index]));
    options.onWeightsChanged?.();
  };

  try {
    progress('start', `training up to ${totalSteps} steps (${format(passesOf(totalSteps), 1)} passes)`);
    if (validation?.atStart && totalSteps > 0) await validate(validation);
    if (totalSteps > 0) await engine.prepare?.();
    if (options.averaging && totalSteps > 0) average = new WeightAverage(variables, options.averaging.decay);
    while (step < totalSteps) {
      if (options.signal?.aborted) {
        stopReason = 'aborted';
        break;
      }
      const started = performance.now();
      const loss = await engine.step(options.nextBatch());
      trainMilliseconds += performance.now() - started;
      step++;
      options.onWeightsChanged?.();
      if (!Number.isFinite(loss)) {
        restoreBest();
        throw new NonFiniteLossError(step, loss, options.learningRate, bestStep);
      }
      if (average && step % (options.averaging as { every: number }).every === 0) {
        await engine.flush();
        average.update();
      }
      losses.push(loss);
      epochLoss += loss;
      epochSteps++;
      await options.onBatchEnd?.({
        step,
        totalSteps,
        loss,
        trainSeconds: trainMilliseconds / 1000,
        tripletsPerSecond: throughput(),
      });
      if (step % options.stepsPerEpoch === 0 || step === totalSteps) {
        await options.onEpochEnd?.({
          epoch: Math.ceil(step / options.stepsPerEpoch) - 1,
          step,
          meanLoss: epochLoss / epochSteps,
        });
        epochLoss = 0;
        epochSteps = 0;
      }
      if (performance.now() - lastProgress >= PROGRESS_INTERVAL_SECONDS * 1000) {
        lastProgress = performance.now();
        progress(
          'steps',
          `step ${step}/${totalSteps} (${format(passesOf(step), 2)} passes): loss ${format(loss)}, ` +
            `${Math.round(throughput())} triplets/s`,
        );
      }
      if (
        validation &&
        (step % validation.every === 0 || step === totalSteps) &&
        !(await validate(validation))
      ) {
        stopReason = 'early-stopping';
        break;
      }
    }
    await engine.flush();
    // with averaging the variables hold the last step's weights, never a validated set
    if (validation?.restoreBest && bestStep !== undefined && (average || bestStep !== step)) restoreBest();
    else if (average) {
      average.assignTo();
      options.onWeightsChanged?.();
    }
  } finally {
    tf.dispose(bestWeights);
    average?.dispose();
  }
  const outcome: FitOutcome = {
    steps: step,
    passes: passesOf(step),
    trainSeconds: trainMilliseconds / 1000,
    tripletsPerSecond: throughput(),
    losses,
    validations,
    bestStep,
    stoppedEarly: stopReason === 'early-stopping',
    aborted: stopReason === 'aborted',
    stopReason,
    summary: '',
  };
  outcome.summary = describeOutcome(outcome, totalSteps, validation, best);
  progress('end', outcome.summary);
  return outcome;
}

/** How training ended, in words. */
function describeOutcome(
  outcome: FitOutcome,
  totalSteps: number,
  validation: ValidationSchedule | undefined,
  best: number,
): string {
  const { steps, bestStep } = outcome;
  const ran = `${steps} steps (${format(outcome.passes, 2)} passes over the training positives)`;
  const reasons: Record<StopReason, string> = {
    steps: `trained the ${totalSteps} steps asked: ${ran}`,
    epochs: `trained the epochs asked: ${ran}`,
    'early-stopping': `stopped early after ${ran}: validation ${validation?.metric} did not improve for ${validation?.patience} validations`,
    'pass-cap': validation
      ? `reached the pass cap after ${ran} before validation ${validation.metric} stopped improving for ${validation.patience} validations; a larger cap (maxPasses) may help`
      : `trained the default budget without validation data: ${ran}`,
    aborted: `stopped by the abort signal after ${ran}`,
  };
  const parts = [reasons[outcome.stopReason]];
  if (validation && bestStep !== undefined) {
    const kept = validation.restoreBest ? 'its weights are kept' : 'the last weights are kept';
    if (bestStep === 0 && validation.atStart)
      parts.push(
        `best step 0: ${validation.atStart.trained} never beat ${validation.atStart.start} ` +
          `(validation ${validation.metric} ${format(best)}); ${kept}`,
      );
    else parts.push(`best step ${bestStep} (validation ${validation.metric} ${format(best)}); ${kept}`);
  }
  return parts.join('; ');
}

function format(value: number, digits = 4): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}
