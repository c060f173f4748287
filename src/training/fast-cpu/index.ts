export { FastCpuTrainer } from './fast-cpu-trainer';
export type { FastCpuForward, FastCpuOptimizer, FastCpuTrainerOptions } from './fast-cpu-trainer';
export type { EncoderWeights, FastCpuShape, FastCpuWeights } from './parameter-layout';
