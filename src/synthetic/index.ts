/**
 * A licence-free synthetic news corpus with planted topics, for demos, examples and tests.
 * TensorFlow-free.
 * @packageDocumentation
 */
export { generateSyntheticCorpus } from './generate';
export type {
  SyntheticCorpus,
  SyntheticCorpusOptions,
  SyntheticInteraction,
  SyntheticItem,
} from './generate';
export { syntheticFillerWords, syntheticTopicWords } from './topics';
