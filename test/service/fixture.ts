import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { InteractionDataset } from '../../src/data/interaction-dataset';
import { splitPerUser } from '../../src/data/split';
import type { UserSplit } from '../../src/data/split';
import { MarsModel } from '../../src/model/mars-model';
import { generateSyntheticCorpus } from '../../src/synthetic';

/** A tiny MARS model (with a collaborative part) on a synthetic corpus, and its split. */
export async function trainTinyModel(): Promise<{ model: MarsModel; split: UserSplit }> {
  await tf.setBackend('cpu');
  const corpus = generateSyntheticCorpus({ seed: 5, itemCount: 60, userCount: 40, clicksPerUser: [6, 12] });
  const dataset = InteractionDataset.build(
    corpus.items.map((item) => ({ id: item.id, text: item.text })),
    corpus.interactions,
  );
  const split = splitPerUser(dataset, { trainFraction: 0.5, seed: 2 });
  const model = MarsModel.create({
    embeddingDim: 8,
    filters: 8,
    outputDim: 8,
    maxDocumentLength: 30,
    maxHistory: 10,
    collaborativeFactors: 4,
  });
  await model.fit(
    { itemIds: split.itemIds, itemTexts: dataset.itemTexts, train: split.train },
    { steps: 3, batchSize: 16, collaborative: { epochs: 5 } },
  );
  return { model, split };
}
