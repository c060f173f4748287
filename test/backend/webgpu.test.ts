import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select-backend';
import { probeWebGpu } from '../../src/backend/webgpu-adapter';
import { largestDifference, largestWeightDifference, smallTrainingData, trainingRun } from './train-run';
import type { TrainingRun } from './train-run';

// In Node the adapter comes from Dawn (the `webgpu` package) over Vulkan; `.ci/run` installs
// Mesa's lavapipe from bookworm-backports. Without an adapter the suite is skipped, saying why.
const probe = await probeWebGpu();
if (!probe.available) console.warn(`[webgpu.test] SKIPPED: no WebGPU adapter here: ${probe.reason}`);

const config = { embeddingDim: 16, filters: 16, outputDim: 16, maxDocumentLength: 40 };
const fit = { steps: 3, batchSize: 32, seed: 5, learningRate: 0.01 };

describe.skipIf(!probe.available)(
  `webgpu backend (${probe.available ? probe.description : `skipped: ${probe.reason}`})`,
  () => {
    afterAll(async () => {
      await tf.setBackend('cpu');
    });

    it('trains MarsModel and scores like the cpu backend: losses, weights and scores within 1e-4', async () => {
      const data = smallTrainingData();
      const runs: Record<string, TrainingRun> = {};
      for (const backend of ['cpu', 'webgpu'] as const) {
        const selection = await selectBackend(backend);
        expect(selection.name).toBe(backend);
        runs[backend] = await trainingRun(data, config, fit);
        const steps = runs[backend].stepMilliseconds.map(Math.round).join(', ');
        console.info(
          `[webgpu.test] ${backend}${selection.device ? ` (${selection.device})` : ''}: steps ${steps} ms ` +
            `(on webgpu the first compiles shaders), scoring ${Math.round(runs[backend].scoreMilliseconds)} ms`,
        );
      }
      const { cpu, webgpu } = runs;
      expect(webgpu.losses).toHaveLength(fit.steps);
      expect(largestDifference(webgpu.losses, cpu.losses)).toBeLessThan(1e-4);
      expect(largestWeightDifference(webgpu, cpu).difference).toBeLessThan(1e-4);
      expect(webgpu.scores.every(Number.isFinite)).toBe(true);
      expect(largestDifference(webgpu.scores, cpu.scores)).toBeLessThan(1e-4);
    }, 300_000);

    it("'auto' never picks a software fallback adapter", async () => {
      const selection = await selectBackend('auto');
      if (probe.fallback) {
        expect(selection.name).not.toBe('webgpu');
        expect(selection.tried.find((t) => t.name === 'webgpu')?.reason).toMatch(/software fallback adapter/);
      } else if (selection.name !== 'tensorflow') {
        expect(selection.name).toBe('webgpu');
      }
    });
  },
);
