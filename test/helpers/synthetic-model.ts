// A small generated catalogue and a quickly trained MarsModel on it, shared by the serving
// tests that compare index search with the brute force.
import type { CsrMatrix } from '../../src/data/csr';
import { MarsModel } from '../../src/model/mars-model';
import type { MarsConfig } from '../../src/model/config';
import type { MarsTrainingData } from '../../src/model/fit-options';
import { generateSyntheticCorpus } from '../../src/synthetic';

/** 150 generated items and 60 users' clicks as training data (rows sorted, one per user). */
export function syntheticTrainingData(): MarsTrainingData {
  const corpus = generateSyntheticCorpus({ seed: 4, itemCount: 150, userCount: 60, clicksPerUser: [6, 12] });
  const index = new Map(corpus.items.map((item, i) => [item.id, i]));
  const rows = new Map<string, Set<number>>();
  for (const click of corpus.interactions)
    rows.set(click.user, (rows.get(click.user) ?? new Set()).add(index.get(click.item) as number));
  const lists = [...rows.values()].map((items) => [...items].sort((a, b) => a - b));
  const offsets = new Int32Array(lists.length + 1);
  lists.forEach((list, user) => (offsets[user + 1] = offsets[user] + list.length));
  const train: CsrMatrix = {
    rowCount: lists.length,
    columnCount: corpus.items.length,
    offsets,
    indices: Int32Array.from(lists.flat()),
  };
  return {
    itemIds: corpus.items.map((item) => item.id),
    itemTexts: corpus.items.map((item) => item.text),
    train,
  };
}

/** Small layer sizes that train in milliseconds. */
export const smallConfig = { embeddingDim: 16, filters: 16, outputDim: 16, maxDocumentLength: 40 };

/** The item ids of a training user's row. */
export function historyOfUser(data: MarsTrainingData, user: number): string[] {
  return Array.from(
    data.train.indices.subarray(data.train.offsets[user], data.train.offsets[user + 1]),
    (item) => String(data.itemIds[item]),
  );
}

/** A model with `smallConfig` and `config`, trained 8 seeded steps on `data`. */
export async function trainedSmallModel(
  data: MarsTrainingData,
  config: Partial<MarsConfig>,
): Promise<MarsModel> {
  const model = MarsModel.create({ ...smallConfig, ...config });
  await model.fit(data, { steps: 8, batchSize: 32, learningRate: 0.01, seed: 3 });
  return model;
}
