import * as tf from '@tensorflow/tfjs-core';
import type { MarsModel } from '../../model/mars-model';
import type { RecommendationQuery, ServedModel } from './served-model';
import { withoutExcluded } from './served-model';

/**
 * Serves a trained or loaded {@link MarsModel}. A batch of queries is one
 * `MarsModel.recommendMany` call (one scoring pass over the catalogue for all histories; it uses
 * the model's item index when it has one): each query asks for its `k` plus its exclusions, and
 * its exclusions are dropped afterwards, so queries with different `k` and `exclude` share the
 * call. The model is not disposed by the service.
 */
export function servedMarsModel(model: MarsModel): ServedModel {
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
