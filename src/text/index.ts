/**
 * The text pipeline: item text to integer token sequences. TensorFlow-free.
 *
 * `Tokenizer` (HTML cleanup, NFKC, lowercase, Unicode words, stopwords) feeds `Vocabulary`
 * (ids 0 = padding, 1 = out-of-vocabulary, words from 2 by count), and `encodeCorpus` turns a
 * whole corpus into ragged `{ values, rowSplits }` rows.
 * @packageDocumentation
 * @module mars-rec/text
 */
export { Tokenizer } from './tokenizer';
export { WORD_BOUNDARIES } from './tokenizer';
export type { TokenizerJson, TokenizerOptions, TokenVisitor, WordBoundaries } from './tokenizer';
export { Vocabulary } from './vocabulary';
export type {
  DecodeOptions,
  EncodeOptions,
  Truncation,
  VocabularyBuildOptions,
  VocabularyFitOptions,
  VocabularyJson,
} from './vocabulary';
export { TokenCounter } from './token-counter';
export type { CorpusItem, TextItem } from './corpus-item';
export { encodeCorpus, encodeCorpusAsync, encodeText } from './encode-corpus';
export type { EncodedCorpus } from './encode-corpus';
export { builtInStopwords, STOPWORD_LANGUAGES } from './stopwords';
export type { StopwordLanguage } from './stopwords';
export { stripHtml } from './html';
export { compareCodePoints } from './compare-code-points';
export { FIRST_WORD_ID, OOV_ID, OOV_TOKEN, PADDING_ID, PADDING_TOKEN } from './reserved';
