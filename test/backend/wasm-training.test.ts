import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select-backend';
import { largestDifference, largestWeightDifference, smallTrainingData, trainingRun } from './train-run';

describe('wasm backend', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('fits MarsModel like the cpu backend: same seed, losses and final weights within 1e-4', async () => {
    const data = smallTrainingData();
    const config = { embeddingDim: 16, filters: 16, outputDim: 16, maxDocumentLength: 40, itemBias: true };
    const fit = { steps: 4, batchSize: 32, seed: 9, learningRate: 0.01 };
    await selectBackend('cpu');
    const cpu = await trainingRun(data, config, fit);
    const before = tf.memory().numTensors;
    expect((await selectBackend('wasm')).name).toBe('wasm');
    const wasm = await trainingRun(data, config, fit);
    expect(tf.memory().numTensors).toBe(before);
    expect(wasm.losses).toHaveLength(fit.steps);
    expect(largestDifference(wasm.losses, cpu.losses)).toBeLessThan(1e-4);
    // training moved the weights: the comparison is not between two untouched initialisations
    expect(wasm.losses[fit.steps - 1]).not.toBe(wasm.losses[0]);
    const worst = largestWeightDifference(wasm, cpu);
    expect(worst.difference, `largest difference in ${worst.name}`).toBeLessThan(1e-4);
    expect([...wasm.weights.keys()]).toEqual([...cpu.weights.keys()]);
    expect(largestDifference(wasm.scores, cpu.scores)).toBeLessThan(1e-4);
  });
});
