/**
 * mars-rec: MARS (Memory Attention-Aware Recommender System) on TensorFlow.js.
 *
 * The root entry re-exports every building block. The subpaths `mars-rec/text`,
 * `mars-rec/data`, `mars-rec/sampling` and `mars-rec/metrics` never import TensorFlow.
 * @packageDocumentation
 */
export * from './text/index';
export * from './data/index';
export * from './sampling/index';
export * from './metrics/index';
export * from './ragged/index';
export * from './ragged/tensors';
export * from './synthetic/index';
export * from './baselines/index';
export * from './layers/index';
export * from './model/index';
export * from './backend/index';
export * from './reporting/index';
