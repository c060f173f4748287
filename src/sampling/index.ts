/**
 * BPR training-data sampling on CSR interaction data. TensorFlow-free.
 * @packageDocumentation
 */
export { SeededRandom } from './random';
