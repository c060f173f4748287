/**
 * Ranking a trained MARS: the vectors of every catalogue item (computed once per set of
 * weights), brute-force scoring of all items for many histories, and attention explanations.
 * @packageDocumentation
 */
export {
  CATALOGUE_TOKEN_BUDGET,
  computeItemVectors,
  disposeItemVectors,
  encodeCatalogue,
  ItemVectorCache,
} from './item-vectors';
export type { ItemVectors } from './item-vectors';
export { scoreAllItems } from './brute-force-ranking';
export type { ScoreAllItemsOptions } from './brute-force-ranking';
export { scoreHistories } from './score-histories';
export type { ScoreHistoriesOptions } from './score-histories';
export { explainAttention } from './explain-attention';
export type { ExplainAttentionOptions, HistoryAttention } from './explain-attention';
