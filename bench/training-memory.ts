// Peak memory of one MARS fit on movies_tmdb_small in a fresh process, for the training bench:
// `node --import tsx bench/training-memory.ts fast|tfjs STEPS` prints one JSON line with the
// process's peak RSS (getrusage maxRSS) and the fit's triplets/s. A fresh process per step
// engine keeps each peak its own (the wasm heap of TF.js never shrinks).
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../src/backend';
import {
  InteractionDataset,
  loadInteractionsCsv,
  loadItemsJsonl,
  preprocess,
  splitPerUser,
} from '../src/data';
import { MarsModel } from '../src/model';
import { defaultStepEngine, tfjsStepEngine } from '../src/training';
import { sharedDatasetPath } from './shared-data';

const [engine = 'fast', stepsText = '6'] = process.argv.slice(2);
if (engine !== 'fast' && engine !== 'tfjs')
  throw new Error(`training-memory: engine must be fast or tfjs, got ${engine}`);
await selectBackend('wasm');
await tf.ready();
const folder = sharedDatasetPath('movies_tmdb_small');
if (!folder) throw new Error('training-memory: ../shared/data/movies_tmdb_small is absent');
const raw = InteractionDataset.build(
  await loadItemsJsonl(join(folder, 'items.jsonl')),
  await loadInteractionsCsv(join(folder, 'interactions.csv')),
);
const { dataset } = preprocess(raw, { minRating: 4, minUserInteractions: 3 });
const data = {
  itemIds: dataset.itemIds,
  itemTexts: dataset.itemTexts,
  train: splitPerUser(dataset, { seed: 1 }).train,
};
const model = MarsModel.create({
  embeddingDim: 64,
  filters: 100,
  kernelSizes: [3],
  outputDim: 64,
  maxHistory: 50,
  maxDocumentLength: 300,
  collaborativeFactors: 0,
});
const fit = await model.fit(data, {
  steps: Number(stepsText),
  batchSize: 128,
  seed: 2,
  stepEngine: engine === 'fast' ? defaultStepEngine : tfjsStepEngine,
});
console.log(
  JSON.stringify({
    engine,
    peakRssMiB: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
    tripletsPerSecond: fit.tripletsPerSecond,
  }),
);
model.dispose();
