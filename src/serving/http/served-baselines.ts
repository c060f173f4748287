import type { BprMatrixFactorization } from '../../collaborative/bpr-mf';
import type { PopularityRecommender } from '../../baselines/popularity';
import { topK } from '../../metrics/top-k';
import type { Recommendation, RecommendationQuery, ServedModel } from './served-model';

function indexOfIds(itemIds: readonly string[]): Map<string, number> {
  return new Map(itemIds.map((id, index) => [id, index]));
}

function rank(
  scores: Float32Array,
  query: RecommendationQuery,
  index: Map<string, number>,
  itemIds: readonly string[],
): Recommendation[] {
  const skip = new Set<number>();
  for (const id of [...query.history, ...query.exclude]) skip.add(index.get(id) as number);
  return Array.from(topK(scores, Math.min(query.k, scores.length), skip), (item) => ({
    id: itemIds[item],
    score: scores[item],
  }));
}

/**
 * Serves the popularity baseline: every query gets the most-interacted items not in its
 * history or exclusions.
 * @param itemIds - item ids by the recommender's item index.
 */
export function servedPopularity(
  recommender: PopularityRecommender,
  itemIds: readonly string[],
): ServedModel {
  if (recommender.itemCount !== itemIds.length)
    throw new RangeError(
      `servedPopularity: ${recommender.itemCount} item counts for ${itemIds.length} item ids`,
    );
  const index = indexOfIds(itemIds);
  return {
    kind: 'popularity',
    itemCount: itemIds.length,
    hasItem: (id) => index.has(id),
    recommendMany: (queries) =>
      Promise.resolve(queries.map((query) => rank(recommender.itemCounts, query, index, itemIds))),
    describe: () => ({}),
  };
}

/**
 * Serves BPR-MF: it knows only its training users, so every query needs a known user; a batch
 * is one `scoreUsers` call.
 * @param itemIds - item ids by the model's item index.
 */
export function servedBprMf(model: BprMatrixFactorization, itemIds: readonly string[]): ServedModel {
  if (model.itemCount !== itemIds.length)
    throw new RangeError(
      `servedBprMf: the model has ${model.itemCount} items for ${itemIds.length} item ids`,
    );
  const index = indexOfIds(itemIds);
  return {
    kind: 'bpr-mf',
    itemCount: itemIds.length,
    needsUser: true,
    hasItem: (id) => index.has(id),
    recommendMany: (queries) => {
      const users = Int32Array.from(queries, (query) => query.user ?? -1);
      if (users.some((user) => user < 0))
        return Promise.reject(new RangeError('servedBprMf: every query needs a training user'));
      const scores = model.scoreUsers(users); // [queries, items]
      return Promise.resolve(
        queries.map((query, row) =>
          rank(scores.subarray(row * itemIds.length, (row + 1) * itemIds.length), query, index, itemIds),
        ),
      );
    },
    describe: () => ({ factors: model.factors, users: model.userCount }),
  };
}
