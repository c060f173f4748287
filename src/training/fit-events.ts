/** Progress after one training step, given to `onBatchEnd`. */
export interface BatchEndEvent {
  /** Steps done so far (1-based). */
  step: number;
  /** Most steps this run may take (the budget; early stopping may end it sooner). */
  totalSteps: number;
  /** The BPR loss of this step (eq. 4). */
  loss: number;
  /** Seconds spent in training steps so far (sampling + step; no validation). */
  trainSeconds: number;
  /** Training triplets per second so far. */
  tripletsPerSecond: number;
}

/** Progress after one epoch, given to `onEpochEnd`. */
export interface EpochEndEvent {
  /** Epoch index (0-based). */
  epoch: number;
  /** Steps done so far. */
  step: number;
  /** Mean loss over the epoch's steps. */
  meanLoss: number;
}

/** One validation, given to `onValidation` and kept in the result. */
export interface ValidationEvent {
  /** Steps done when validating (0: before the first step). */
  step: number;
  /** Metric means on the validation split. */
  metrics: Record<string, number>;
}

/** What ended a training run. */
export type StopReason =
  /** The `steps` asked were done. */
  | 'steps'
  /** The `epochs` asked were done. */
  | 'epochs'
  /** Validation did not improve for `patience` validations in a row (early stopping). */
  | 'early-stopping'
  /** The cap on passes over the training positives was reached while validation still improved. */
  | 'pass-cap'
  /** The abort signal fired. */
  | 'aborted';

/** A progress report for people, given to `onProgress` (and printed by `verbose`). */
export interface FitProgressEvent {
  /** `'start'`, `'steps'` (every few seconds of training), `'validation'` or `'end'`. */
  kind: 'start' | 'steps' | 'validation' | 'end';
  /** Steps done. */
  step: number;
  /** Most steps the run may take. */
  totalSteps: number;
  /** Passes over the training positives done (steps x batch size / positives). */
  passes: number;
  /** One line in words, e.g. `step 400/3000 (1.2 passes): loss 0.4121, 812 triplets/s`. */
  message: string;
}

/** How a training run ended, in numbers and in words. */
export interface FitOutcome {
  /** Steps done. */
  steps: number;
  /** Passes over the training positives done. */
  passes: number;
  /** Seconds spent in training steps (sampling + step; no validation). */
  trainSeconds: number;
  /** Training triplets per second over `trainSeconds`. */
  tripletsPerSecond: number;
  /** Loss of each step. */
  losses: number[];
  /** Every validation done. */
  validations: ValidationEvent[];
  /** Step of the best validation, when validating: the weights kept (with `restoreBestWeights`). */
  bestStep?: number;
  /** Whether early stopping ended training. */
  stoppedEarly: boolean;
  /** Whether the signal ended training. */
  aborted: boolean;
  /** What ended training. */
  stopReason: StopReason;
  /** How training ended, in words (best step, reason, passes). */
  summary: string;
}
