import * as tf from '@tensorflow/tfjs-core';
import { InteractionDataset } from '../../src/data/interaction-dataset';
import { splitPerUser } from '../../src/data/split';
import type { MarsTrainingData } from '../../src/model/fit-options';
import type { MarsConfig } from '../../src/model/config';
import { MarsModel } from '../../src/model/mars-model';
import { generateSyntheticCorpus } from '../../src/synthetic';

/** A small synthetic catalogue (120 items, 80 users) split per user, as a user would build it. */
export function smallTrainingData(): MarsTrainingData {
  const corpus = generateSyntheticCorpus({ seed: 4, itemCount: 120, userCount: 80, clicksPerUser: [6, 12] });
  const dataset = InteractionDataset.build(corpus.items, corpus.interactions);
  const split = splitPerUser(dataset, { trainFraction: 0.5, seed: 1 });
  return { itemIds: split.itemIds, itemTexts: dataset.itemTexts, train: split.train };
}

/** What one short training run leaves behind, read back with `await data()` (never dataSync). */
export interface TrainingRun {
  losses: number[];
  /** Every saved weight by name, flattened. */
  weights: Map<string, Float32Array>;
  /** Scores of every item for a few fixed histories, row-major. */
  scores: Float32Array;
  /** Wall time of each training step (ms), from `onBatchEnd`. */
  stepMilliseconds: number[];
  /** Wall time of scoring (ms). */
  scoreMilliseconds: number;
}

/** Fits a fresh model for `steps` steps on the active backend and reads everything back. */
export async function trainingRun(
  data: MarsTrainingData,
  config: Partial<MarsConfig>,
  fit: { steps: number; batchSize: number; seed: number; learningRate?: number },
): Promise<TrainingRun> {
  // the text pathway (the kernels under test); the collaborative part is backend-free JavaScript
  const model = MarsModel.create({ collaborativeFactors: 0, ...config });
  const stepMilliseconds: number[] = [];
  let last = performance.now();
  try {
    const result = await model.fit(data, {
      ...fit,
      onBatchEnd: () => {
        const now = performance.now();
        stepMilliseconds.push(now - last);
        last = now;
      },
    });
    const started = performance.now();
    const scores = await model.scoreItemsForHistories([Int32Array.of(1, 2, 3), Int32Array.of(40, 7)]);
    const scoreMilliseconds = performance.now() - started;
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const weights = new Map<string, Float32Array>();
    const bytes = saved?.weightData as ArrayBuffer;
    let offset = 0;
    for (const spec of saved?.weightSpecs ?? []) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      if (spec.dtype === 'float32')
        weights.set(spec.name, new Float32Array(bytes.slice(offset, offset + 4 * size)));
      offset += 4 * size;
    }
    return { losses: result.losses, weights, scores, stepMilliseconds, scoreMilliseconds };
  } finally {
    model.dispose();
  }
}

/** The largest absolute difference between two runs' weights, and the weight where it occurs. */
export function largestWeightDifference(
  a: TrainingRun,
  b: TrainingRun,
): { name: string; difference: number } {
  let worst = { name: '', difference: 0 };
  for (const [name, values] of a.weights) {
    const other = b.weights.get(name);
    if (!other || other.length !== values.length) return { name, difference: Infinity };
    for (let i = 0; i < values.length; i++) {
      const difference = Math.abs(values[i] - other[i]);
      if (!(difference <= worst.difference)) worst = { name, difference };
    }
  }
  return worst;
}

/** The largest absolute difference between two equally long arrays (Infinity if lengths differ). */
export function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) || 0);
  return worst;
}
