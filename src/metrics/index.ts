/**
 * Ranking metrics and a full-ranking evaluator. TensorFlow-free.
 * @packageDocumentation
 */
export {};
