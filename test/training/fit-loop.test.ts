import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TripletBatch } from '../../src/sampling/bpr-triplet-sampler';
import { runFitLoop } from '../../src/training/fit-loop';
import type { FitLoopOptions } from '../../src/training/fit-loop';
import type { FitProgressEvent } from '../../src/training/fit-events';
import { NonFiniteLossError } from '../../src/training/non-finite-loss-error';
import type { StepEngine } from '../../src/training/step-engine';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const batch: TripletBatch = {
  users: new Int32Array(4),
  positives: new Int32Array(4),
  negatives: new Int32Array(4),
  historyOffsets: new Int32Array(5),
  historyItems: new Int32Array(0),
};

/**
 * A step engine that keeps its weight w outside the model (as a typed-array engine would): each
 * step adds 1 to its own copy; `flush` writes it into the model's variable.
 */
class CountingEngine implements StepEngine {
  readonly name = 'counting';
  flushes: number[] = [];
  private w = 0;
  constructor(
    private readonly variable: tf.Variable,
    private readonly losses: (step: number) => number,
  ) {}
  step(): number {
    this.w += 1;
    return this.losses(this.w);
  }
  flush(): void {
    this.flushes.push(this.w);
    this.variable.assign(tf.scalar(this.w));
  }
  dispose(): void {}
}

function loop(
  overrides: Partial<FitLoopOptions> & { metricAt: (w: number) => number; losses?: (step: number) => number },
): { options: FitLoopOptions; variable: tf.Variable; engine: CountingEngine; validatedAt: number[] } {
  const variable = tf.variable(tf.scalar(0));
  const engine = new CountingEngine(variable, overrides.losses ?? ((step) => 1 / step));
  const validatedAt: number[] = [];
  const options: FitLoopOptions = {
    engine,
    nextBatch: () => batch,
    batchSize: 4,
    positives: 40, // a pass is 10 steps
    stepsPerEpoch: 10,
    budget: { maxSteps: 100, limit: 'steps' },
    variables: [variable],
    validation: {
      validate: async () => {
        const w = (await variable.data())[0];
        validatedAt.push(w);
        return { 'recall@50': overrides.metricAt(w) };
      },
      metric: 'recall@50',
      every: 5,
      patience: 2,
      restoreBest: true,
    },
    ...overrides,
  };
  return { options, variable, engine, validatedAt };
}

describe('runFitLoop', () => {
  it('validates what the engine flushed, stops after `patience` validations without improvement and restores the best weights', async () => {
    const peak = (w: number): number => 1 - (w - 10) ** 2 / 100; // best at step 10
    const { options, variable, engine, validatedAt } = loop({ metricAt: peak });
    const outcome = await runFitLoop(options);
    expect(validatedAt).toEqual([5, 10, 15, 20]);
    expect(engine.flushes).toEqual([5, 10, 15, 20, 20]);
    expect(outcome).toMatchObject({
      steps: 20,
      bestStep: 10,
      stoppedEarly: true,
      stopReason: 'early-stopping',
    });
    expect(outcome.passes).toBe(2);
    expect((await variable.data())[0]).toBe(10); // the best weights are back
    expect(outcome.summary).toMatch(/stopped early after 20 steps \(2\.00 passes/);
    expect(outcome.summary).toMatch(/best step 10 \(validation recall@50 1\.0000\); its weights are kept/);
    variable.dispose();
  });

  it('explains a best step 0 in words when training never beat the starting weights', async () => {
    const progress: FitProgressEvent[] = [];
    const { options, variable } = loop({ metricAt: (w) => -w, onProgress: (event) => progress.push(event) });
    options.validation = {
      ...(options.validation as NonNullable<FitLoopOptions['validation']>),
      atStart: { start: 'the collaborative part alone', trained: 'the text part' },
    };
    const outcome = await runFitLoop(options);
    expect(outcome.bestStep).toBe(0);
    // patience counts from the first trained validation (step 5): 10 and 15 do not beat it
    expect(outcome.validations.map((v) => v.step)).toEqual([0, 5, 10, 15]);
    expect((await variable.data())[0]).toBe(0);
    expect(outcome.summary).toMatch(/best step 0: the text part never beat the collaborative part alone/);
    expect(progress.at(-1)).toMatchObject({ kind: 'end', message: outcome.summary });
    expect(progress.filter((event) => event.kind === 'validation')).toHaveLength(4);
    variable.dispose();
  });

  it('stops at the step whose loss is not finite, names it, and restores the best weights', async () => {
    const { options, variable } = loop({
      metricAt: (w) => w,
      losses: (step) => (step === 13 ? NaN : 1),
      learningRate: 5,
    });
    const error = await runFitLoop(options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as NonFiniteLossError).step).toBe(13);
    expect((error as Error).message).toMatch(
      /the training loss became NaN at step 13 \(learning rate 5\): training diverged.*try a lower learning rate, e\.g\. 0\.5.*best validation \(step 10\) were restored/,
    );
    expect((await variable.data())[0]).toBe(10);
    variable.dispose();
  });

  it('runs the whole budget without validation, and stops on the abort signal', async () => {
    const { options, variable } = loop({
      metricAt: () => 0,
      validation: undefined,
      budget: { maxSteps: 7, limit: 'steps' },
    });
    const outcome = await runFitLoop(options);
    expect(outcome).toMatchObject({ steps: 7, stopReason: 'steps', bestStep: undefined });
    expect(outcome.summary).toBe(
      'trained the 7 steps asked: 7 steps (0.70 passes over the training positives)',
    );
    const controller = new AbortController();
    const aborted = await runFitLoop({
      ...options,
      signal: controller.signal,
      onBatchEnd: ({ step }) => {
        if (step === 3) controller.abort();
      },
    });
    expect(aborted).toMatchObject({ steps: 3, aborted: true, stopReason: 'aborted' });
    variable.dispose();
  });
});
