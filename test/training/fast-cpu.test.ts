import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers the gradients
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAttention, TextCnnEncoder } from '../../src/layers';
import { gatherRows } from '../../src/layers/ops/gather-rows';
import { bprLossOfPairs } from '../../src/training/bpr-loss';
import type { RaggedRows } from '../../src/ragged/ragged-rows';
import { planTripletDocuments } from '../../src/ragged/triplet-documents';
import type { LengthBuckets } from '../../src/ragged/length-buckets';
import type { TripletBatch } from '../../src/sampling/bpr-triplet-sampler';
import { SeededRandom } from '../../src/sampling/random';
import { FastCpuTrainer } from '../../src/training/fast-cpu';
import type { FastCpuTrainerOptions, FastCpuWeights } from '../../src/training/fast-cpu';

// The fast CPU step against the TF.js step: the same weights must give the same scores, loss,
// gradients of every weight and weights after a few optimizer steps (float tolerance). The
// TF.js side is composed from the library's layers exactly as MarsModel's batch loss does
// (dedupe + length buckets, TextCnnEncoder, MemoryAttention, bprLossOfPairs).

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => {
  expect(tf.memory().numTensors).toBe(startTensors);
});
let startTensors = 0;
beforeAll(() => {
  startTensors = tf.memory().numTensors;
});

interface Problem {
  documents: RaggedRows;
  batches: TripletBatch[];
  itemCount: number;
}

let sizes = { vocabularySize: 41, embeddingDim: 6, filters: 5, kernelSizes: [3, 2], outputDim: 7 };
/** E 40: the kernels' 32-float register blocks plus a remainder (E 6 covers the remainder alone). */
const wideSizes = { vocabularySize: 41, embeddingDim: 40, filters: 9, kernelSizes: [3], outputDim: 12 };

/** Random documents (some empty, some longer than others) and batches (some histories empty or over the cap). */
function makeProblem(seed: number, batchSize = 6, batchCount = 3): Problem {
  const rng = new SeededRandom(seed);
  const itemCount = 23;
  const lengths = Array.from({ length: itemCount }, (_, i) => (i % 7 === 3 ? 0 : 1 + rng.nextInt(11)));
  const rowSplits = new Int32Array(itemCount + 1);
  lengths.forEach((length, i) => (rowSplits[i + 1] = rowSplits[i] + length));
  const values = Int32Array.from({ length: rowSplits[itemCount] }, () => rng.nextInt(sizes.vocabularySize));
  const batches = Array.from({ length: batchCount }, () => {
    const historyOffsets = new Int32Array(batchSize + 1);
    const historyItems: number[] = [];
    for (let b = 0; b < batchSize; b++) {
      const length = b === 1 ? 0 : rng.nextInt(7);
      for (let h = 0; h < length; h++) historyItems.push(rng.nextInt(itemCount));
      historyOffsets[b + 1] = historyItems.length;
    }
    return {
      users: Int32Array.from({ length: batchSize }, (_, b) => b),
      positives: Int32Array.from({ length: batchSize }, () => rng.nextInt(itemCount)),
      negatives: Int32Array.from({ length: batchSize }, () => rng.nextInt(itemCount)),
      historyOffsets,
      historyItems: Int32Array.from(historyItems),
    };
  });
  return { documents: { values, rowSplits }, batches, itemCount };
}

function variableOf(initial: tf.Tensor): tf.Variable {
  const variable = tf.variable(initial);
  initial.dispose();
  return variable;
}

/** embedding, kernels, biases, dense kernel, dense bias (tfjs lists fixed weights last). */
function byRole(encoder: TextCnnEncoder): tf.Variable[] {
  const weights = encoder.weights.map((weight) => weight.read() as tf.Variable);
  const embedding = weights.find((weight) => weight.name.includes('embedding')) as tf.Variable;
  return [embedding, ...weights.filter((weight) => weight !== embedding)];
}

interface ModelVariant {
  sharedEncoder?: boolean;
  aggregation?: 'attention' | 'mean';
  itemBias?: boolean;
  itemIdEmbedding?: boolean;
  trainableWordEmbeddings?: boolean;
  fixedScores?: boolean;
  /** Use {@link wideSizes}. */
  wide?: boolean;
}

/** The TF.js model: encoders with non-trivial weights, and the extra item parts as variables. */
class TfModel {
  readonly encoders: TextCnnEncoder[];
  readonly attention: MemoryAttention;
  readonly itemBias?: tf.Variable;
  readonly itemIdEmbedding?: tf.Variable;
  readonly seen: Float32Array;
  readonly coldBias = -0.3;

  constructor(
    readonly problem: Problem,
    readonly variant: ModelVariant,
    seed: number,
  ) {
    const rng = new SeededRandom(seed);
    const count = variant.sharedEncoder ? 1 : 2;
    this.encoders = Array.from(
      { length: count },
      (_, e) =>
        new TextCnnEncoder({
          ...sizes,
          seed: seed + e,
          trainableEmbeddings: variant.trainableWordEmbeddings ?? true,
        }),
    );
    // random biases too (zeros would hide bias bugs); larger embeddings so ReLU and max-pool matter
    for (const encoder of this.encoders) {
      encoder.build();
      for (const weight of encoder.weights) {
        const values = tf.randomUniform(weight.shape as number[], -0.5, 0.5, 'float32', rng.nextInt(1e6));
        weight.write(values);
        values.dispose();
      }
    }
    this.attention = new MemoryAttention({ aggregation: variant.aggregation ?? 'attention' });
    const items = problem.itemCount;
    this.seen = Float32Array.from({ length: items }, (_, i) => (i % 5 === 4 ? 0 : 1));
    if (variant.itemBias)
      this.itemBias = variableOf(
        tf.tensor1d(Float32Array.from({ length: items }, () => rng.nextFloat() - 0.5)),
      );
    if (variant.itemIdEmbedding)
      this.itemIdEmbedding = variableOf(
        tf.tensor2d(
          Float32Array.from({ length: items * sizes.outputDim }, () => (rng.nextFloat() - 0.5) * 0.4),
          [items, sizes.outputDim],
        ),
      );
  }

  variables(): tf.Variable[] {
    const list = this.encoders.flatMap((encoder) => encoder.trainableVariables());
    if (this.itemBias) list.push(this.itemBias);
    if (this.itemIdEmbedding) list.push(this.itemIdEmbedding);
    return list;
  }

  weights(): FastCpuWeights {
    const k = sizes.kernelSizes.length;
    const weights: FastCpuWeights = {
      encoders: this.encoders.map((encoder) => {
        const all = byRole(encoder).map((weight) => weight.dataSync() as Float32Array);
        return {
          embedding: Float32Array.from(all[0]),
          convolutionKernels: all.slice(1, 1 + k).map((w) => Float32Array.from(w)),
          convolutionBiases: all.slice(1 + k, 1 + 2 * k).map((w) => Float32Array.from(w)),
          denseKernel: Float32Array.from(all[1 + 2 * k]),
          denseBias: Float32Array.from(all[2 + 2 * k]),
        };
      }),
    };
    if (this.itemBias) weights.itemBias = Float32Array.from(this.itemBias.dataSync());
    if (this.itemIdEmbedding) weights.itemIdEmbedding = Float32Array.from(this.itemIdEmbedding.dataSync());
    return weights;
  }

  /** In the order of {@link FastCpuWeights}: the gradient of each variable. */
  gradientsAsWeights(grads: tf.NamedTensorMap): FastCpuWeights {
    const k = sizes.kernelSizes.length;
    const read = (v: tf.Variable) => Float32Array.from((grads[v.name] as tf.Tensor).dataSync());
    const weights: FastCpuWeights = {
      encoders: this.encoders.map((encoder) => {
        const all = byRole(encoder);
        return {
          embedding: grads[all[0].name] ? read(all[0]) : new Float32Array(all[0].size),
          convolutionKernels: all.slice(1, 1 + k).map(read),
          convolutionBiases: all.slice(1 + k, 1 + 2 * k).map(read),
          denseKernel: read(all[1 + 2 * k]),
          denseBias: read(all[2 + 2 * k]),
        };
      }),
    };
    if (this.itemBias) weights.itemBias = read(this.itemBias);
    if (this.itemIdEmbedding) weights.itemIdEmbedding = read(this.itemIdEmbedding);
    return weights;
  }

  fixedScores(batch: TripletBatch): Float32Array | undefined {
    if (!this.variant.fixedScores) return undefined;
    return Float32Array.from({ length: batch.positives.length * 2 }, (_, k) =>
      Math.sin(k + batch.users[k >> 1]),
    );
  }

  private encode(encoder: TextCnnEncoder, buckets: LengthBuckets): tf.Tensor2D {
    if (buckets.buckets.length === 0) return tf.zeros([0, sizes.outputDim]);
    const parts = buckets.buckets.map((bucket) => encoder.encodeTokens(bucket, { training: true }));
    let vectors = parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as tf.Tensor2D);
    if (this.itemIdEmbedding) {
      const seen = tf.tensor2d(this.seen, [this.seen.length, 1]);
      vectors = tf.add(
        vectors,
        tf.mul(
          gatherRows(this.itemIdEmbedding as tf.Tensor2D, buckets.order),
          tf.gather(seen, buckets.order),
        ),
      );
    }
    return vectors;
  }

  /** MarsModel's batch loss, composed from the layers (`[batch, 2]` scores returned too). */
  loss(batch: TripletBatch): { loss: tf.Scalar; scores: tf.Tensor2D } {
    const size = batch.positives.length;
    const plan = planTripletDocuments(
      {
        histories: { values: batch.historyItems, rowSplits: batch.historyOffsets },
        positives: batch.positives,
        negatives: batch.negatives,
      },
      this.problem.documents,
      { sharedEncoder: this.variant.sharedEncoder, tokenBudget: 24, maxHistory: 4 },
    );
    const candidateRows = new Int32Array(size * 2);
    const candidateItems = new Int32Array(size * 2);
    for (let b = 0; b < size; b++) {
      candidateRows[2 * b] = plan.positiveRows[b];
      candidateRows[2 * b + 1] = plan.negativeRows[b];
      candidateItems[2 * b] = batch.positives[b];
      candidateItems[2 * b + 1] = batch.negatives[b];
    }
    const dim = sizes.outputDim;
    const [userEncoder, itemEncoder] = [this.encoders[0], this.encoders[this.encoders.length - 1]];
    const itemVectors = this.encode(itemEncoder, plan.candidates);
    const memoryVectors =
      plan.memory === plan.candidates ? itemVectors : this.encode(userEncoder, plan.memory);
    const memory =
      plan.memory.buckets.length > 0
        ? tf.reshape(gatherRows(memoryVectors, plan.history.ids), [size, plan.history.width, dim])
        : tf.zeros([size, plan.history.width, dim]);
    const mask = tf.tensor2d(plan.history.mask, [size, plan.history.width]);
    const candidateVectors = tf.reshape(gatherRows(itemVectors, candidateRows), [
      size,
      2,
      dim,
    ]) as tf.Tensor3D;
    const { scores, userVectors } = this.attention.scoreWithUserVectors(
      memory as tf.Tensor3D,
      mask,
      candidateVectors,
    );
    let all: tf.Tensor2D = scores;
    if (this.itemBias) {
      const seen = tf.tensor1d(Array.from(candidateItems, (item) => this.seen[item]));
      const bias = tf.gather(this.itemBias, tf.tensor1d(candidateItems, 'int32'));
      const effective = tf.add(tf.mul(bias, seen), tf.mul(tf.sub(1, seen), this.coldBias));
      all = tf.add(all, tf.reshape(effective, [size, 2]));
    }
    const fixed = this.fixedScores(batch);
    if (fixed) all = tf.add(all, tf.tensor2d(fixed, [size, 2]));
    return {
      loss: bprLossOfPairs(all, userVectors, candidateVectors, { lambdaU: 0.05, lambdaV: 0.03 }),
      scores: all,
    };
  }

  dispose(): void {
    for (const encoder of this.encoders) encoder.dispose();
    tf.dispose([this.itemBias, this.itemIdEmbedding].filter((v): v is tf.Variable => v !== undefined));
  }
}

function trainerOptions(model: TfModel, extra: Partial<FastCpuTrainerOptions> = {}): FastCpuTrainerOptions {
  return {
    ...sizes,
    itemCount: model.problem.itemCount,
    documents: model.problem.documents,
    sharedEncoder: model.variant.sharedEncoder,
    aggregation: model.variant.aggregation,
    lambdaU: 0.05,
    lambdaV: 0.03,
    maxHistory: 4,
    trainableWordEmbeddings: model.variant.trainableWordEmbeddings,
    seenItems: model.seen,
    coldItemBias: model.coldBias,
    threads: 1,
    ...extra,
  };
}

function flatten(weights: FastCpuWeights): { name: string; values: Float32Array }[] {
  const list: { name: string; values: Float32Array }[] = [];
  weights.encoders.forEach((encoder, e) => {
    list.push({ name: `encoder ${e} embedding`, values: encoder.embedding });
    encoder.convolutionKernels.forEach((values, i) =>
      list.push({ name: `encoder ${e} kernel ${i}`, values }),
    );
    encoder.convolutionBiases.forEach((values, i) => list.push({ name: `encoder ${e} bias ${i}`, values }));
    list.push({ name: `encoder ${e} dense kernel`, values: encoder.denseKernel });
    list.push({ name: `encoder ${e} dense bias`, values: encoder.denseBias });
  });
  if (weights.itemBias) list.push({ name: 'item bias', values: weights.itemBias });
  if (weights.itemIdEmbedding) list.push({ name: 'item id embedding', values: weights.itemIdEmbedding });
  return list;
}

/** Largest |a - b| relative to the largest |b| of the array (with a floor). */
function expectClose(actual: FastCpuWeights, expected: FastCpuWeights, tolerance: number): void {
  const a = flatten(actual);
  const b = flatten(expected);
  expect(a.map((x) => x.name)).toEqual(b.map((x) => x.name));
  a.forEach(({ name, values }, index) => {
    const reference = b[index].values;
    expect(values.length, name).toBe(reference.length);
    let scale = 1e-3;
    for (const x of reference) scale = Math.max(scale, Math.abs(x));
    let worst = 0;
    for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i] - reference[i]));
    expect(worst / scale, `${name}: max difference ${worst} (scale ${scale})`).toBeLessThan(tolerance);
  });
}

function hasNonZero(weights: FastCpuWeights): boolean {
  return flatten(weights).every(({ values }) => values.some((x) => x !== 0));
}

const variants: [string, ModelVariant][] = [
  ['the paper form (two encoders, attention)', {}],
  ['a shared encoder', { sharedEncoder: true }],
  ['mean aggregation', { aggregation: 'mean' }],
  [
    'item biases, item-ID embeddings and fixed scores',
    { itemBias: true, itemIdEmbedding: true, fixedScores: true },
  ],
  ['fixed word embeddings', { trainableWordEmbeddings: false }],
  ['wide embeddings (E 40, F 9, one width)', { wide: true }],
];

describe('FastCpuTrainer matches the TF.js step', () => {
  for (const [label, variant] of variants) {
    it(`scores, loss and every weight's gradient: ${label}`, async () => {
      const narrow = sizes;
      if (variant.wide) sizes = wideSizes;
      const problem = makeProblem(11);
      const model = new TfModel(problem, variant, 5);
      const trainer = await FastCpuTrainer.create(model.weights(), trainerOptions(model));
      try {
        for (const batch of problem.batches) {
          const { value, grads } = tf.variableGrads(() => model.loss(batch).loss, model.variables());
          const expectedScores = tf.tidy(() => model.loss(batch).scores.dataSync());
          const fast = trainer.forwardBackward(batch, model.fixedScores(batch));
          expect(fast.loss).toBeCloseTo(value.dataSync()[0], 5);
          Array.from(expectedScores).forEach((score, k) => expect(fast.scores[k]).toBeCloseTo(score, 5));
          const expected = model.gradientsAsWeights(grads);
          expectClose(trainer.gradients(), expected, 2e-5);
          tf.dispose([value, ...Object.values(grads)]);
        }
        // every weight gets a gradient (fixed word embeddings: none)
        expect(hasNonZero(trainer.gradients())).toBe(variant.trainableWordEmbeddings !== false);
      } finally {
        await trainer.close();
        model.dispose();
        sizes = narrow;
      }
    });
  }

  for (const optimizer of ['adam', 'lazy-adam', 'sgd'] as const) {
    it(`weights after three ${optimizer} steps`, async () => {
      const { LazyAdamOptimizer } = await import('../../src/training/lazy-adam');
      const problem = makeProblem(12);
      const variant: ModelVariant = { itemBias: true, itemIdEmbedding: true };
      const model = new TfModel(problem, variant, 9);
      const learningRate = optimizer === 'sgd' ? 0.5 : 0.01;
      const trainer = await FastCpuTrainer.create(
        model.weights(),
        trainerOptions(model, { optimizer, learningRate }),
      );
      const tfOptimizer =
        optimizer === 'adam'
          ? tf.train.adam(learningRate)
          : optimizer === 'sgd'
            ? tf.train.sgd(learningRate)
            : new LazyAdamOptimizer(learningRate);
      try {
        for (const batch of problem.batches) {
          tfOptimizer.minimize(() => model.loss(batch).loss, false, model.variables());
          trainer.step(batch, model.fixedScores(batch));
        }
        expectClose(trainer.weights(), model.weights(), 2e-5);
      } finally {
        tfOptimizer.dispose();
        await trainer.close();
        model.dispose();
      }
    });
  }
});

describe('FastCpuTrainer threads', () => {
  it('two threads give the one-thread result within float tolerance, and the same bits on every run', async () => {
    const problem = makeProblem(13, 16, 2);
    const model = new TfModel(problem, { itemIdEmbedding: true }, 3);
    const runs: FastCpuWeights[] = [];
    try {
      for (const threads of [1, 2, 2]) {
        const trainer = await FastCpuTrainer.create(model.weights(), trainerOptions(model, { threads }));
        for (const batch of problem.batches) trainer.step(batch);
        runs.push(trainer.weights());
        await trainer.close();
      }
    } finally {
      model.dispose();
    }
    expectClose(runs[1], runs[0], 1e-5);
    flatten(runs[2]).forEach(({ values }, index) => expect(values).toEqual(flatten(runs[1])[index].values));
  });
});
