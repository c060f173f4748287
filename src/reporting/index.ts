/**
 * Training you can look at: the learning curve of a run (loss and validation per step, timing,
 * how it ended), recorded from `MarsModel.fit`'s callbacks and drawn as SVG.
 * @packageDocumentation
 */
export { LearningCurveRecorder } from './learning-curve';
export type {
  LearningCurve,
  LearningCurveRecorderOptions,
  LearningCurveValidation,
  TrainingEnd,
} from './learning-curve';
export { LEARNING_CURVE_COLORS, learningCurveSvg } from './learning-curve-svg';
export type { LearningCurveSvgOptions } from './learning-curve-svg';
