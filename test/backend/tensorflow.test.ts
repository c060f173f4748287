import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { importOptional } from '../../src/backend/runtime';
import { selectBackend } from '../../src/backend/select-backend';
import { largestDifference, largestWeightDifference, smallTrainingData, trainingRun } from './train-run';

// The tensorflow backend (libtensorflow through @tensorflow/tfjs-node-gpu for CUDA, or
// @tensorflow/tfjs-node for CPU) cannot be installed where the install script cannot download
// libtensorflow; the suite is then skipped, saying why.
const packages = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];
let installed: string | undefined;
const reasons: string[] = [];
for (const name of packages) {
  const loaded = await importOptional(name);
  if ('module' in loaded) {
    installed = name;
    break;
  }
  reasons.push(`${name}: ${loaded.missing ? 'not installed' : loaded.message}`);
}
if (!installed) console.warn(`[tensorflow.test] SKIPPED: ${reasons.join('; ')}`);

describe.skipIf(!installed)(
  `tensorflow backend (${installed ?? `skipped: ${packages.join(' and ')} absent`})`,
  () => {
    afterAll(async () => {
      await tf.setBackend('cpu');
    });

    it("is 'auto''s first choice in Node", async () => {
      const selection = await selectBackend('auto');
      expect(selection.name).toBe('tensorflow');
      expect(selection.tried).toHaveLength(1);
    });

    it('trains MarsModel like the cpu backend: losses, weights and scores within 1e-4', async () => {
      const data = smallTrainingData();
      const config = { embeddingDim: 16, filters: 16, outputDim: 16, maxDocumentLength: 40 };
      const fit = { steps: 3, batchSize: 32, seed: 5, learningRate: 0.01 };
      await selectBackend('cpu');
      const cpu = await trainingRun(data, config, fit);
      await selectBackend('tensorflow');
      const tensorflow = await trainingRun(data, config, fit);
      expect(largestDifference(tensorflow.losses, cpu.losses)).toBeLessThan(1e-4);
      expect(largestWeightDifference(tensorflow, cpu).difference).toBeLessThan(1e-4);
      expect(largestDifference(tensorflow.scores, cpu.scores)).toBeLessThan(1e-4);
    });
  },
);
