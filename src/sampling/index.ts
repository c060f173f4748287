/**
 * BPR training-data sampling on CSR interaction data. TensorFlow-free.
 * @packageDocumentation
 * @module mars-rec/sampling
 */
export { SeededRandom } from '../random/seeded-random';
export { BprTripletSampler } from './bpr-triplet-sampler';
export type {
  BprTripletSamplerOptions,
  HistoryStrategy,
  NegativeSampling,
  SamplerExclusions,
  TripletBatch,
} from './bpr-triplet-sampler';
