import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CsrMatrix } from '../../src/data/csr';
import { MarsModel } from '../../src/model/mars-model';
import type { MarsConfig } from '../../src/model/config';
import type { MarsTrainingData } from '../../src/model/fit-options';
import { generateSyntheticCorpus } from '../../src/synthetic';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

function trainingData(): MarsTrainingData {
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

const small = { embeddingDim: 16, filters: 16, outputDim: 16, maxDocumentLength: 40 };
const data = trainingData();
const historyOf = (user: number): string[] =>
  Array.from(data.train.indices.subarray(data.train.offsets[user], data.train.offsets[user + 1]), (item) =>
    String(data.itemIds[item]),
  );

async function trained(config: Partial<MarsConfig>): Promise<MarsModel> {
  const model = MarsModel.create({ ...small, ...config });
  await model.fit(data, { steps: 8, batchSize: 32, learningRate: 0.01, seed: 3 });
  return model;
}

describe.each([
  ['text only', { collaborativeFactors: 0, itemBias: true }],
  ['with a collaborative part', {}],
])('a history that repeats an id, searched in the index (%s)', (_, config) => {
  it('counts the id once, at its most recent position, as the brute force does', async () => {
    const model = await trained({ ...config, maxHistory: 3 });
    await model.buildIndex({ engine: 'brute-force' });
    const users = model.config.collaborativeFactors > 0 ? [{}, { user: 0 }] : [{}];
    for (const user of [0, 5, 17]) {
      const history = historyOf(user);
      // the oldest item again, three times: as the most recent item, it takes one memory slot
      const repeated = [...history, history[0], history[0], history[0]];
      const distinct = [...history.slice(1), history[0]];
      for (const who of users) {
        const ids = async (items: string[], exact: boolean): Promise<string[]> =>
          (await model.recommend(items, { k: 10, exact, ...who })).map((r) => r.id);
        const brute = await ids(repeated, false);
        expect(await ids(repeated, true)).toEqual(brute);
        expect(await ids(distinct, true)).toEqual(brute);
      }
      expect(Array.from(model.userVector(repeated))).toEqual(Array.from(model.userVector(distinct)));
    }
    model.dispose();
  });
});
