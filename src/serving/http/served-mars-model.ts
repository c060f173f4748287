import * as tf from '@tensorflow/tfjs-core';
import type { AttentionExplanation, Recommendation, RecommendationQuery, ServedModel } from './served-model';

/**
 * What the service needs of a MARS model; `MarsModel` has it. (The HTTP service sits below the
 * facade in the import graph, so it names the methods it calls rather than the class.)
 */
export interface RankingModel {
  /** The items the model ranks; undefined until trained or loaded. */
  readonly catalog?: { readonly size: number; indexOf(id: string): number | undefined };
  /** The architecture; `collaborativeFactors > 0` means the model has a learned vector per training user. */
  readonly config: { readonly collaborativeFactors: number };
  /** `MarsModel.recommendMany`. */
  recommendMany(
    histories: readonly (readonly string[])[],
    options: { k?: number; users?: readonly number[] },
  ): Promise<Recommendation[][]>;
  /** `MarsModel.explain`. */
  explain(
    history: readonly string[],
    item: string,
    options?: { user?: number },
  ): Promise<AttentionExplanation>;
}
import { withoutExcluded } from './served-model';

/**
 * Serves a trained or loaded `MarsModel` (any {@link RankingModel}). A batch of queries is one
 * `MarsModel.recommendMany` call (one scoring pass over the catalogue for all histories; it uses
 * the model's item index when it has one): each query asks for its `k` plus its exclusions, and
 * its exclusions are dropped afterwards, so queries with different `k` and `exclude` share the
 * call. The model is not disposed by the service.
 */
export function servedMarsModel(model: RankingModel): ServedModel {
  const catalog = model.catalog;
  if (!catalog)
    throw new Error(
      'servedMarsModel: the model has not been trained or loaded yet; call fit() or MarsModel.load() first',
    );
  const collaborative = model.config.collaborativeFactors > 0;
  return {
    kind: 'mars',
    itemCount: catalog.size,
    hasItem: (id) => catalog.indexOf(id) !== undefined,
    recommendMany: async (queries: readonly RecommendationQuery[]) => {
      const k = Math.min(catalog.size, Math.max(...queries.map((query) => query.k + query.exclude.length)));
      const rankings = await model.recommendMany(
        queries.map((query) => query.history),
        {
          k,
          // the user term exists only with a collaborative part; otherwise the history says it all
          users: collaborative ? queries.map((query) => query.user ?? -1) : undefined,
        },
      );
      return rankings.map((ranking, row) => withoutExcluded(ranking, queries[row]));
    },
    explain: (history, item, user) =>
      model.explain(history, item, { user: collaborative ? user : undefined }),
    describe: () => ({ config: model.config }),
    tensorCount: () => tf.memory().numTensors,
  };
}
