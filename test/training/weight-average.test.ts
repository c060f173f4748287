import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TripletBatch } from '../../src/sampling/bpr-triplet-sampler';
import { runFitLoop } from '../../src/training/fit-loop';
import type { StepEngine } from '../../src/training/step-engine';
import { WeightAverage } from '../../src/training/weight-average';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The average after each update, computed by hand: a <- d a + (1 - d) w, d = min(decay, (1 + n) / (10 + n)). */
function expectedAverages(start: number, weights: number[], decay: number): number[] {
  let average = start;
  return weights.map((w, index) => {
    const n = index + 1;
    const d = Math.min(decay, (1 + n) / (10 + n));
    average = d * average + (1 - d) * w;
    return average;
  });
}

describe('WeightAverage', () => {
  it('moves towards the weights by 1 - min(decay, (1 + n) / (10 + n)) per update', async () => {
    const variable = tf.variable(tf.tensor1d([0, 10]));
    const before = tf.memory().numTensors;
    const average = new WeightAverage([variable], 0.6);
    const seen: number[][] = [];
    for (let step = 1; step <= 12; step++) {
      tf.tidy(() => variable.assign(tf.tensor1d([step, 10 - step])));
      average.update();
      const [snapshot] = average.snapshot();
      seen.push(Array.from(await snapshot.data()));
      snapshot.dispose();
    }
    const steps = Array.from({ length: 12 }, (_, k) => k + 1);
    const first = expectedAverages(0, steps, 0.6);
    const second = expectedAverages(
      10,
      steps.map((step) => 10 - step),
      0.6,
    );
    seen.forEach(([a, b], k) => {
      expect(a).toBeCloseTo(first[k], 5);
      expect(b).toBeCloseTo(second[k], 5);
    });
    average.dispose();
    expect(tf.memory().numTensors).toBe(before);
    variable.dispose();
  });

  it('lends the averaged weights to a body and puts the trained ones back, also when it throws', async () => {
    const variable = tf.variable(tf.scalar(4));
    const average = new WeightAverage([variable], 0.5);
    variable.assign(tf.scalar(8));
    average.update(); // n = 1: d = 2 / 11
    const averaged = (2 / 11) * 4 + (9 / 11) * 8;
    let swaps = 0;
    const inside = await average.withAveragedWeights(
      async () => (await variable.data())[0],
      () => swaps++,
    );
    expect(inside).toBeCloseTo(averaged, 5);
    expect((await variable.data())[0]).toBe(8);
    expect(swaps).toBe(2);
    await expect(
      average.withAveragedWeights(async () => {
        throw new Error('validation failed');
      }),
    ).rejects.toThrow('validation failed');
    expect((await variable.data())[0]).toBe(8);
    average.dispose();
    variable.dispose();
  });

  it('refuses a decay outside (0, 1), naming it', () => {
    const variable = tf.variable(tf.scalar(0));
    expect(() => new WeightAverage([variable], 1)).toThrow(/decay must be in \(0, 1\), got 1/);
    expect(() => new WeightAverage([variable], 0)).toThrow(/got 0/);
    variable.dispose();
  });
});

const batch: TripletBatch = {
  users: new Int32Array(2),
  positives: new Int32Array(2),
  negatives: new Int32Array(2),
  historyOffsets: new Int32Array(3),
  historyItems: new Int32Array(0),
};

/** An engine whose weight is the step count, kept outside the variable until `flush`. */
class CountingEngine implements StepEngine {
  readonly name = 'counting';
  private w = 0;
  constructor(private readonly variable: tf.Variable) {}
  step(): number {
    this.w += 1;
    return 1;
  }
  flush(): void {
    tf.tidy(() => this.variable.assign(tf.scalar(this.w)));
  }
  dispose(): void {}
}

describe('runFitLoop with weight averaging', () => {
  it('validates the average of the flushed weights and keeps the best validated average', async () => {
    const variable = tf.variable(tf.scalar(0));
    const validated: number[] = [];
    const before = tf.memory().numTensors;
    const outcome = await runFitLoop({
      engine: new CountingEngine(variable),
      nextBatch: () => batch,
      batchSize: 2,
      positives: 20,
      stepsPerEpoch: 10,
      budget: { maxSteps: 40, limit: 'steps' },
      variables: [variable],
      averaging: { decay: 0.5, every: 2 },
      validation: {
        validate: async () => {
          const w = (await variable.data())[0];
          validated.push(w);
          return { 'recall@50': -Math.abs(w - 9) }; // best near an average of 9
        },
        metric: 'recall@50',
        every: 8,
        patience: 0,
        restoreBest: true,
      },
    });
    // updates at steps 2, 4, ..., 40 see weights 2, 4, ..., 40; validations at steps 8, 16, 24, 32, 40
    const averages = expectedAverages(
      0,
      Array.from({ length: 20 }, (_, k) => 2 * (k + 1)),
      0.5,
    );
    const atValidations = [8, 16, 24, 32, 40].map((step) => averages[step / 2 - 1]);
    validated.forEach((w, k) => expect(w).toBeCloseTo(atValidations[k], 4));
    const best = atValidations.reduce((a, b) => (Math.abs(b - 9) < Math.abs(a - 9) ? b : a));
    expect(outcome.bestStep).toBe(8 * (atValidations.indexOf(best) + 1));
    expect((await variable.data())[0]).toBeCloseTo(best, 4);
    expect(tf.memory().numTensors).toBe(before);
    variable.dispose();
  });

  it('without validation data ends with the averaged weights', async () => {
    const variable = tf.variable(tf.scalar(0));
    await runFitLoop({
      engine: new CountingEngine(variable),
      nextBatch: () => batch,
      batchSize: 2,
      positives: 20,
      stepsPerEpoch: 10,
      budget: { maxSteps: 30, limit: 'steps' },
      variables: [variable],
      averaging: { decay: 0.9, every: 3 },
    });
    const averages = expectedAverages(
      0,
      Array.from({ length: 10 }, (_, k) => 3 * (k + 1)),
      0.9,
    );
    expect((await variable.data())[0]).toBeCloseTo(averages[9], 4);
    variable.dispose();
  });
});
