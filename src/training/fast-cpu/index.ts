/**
 * The fast CPU training step: WebAssembly SIMD kernels over typed arrays in one shared memory,
 * with worker threads over each step's deduplicated documents.
 * @packageDocumentation
 */
export { FastCpuTrainer } from './fast-cpu-trainer';
export type { FastCpuForward, FastCpuOptimizer, FastCpuTrainerOptions } from './fast-cpu-trainer';
export type { EncoderWeights, FastCpuShape, FastCpuWeights } from './parameter-layout';
export {
  defaultStepEngine,
  FastCpuStepEngine,
  fastCpuPartsOf,
  fastCpuStepEngine,
  fastCpuStepUnsupported,
} from './fast-cpu-step-engine';
export type {
  FastCpuModelParts,
  FastCpuStepEngineChoice,
  FastCpuStepEngineOptions,
} from './fast-cpu-step-engine';
export { readEncoderWeights, writeEncoderWeights } from './encoder-weights';
