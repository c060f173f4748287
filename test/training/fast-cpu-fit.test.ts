import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CsrMatrix } from '../../src/data/csr';
import { MarsModel } from '../../src/model/mars-model';
import type { MarsConfig } from '../../src/model/config';
import type { FitOptions, MarsTrainingData } from '../../src/model/fit-options';
import { generateSyntheticCorpus } from '../../src/synthetic';
import { fastCpuStepEngine, tfjsStepEngine } from '../../src/training';

// MarsModel.fit through the fast CPU step and through the TF.js step: one model, the same
// weights, losses and scores (float tolerance); saved models load and keep scoring the same.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function csrFromRows(rows: number[][], columnCount: number): CsrMatrix {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((row, u) => (offsets[u + 1] = offsets[u] + row.length));
  return {
    rowCount: rows.length,
    columnCount,
    offsets,
    indices: Int32Array.from(rows.flatMap((row) => [...row].sort((a, b) => a - b))),
  };
}

function smallData(): MarsTrainingData {
  const corpus = generateSyntheticCorpus({ seed: 9, itemCount: 90, userCount: 60, clicksPerUser: [5, 12] });
  const index = new Map(corpus.items.map((item, i) => [item.id, i]));
  const byUser = new Map<string, number[]>();
  for (const click of corpus.interactions) {
    const items = byUser.get(click.user) ?? [];
    const item = index.get(click.item) as number;
    if (!items.includes(item)) items.push(item);
    byUser.set(click.user, items);
  }
  return {
    itemIds: corpus.items.map((item) => item.id),
    itemTexts: corpus.items.map((item) => item.text),
    train: csrFromRows([...byUser.values()], corpus.items.length),
  };
}

/** Item indices: two histories and an empty one. */
const histories = [Int32Array.of(3, 17), Int32Array.of(40), new Int32Array(0)];

const config: Partial<MarsConfig> = {
  embeddingDim: 12,
  filters: 10,
  outputDim: 8,
  kernelSizes: [3, 2],
  maxDocumentLength: 30,
  maxHistory: 6,
};

async function fitted(
  modelConfig: Partial<MarsConfig>,
  options: FitOptions,
): Promise<{ model: MarsModel; losses: number[]; scores: Float32Array }> {
  const model = MarsModel.create(modelConfig);
  const data = smallData();
  const { losses } = await model.fit(data, {
    steps: 4,
    batchSize: 16,
    seed: 3,
    learningRate: 0.01,
    ...options,
  });
  const scores = await model.scoreItemsForHistories(histories);
  return { model, losses, scores };
}

function expectCloseArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let scale = 1e-3;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i] - expected[i]) / scale).toBeLessThan(tolerance);
}

describe('MarsModel.fit with the fast CPU step', () => {
  const variants: [string, Partial<MarsConfig>, FitOptions][] = [
    ['the paper form', { ...config, collaborativeFactors: 0 }, {}],
    [
      'a collaborative part, item biases and item-ID embeddings, lazy Adam',
      { ...config, collaborativeFactors: 4, itemBias: true, itemIdEmbedding: true },
      { optimizer: 'lazy-adam' },
    ],
    [
      'a shared encoder with mean aggregation, SGD',
      { ...config, sharedEncoder: true, aggregation: 'mean', collaborativeFactors: 0 },
      { optimizer: 'sgd', learningRate: 0.5 },
    ],
  ];
  for (const [label, modelConfig, options] of variants) {
    it(`gives the TF.js step's losses and scores: ${label}`, async () => {
      const tfjs = await fitted(modelConfig, { ...options, stepEngine: tfjsStepEngine });
      const fast = await fitted(modelConfig, { ...options, stepEngine: fastCpuStepEngine({ threads: 2 }) });
      try {
        expectCloseArrays(fast.losses, tfjs.losses, 1e-4);
        expectCloseArrays(fast.scores, tfjs.scores, 1e-4);
      } finally {
        tfjs.model.dispose();
        fast.model.dispose();
      }
    });
  }

  it('is reproducible for a seed and a thread count', async () => {
    const first = await fitted(config, { stepEngine: fastCpuStepEngine({ threads: 2 }) });
    const second = await fitted(config, { stepEngine: fastCpuStepEngine({ threads: 2 }) });
    try {
      expect(second.losses).toEqual(first.losses);
      expect(second.scores).toEqual(first.scores);
    } finally {
      first.model.dispose();
      second.model.dispose();
    }
  });

  it('saves a model that loads and scores the same, and trains on with either step', async () => {
    const { model, scores } = await fitted(config, { stepEngine: fastCpuStepEngine({ threads: 1 }) });
    const folder = join(mkdtempSync(join(tmpdir(), 'mars-fast-')), 'model');
    await model.save(folder);
    const loaded = await MarsModel.load(folder);
    try {
      const data = smallData();
      const again = await loaded.scoreItemsForHistories(histories);
      expect(again).toEqual(scores);
      for (const stepEngine of [tfjsStepEngine, fastCpuStepEngine({ threads: 1 })]) {
        const { losses } = await loaded.fit(data, { steps: 2, batchSize: 16, seed: 5, stepEngine });
        expect(losses.every(Number.isFinite)).toBe(true);
      }
    } finally {
      model.dispose();
      loaded.dispose();
    }
  });

  it('falls back to the TF.js step for what it cannot train, and fastCpuStepEngine says why', async () => {
    const model = MarsModel.create({ ...config, dropout: 0.2, collaborativeFactors: 0 });
    try {
      const { losses } = await model.fit(smallData(), { steps: 1, batchSize: 8 });
      expect(losses.every(Number.isFinite)).toBe(true);
      await expect(
        model.fit(smallData(), { steps: 1, batchSize: 8, stepEngine: fastCpuStepEngine() }),
      ).rejects.toThrow(/dropout/);
      const optimizer = tf.train.adam(0.01);
      await expect(
        model.fit(smallData(), { steps: 1, batchSize: 8, stepEngine: fastCpuStepEngine(), optimizer }),
      ).rejects.toThrow(/optimizer/);
      optimizer.dispose();
    } finally {
      model.dispose();
    }
  });
});
