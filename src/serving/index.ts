/**
 * Ranking a trained MARS: the vectors of every catalogue item (computed once per set of
 * weights), brute-force scoring of all items for many histories, attention explanations, and
 * serving at catalogue scale: the scoring table, the exact score, the envelope bound, the
 * ItemIndex over a vector engine (brute force, usearch), the exact threshold algorithm, the
 * approximate top-k, and the persisted, incremental catalogue.
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
export { RANK_HISTORIES_BATCH, rankHistories } from './rank-histories';
export type { RankedItem, RankHistoriesOptions } from './rank-histories';
export { searchCatalogue, servingSearchOf } from './search-catalogue';
export type { IndexSearchChoice, SearchCatalogueOptions } from './search-catalogue';
export { checkIndexMatches, checkItemTexts, keepLearnedColumns } from './catalogue-updates';
export type { IndexedModelShape } from './catalogue-updates';
export { explainAttention } from './explain-attention';
export { attentionUniformity, NEAR_UNIFORM_TOLERANCE } from './attention-uniformity';
export type { AttentionUniformity } from './attention-uniformity';
export type { ExplainAttentionOptions, HistoryAttention } from './explain-attention';
export { ScoringTable } from './scoring-table';
export type { ScoringColumns } from './scoring-table';
export { envelopeQuery, indexDimensions, indexVectorsOf, prepareMemoryQuery } from './memory-query';
export type { MemoryQuery, MemoryQueryOptions } from './memory-query';
export { scoreRows } from './exact-scores';
export { approximateTopK, bruteForceTopK, exactTopK } from './exact-top-k';
export type { ApproximateTopKOptions, ExactTopKOptions, TopKRequest, TopKResult } from './exact-top-k';
export type {
  ItemIndex,
  ItemIndexEngine,
  ItemIndexMatches,
  ItemIndexOptions,
  ItemIndexSearchOptions,
} from './item-index/item-index';
export { BruteForceItemIndex } from './item-index/brute-force-index';
export { USEARCH_PACKAGE, UsearchItemIndex } from './item-index/usearch-index';
export { createItemIndex, ITEM_INDEX_ENGINES, openItemIndex } from './item-index/open-item-index';
export { CATALOGUE_INDEX_FORMAT, CATALOGUE_INDEX_VERSION, CatalogueIndex } from './catalogue-index';
export type { CatalogueIndexOptions, ServingSearch } from './catalogue-index';
export { catalogueColumns, coldItemColumns } from './model-columns';
