/**
 * The neural building blocks of MARS, as tfjs-layers custom layers.
 * @packageDocumentation
 */
export { TextCnnEncoder } from './text-cnn-encoder';
export type { EncodeCallOptions, TextCnnEncoderConfig, TokenBatch } from './text-cnn-encoder';
export { MemoryAttention } from './memory-attention';
export type { MemoryAggregation, MemoryAttentionConfig, ScoresWithUserVectors } from './memory-attention';
export { gatherRows } from './ops/gather-rows';
export { maxOverTime } from './ops/max-over-time';
export { lengthMask, projectionRows, uniqueWords } from './factorized-convolution';
export type { UniqueWords } from './factorized-convolution';
export { loadWordVectors } from './word-vectors';
export type { LoadedWordVectors, WordIndex } from './word-vectors';
