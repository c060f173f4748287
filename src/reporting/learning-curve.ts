import type { BatchEndEvent, FitOutcome, StopReason, ValidationEvent } from '../training/fit-events';

/** How a training run ended: fit's `StopReason`, or `completed` for a model trained without steps (a baseline). */
export type TrainingEnd = StopReason | 'completed';

/** One validation of a {@link LearningCurve}. */
export interface LearningCurveValidation {
  /** Steps done when validating. */
  step: number;
  /** Metric means on the validation split. */
  metrics: Record<string, number>;
  /** Seconds since training started (wall clock, validation included). */
  wallSeconds: number;
}

/**
 * The learning curve of a training run as `mars-rec train` keeps it (`learning-curve.json`):
 * the loss per step, each validation, timing, and how the run ended. Long runs keep at most
 * `maxPoints` loss points, each the mean over the steps since the previous point.
 */
export interface LearningCurve {
  /** Always `mars-rec/learning-curve`. */
  format: 'mars-rec/learning-curve';
  /** Layout version, 1. */
  version: number;
  /** The model trained (`mars`, `bpr-mf`, `popularity`). */
  model: string;
  /** Last step of each loss point (1-based), increasing. */
  steps: number[];
  /** BPR loss (eq. 4) at each point: the mean over the steps since the previous point. */
  loss: number[];
  /** Seconds spent in training steps up to each point (sampling + step; no validation). */
  trainSeconds: number[];
  /** Every validation, in order. */
  validations: LearningCurveValidation[];
  /** The metric used for early stopping and best-weights selection, when validating. */
  validationMetric?: string;
  /** How training ended; absent while it runs. */
  ended?: {
    /** Why it stopped. */
    reason: TrainingEnd;
    /** How it ended, in words (fit's `summary`), when fit gave one. */
    summary?: string;
    /** Steps done. */
    steps: number;
    /** Steps planned. */
    plannedSteps: number;
    /** The step whose weights were kept (best validation), when validating. */
    bestStep?: number;
    /** Seconds spent in training steps. */
    trainSeconds: number;
    /** Seconds from the first step to the end, validation included. */
    wallSeconds: number;
    /** Training triplets per second over `trainSeconds`. */
    tripletsPerSecond: number;
  };
  /** What the run trained on, as the caller describes it (users, items, positives, dropped rows). */
  data?: Record<string, number>;
}

/** Options of {@link LearningCurveRecorder}. */
export interface LearningCurveRecorderOptions {
  /** The model trained. Default `mars`. */
  model?: string;
  /** The validation metric, when validating. */
  validationMetric?: string;
  /** Most loss points kept; longer runs are averaged into this many. Default 5,000 points. */
  maxPoints?: number;
  /** Wall clock in milliseconds. Default `performance.now`. */
  now?: () => number;
}

/**
 * Records a learning curve from the `onBatchEnd` and `onValidation` callbacks of
 * `MarsModel.fit`, and how the run ended from its result.
 *
 * @example
 * ```ts
 * const curve = new LearningCurveRecorder({ validationMetric: 'recall@50' });
 * const result = await model.fit(data, { onBatchEnd: curve.onBatchEnd, onValidation: curve.onValidation });
 * curve.finish(result);
 * writeFileSync('learning-curve.svg', learningCurveSvg(curve.toJSON()));
 * ```
 */
export class LearningCurveRecorder {
  private readonly model: string;
  private readonly validationMetric?: string;
  private readonly maxPoints: number;
  private readonly now: () => number;
  private readonly started: number;
  private readonly stepLosses: number[] = [];
  private readonly stepSeconds: number[] = [];
  private readonly validations: LearningCurveValidation[] = [];
  private plannedSteps = 0;
  private ended?: LearningCurve['ended'];
  private data?: Record<string, number>;

  /** @param options - see {@link LearningCurveRecorderOptions}. */
  constructor(options: LearningCurveRecorderOptions = {}) {
    this.model = options.model ?? 'mars';
    this.validationMetric = options.validationMetric;
    this.maxPoints = options.maxPoints ?? 5000;
    if (!Number.isInteger(this.maxPoints) || this.maxPoints < 1)
      throw new RangeError(
        `LearningCurveRecorder: maxPoints must be a positive integer, got ${this.maxPoints}`,
      );
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
  }

  /** `FitOptions.onBatchEnd`: records the step's loss and time. */
  readonly onBatchEnd = (event: BatchEndEvent): void => {
    this.stepLosses[event.step - 1] = event.loss;
    this.stepSeconds[event.step - 1] = event.trainSeconds;
    this.plannedSteps = event.totalSteps;
  };

  /** `FitOptions.onValidation`: records the validation's metrics and time. */
  readonly onValidation = (event: ValidationEvent): void => {
    this.validations.push({
      step: event.step,
      metrics: { ...event.metrics },
      wallSeconds: (this.now() - this.started) / 1000,
    });
  };

  /** Records what the run trained on (users, items, positives, rows dropped). */
  describeData(data: Record<string, number>): void {
    this.data = { ...data };
  }

  /** Records how training ended, from `fit`'s result (or the counts of a model without steps). */
  finish(
    result: Pick<FitOutcome, 'steps' | 'trainSeconds' | 'tripletsPerSecond' | 'stoppedEarly' | 'aborted'> &
      Partial<Pick<FitOutcome, 'bestStep' | 'stopReason' | 'summary'>>,
  ): void {
    this.ended = {
      reason:
        result.stopReason ??
        (result.aborted ? 'aborted' : result.stoppedEarly ? 'early-stopping' : 'completed'),
      ...(result.summary === undefined ? {} : { summary: result.summary }),
      steps: result.steps,
      plannedSteps: Math.max(this.plannedSteps, result.steps),
      ...(result.bestStep === undefined ? {} : { bestStep: result.bestStep }),
      trainSeconds: result.trainSeconds,
      wallSeconds: (this.now() - this.started) / 1000,
      tripletsPerSecond: result.tripletsPerSecond,
    };
  }

  /** The curve so far, with at most `maxPoints` loss points. */
  toJSON(): LearningCurve {
    const count = this.stepLosses.length;
    const points = Math.min(count, this.maxPoints);
    const steps: number[] = [];
    const loss: number[] = [];
    const trainSeconds: number[] = [];
    let first = 0;
    for (let point = 0; point < points; point++) {
      // point p covers steps (first, last]; the ranges split the steps as evenly as integers allow
      const last = Math.round(((point + 1) * count) / points);
      let sum = 0;
      for (let step = first; step < last; step++) sum += this.stepLosses[step];
      steps.push(last);
      loss.push(sum / (last - first));
      trainSeconds.push(this.stepSeconds[last - 1]);
      first = last;
    }
    return {
      format: 'mars-rec/learning-curve',
      version: 1,
      model: this.model,
      steps,
      loss,
      trainSeconds,
      validations: this.validations.map((validation) => ({
        ...validation,
        metrics: { ...validation.metrics },
      })),
      ...(this.validationMetric === undefined ? {} : { validationMetric: this.validationMetric }),
      ...(this.ended ? { ended: { ...this.ended } } : {}),
      ...(this.data ? { data: { ...this.data } } : {}),
    };
  }
}
