import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarsModel } from '../../src/model/mars-model';
import type { MarsConfig } from '../../src/model/config';
import { CatalogueIndex } from '../../src/serving';
import { historyOfUser, syntheticTrainingData, trainedSmallModel } from '../helpers/synthetic-model';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

const folders: string[] = [];
afterAll(async () => {
  for (const path of folders) await rm(path, { recursive: true, force: true });
});

const data = syntheticTrainingData();
const historyOf = (user: number): string[] => historyOfUser(data, user);
const trained = (config: Partial<MarsConfig>): Promise<MarsModel> => trainedSmallModel(data, config);

describe.each([
  ['default (collaborative part)', {}],
  [
    'text only + item bias + ID embedding',
    { collaborativeFactors: 0, itemBias: true, itemIdEmbedding: true },
  ],
  ['mean aggregation', { aggregation: 'mean' as const, collaborativeFactors: 4 }],
])('MarsModel with an index: %s', (_, config) => {
  it('exact and approximate recommend the brute-force items, for known and anonymous users', async () => {
    const model = await trained(config);
    await model.buildIndex({ engine: 'usearch', threads: 1 });
    const collaborative = (model.config.collaborativeFactors ?? 0) > 0;
    for (const user of [0, 5, 17]) {
      const history = historyOf(user);
      for (const who of collaborative ? [{ user }, {}] : [{}]) {
        const options = { k: 12, exclude: [String(data.itemIds[3])], ...who };
        const brute = await model.recommend(history, options);
        const exact = await model.recommend(history, { ...options, exact: true });
        const approximate = await model.recommend(history, { ...options, approximate: { candidates: 150 } });
        // float32 brute force against float64 serving scores: same items, scores to float32 precision
        expect(exact.map((r) => r.id)).toEqual(brute.map((r) => r.id));
        exact.forEach((r, k) => expect(r.score).toBeCloseTo(brute[k].score, 4));
        expect(approximate.map((r) => r.id)).toEqual(exact.map((r) => r.id));
      }
    }
    const explained = await model.explain(historyOf(2), String(data.itemIds[9]));
    expect(explained.history.length).toBe(historyOf(2).length);
    model.dispose();
  });
});

describe('the incremental catalogue', () => {
  it('new items get vectors from their text and are recommended; removed items are not; the index saves and loads', async () => {
    const model = await trained({ collaborativeFactors: 0 }); // scores from text alone
    const index = await model.buildIndex({ engine: 'usearch', threads: 1 });
    const history = historyOf(4);
    const before = await model.recommend(history, { k: 5, exact: true });
    // copies of the texts of the two best items, under new ids: identical text, identical vectors
    const textOf = new Map(data.itemIds.map((id, i) => [String(id), (data.itemTexts ?? [])[i]]));
    const added = await model.indexItems([
      { id: 'new-copy-of-best', text: textOf.get(before[0].id) as string },
      { id: 'new-copy-of-second', text: textOf.get(before[1].id) as string },
      { id: 'new-unrelated', text: 'zzzz qqqq' },
    ]);
    expect(added).toEqual({ added: 3, replaced: 0 });
    const after = await model.recommend(history, { k: 5, exact: true });
    // an all-unknown text has a vector of its own that may rank anywhere: the copies rank with their originals
    const ids = after.map((r) => r.id).filter((id) => id !== 'new-unrelated');
    expect(ids.slice(0, 4).sort()).toEqual(
      [before[0].id, before[1].id, 'new-copy-of-best', 'new-copy-of-second'].sort(),
    );
    const score = new Map(after.map((r) => [r.id, r.score]));
    expect(score.get('new-copy-of-best')).toBeCloseTo(score.get(before[0].id) as number, 5);
    expect(await model.recommend(history, { k: 5, approximate: true })).toEqual(after);
    // a history may name a new item
    const extended = await model.recommend([...history, 'new-unrelated'], { k: 3, exact: true });
    expect(extended.map((r) => r.id)).not.toContain('new-unrelated');
    // removal, then save and load beside the model
    expect(await model.removeItems(['new-copy-of-best', before[0].id])).toBe(2);
    const afterRemoval = await model.recommend(history, { k: 5, exact: true });
    expect(afterRemoval.map((r) => r.id)).not.toContain('new-copy-of-best');
    expect(afterRemoval.map((r) => r.id)).not.toContain(before[0].id);
    const directory = await mkdtemp(join(tmpdir(), 'mars-rec-model-index-'));
    folders.push(directory);
    await model.save(join(directory, 'model'));
    await index.save(join(directory, 'index'));
    const loaded = await MarsModel.load(join(directory, 'model'));
    loaded.useIndex(await CatalogueIndex.load(join(directory, 'index')));
    expect(await loaded.recommend(history, { k: 5, exact: true })).toEqual(afterRemoval);
    loaded.dispose();
    model.dispose();
  });

  it('names what is missing: no index, unknown ids, both modes, an index of another model', async () => {
    const model = await trained({ collaborativeFactors: 0 });
    await expect(model.recommend(historyOf(0), { exact: true })).rejects.toThrow(
      /no catalogue index is attached/,
    );
    await model.buildIndex({ engine: 'brute-force' });
    await expect(model.recommend(['nope'], { exact: true })).rejects.toThrow(
      "Unknown history item (user 0) id 'nope' at position 0",
    );
    await expect(model.recommend(historyOf(0), { exact: true, approximate: true })).rejects.toThrow(
      /exact or approximate, not both/,
    );
    await expect(model.indexItems([{ id: 'x', text: 3 as unknown as string }])).rejects.toThrow(
      /item 0 needs a string id and a string text/,
    );
    const other = await trained({ collaborativeFactors: 0, outputDim: 8 });
    expect(() => other.useIndex(model.index)).toThrow(/built from another model/);
    other.dispose();
    model.dispose();
  });

  it('frees every tensor it makes', async () => {
    const model = await trained({});
    const before = tf.memory().numTensors;
    await model.buildIndex({ engine: 'brute-force' });
    await model.encodeItems(['a new text', 'another']);
    await model.indexItems([{ id: 'n1', text: 'words words' }]);
    await model.recommend(historyOf(1), { exact: true });
    // the vector cache holds the catalogue's vectors once computed; nothing else stays
    const cached = tf.memory().numTensors - before;
    expect(cached).toBeLessThanOrEqual(2);
    await model.indexItems([{ id: 'n2', text: 'more words' }]);
    expect(tf.memory().numTensors - before).toBe(cached);
    model.dispose();
  });
});
