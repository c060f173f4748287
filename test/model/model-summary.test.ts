import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend';
import { InteractionDataset, splitPerUser } from '../../src/data';
import { formatModelSummary, MarsModel } from '../../src/model';
import { generateSyntheticCorpus } from '../../src/synthetic';

describe('MarsModel.summary', () => {
  const corpus = generateSyntheticCorpus({ seed: 2, itemCount: 40, userCount: 25, clicksPerUser: [4, 7] });
  const dataset = InteractionDataset.build(corpus.items, corpus.interactions);
  const split = splitPerUser(dataset, { seed: 1 });
  const [E, F, d, k] = [6, 5, 4, 3];
  let model: MarsModel;

  beforeAll(async () => {
    await selectBackend('cpu');
    model = MarsModel.create({
      embeddingDim: E,
      filters: F,
      outputDim: d,
      kernelSizes: [3],
      itemIdEmbedding: true,
      collaborativeFactors: k,
    });
    await model.fit(
      { itemIds: split.itemIds, itemTexts: dataset.itemTexts, train: split.train },
      { steps: 1 },
    );
  });
  afterAll(() => model.dispose());

  it('counts each block by hand: two text CNNs, the item-ID embedding, the fixed collaborative part', () => {
    const summary = model.summary();
    const V = summary.weights.find((w) => w.block === 'f_user' && w.weight === 'embedding')
      ?.shape[0] as number;
    expect(V).toBeGreaterThan(2); // padding, unknown, words
    const encoder = V * E + 3 * E * F + F + F * d + d; // embedding, conv kernel and bias, dense kernel and bias
    const items = split.itemIds.length;
    const users = split.userIds.length;
    expect(summary.blocks).toEqual([
      { block: 'f_user', parameters: encoder, trainable: encoder },
      { block: 'f_item', parameters: encoder, trainable: encoder },
      // the [items, d] embedding, plus its fixed [items, 1] mask of items seen in training
      { block: 'item ID embedding', parameters: items * d + items, trainable: items * d },
      { block: 'collaborative', parameters: users * k + items * k + items, trainable: 0 },
    ]);
    expect(summary.parameters).toBe(2 * encoder + items * d + items + users * k + items * k + items);
    expect(summary.trainableParameters).toBe(2 * encoder + items * d);
    const table = formatModelSummary(summary).split('\n');
    expect(table[0].split(/\s+/)).toEqual(['block', 'weight', 'shape', 'parameters', 'trained']);
    expect(table).toContain(
      table.find(
        (line) => line.startsWith('f_user') && line.includes(`[${V}, ${E}]`) && line.endsWith('yes'),
      ),
    );
    expect(table.at(-1)).toBe(
      `total: ${summary.parameters.toLocaleString('en-US')} parameters, ${summary.trainableParameters.toLocaleString('en-US')} trained by fit`,
    );
  });

  it('refuses an untrained model with a message saying what to do', () => {
    expect(() => MarsModel.create().summary()).toThrow(
      /MarsModel.summary: the model has not been trained or loaded yet/,
    );
  });
});
