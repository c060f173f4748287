/**
 * Baselines evaluated with the same harness as MARS. TensorFlow-free.
 * @packageDocumentation
 */
export { PopularityRecommender } from './popularity';
export { BprMatrixFactorization } from './bpr-mf';
export type { BprMfOptions } from './bpr-mf';
export { fitBprItemBiases } from './item-biases';
export type { ItemBiasFitOptions } from './item-biases';
