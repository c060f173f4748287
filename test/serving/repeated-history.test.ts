import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MarsModel } from '../../src/model/mars-model';
import type { MarsConfig } from '../../src/model/config';
import { historyOfUser, syntheticTrainingData, trainedSmallModel } from '../helpers/synthetic-model';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

const data = syntheticTrainingData();
const historyOf = (user: number): string[] => historyOfUser(data, user);
const trained = (config: Partial<MarsConfig>): Promise<MarsModel> => trainedSmallModel(data, config);

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
