/**
 * The neural building blocks of MARS, as tfjs-layers custom layers, and the one op that reads
 * the memory.
 * @packageDocumentation
 */
export { TextCnnEncoder, WORD_EMBEDDING_INIT_STD } from './text-cnn-encoder';
export type { EncodeCallOptions, TextCnnEncoderConfig, TokenBatch } from './text-cnn-encoder';
export { MemoryAttention } from './memory-attention';
export type { MemoryAttentionConfig, ScoresWithUserVectors } from './memory-attention';
export { memoryReadScores, memoryReadWeights } from './ops/memory-read';
export type { MemoryAggregation, MemoryReadOptions } from './ops/memory-read';
export { ItemBias } from './item-bias';
export type { ItemBiasConfig } from './item-bias';
export { ItemIdEmbedding } from './item-id-embedding';
export type { ItemIdEmbeddingConfig } from './item-id-embedding';
export type { ItemRows } from './seen-items';
export { disposeMarsBlocks, encodeItemDocuments, marsTrainableVariables } from './mars-blocks';
export type { EncoderSide, MarsBlocks } from './mars-blocks';
export { gatherRows } from './ops/gather-rows';
export { loadWordVectors } from './word-vectors';
export type { LoadedWordVectors, WordIndex } from './word-vectors';
