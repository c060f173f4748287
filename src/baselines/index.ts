/**
 * Baselines evaluated with the same harness as MARS: popularity, and BPR-MF (whose core lives in
 * `collaborative/`, shared with the model). TensorFlow-free.
 * @packageDocumentation
 */
export { PopularityRecommender } from './popularity';
export type { PopularityJson } from './popularity';
export { BprMatrixFactorization, fitBprItemBiases } from '../collaborative/index';
export type { BprMfJson, BprMfOptions, ItemBiasFitOptions } from '../collaborative/index';
