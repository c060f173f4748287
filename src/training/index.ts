/**
 * Training: the BPR loss (eq. 4) and the MARS step (`marsBprLoss`), step engines, optimizers,
 * the fit loop with its budget, validation, early stopping and best weights, and the defaults
 * every entry point shares.
 * @packageDocumentation
 */
export { bprLoss, bprLossOfPairs } from './bpr-loss';
export type { BprLossInputs, BprLossWeights } from './bpr-loss';
export { marsBprLoss } from './mars-bpr-loss';
export type { MarsBprLossOptions } from './mars-bpr-loss';
export { TfjsStepEngine } from './step-engine';
export type { StepEngine, TfjsStepEngineOptions } from './step-engine';
export { tfjsStepEngine } from './mars-step';
export * from './fast-cpu/index';
export type { StepEngineContext, StepEngineFactory } from './mars-step';
export { createOptimizer } from './optimizers';
export type { CreatedOptimizer, OptimizerChoice } from './optimizers';
export { LazyAdamOptimizer } from './lazy-adam';
export { runFitLoop } from './fit-loop';
export { WeightAverage } from './weight-average';
export type { FitLoopOptions, TrainingBudget, ValidationSchedule } from './fit-loop';
export { defaultValidationInterval, resolveTrainingBudget, stepsPerEpoch, stepsPerPass } from './budget';
export type { BudgetRequest } from './budget';
export { trainMarsBlocks } from './train-mars';
export type { MarsTrainingOptions, MarsTrainingRun } from './train-mars';
export { marsTrainingRun } from './mars-training-run';
export type { MarsRunSettings } from './mars-training-run';
export { NonFiniteLossError } from './non-finite-loss-error';
export { holdOutValidation, validationForFit } from './hold-out';
export type { HeldOutValidation } from './hold-out';
export { tuneBprMf } from './tune-bpr-mf';
export type { BprMfTrial, BprMfTuning, BprMfTuningOptions } from './tune-bpr-mf';
export { sampleUsersWithTargets } from './validation-users';
export type {
  BatchEndEvent,
  EpochEndEvent,
  FitOutcome,
  FitProgressEvent,
  StopReason,
  ValidationEvent,
} from './fit-events';
export {
  BPR_MF_L2_GRID,
  BPR_MF_MAX_EPOCHS,
  BPR_MF_PATIENCE,
  BPR_MF_VALIDATION_INTERVAL_EPOCHS,
  DEFAULT_MAX_PASSES,
  HOLDOUT_MAX_FRACTION,
  HOLDOUT_MIN_POSITIVES,
  HOLDOUT_USERS,
  VALIDATION_INTERVAL_PASSES,
  DEFAULT_BATCH_SIZE,
  DEFAULT_EPOCH_FRACTION,
  DEFAULT_LAMBDA,
  DEFAULT_PATIENCE,
  DEFAULT_SEED,
  DEFAULT_STEP_TOKEN_BUDGET,
  DEFAULT_VALIDATION_METRIC,
  DEFAULT_VALIDATION_USERS,
  MIN_VALIDATION_INTERVAL,
  DEFAULT_WEIGHT_AVERAGE_DECAY,
  WEIGHT_AVERAGE_INTERVAL,
  defaultLearningRate,
} from './defaults';
