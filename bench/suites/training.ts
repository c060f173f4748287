// Training throughput and ranking latency of MARS on movies_tmdb_small (issue #8): the library's
// path (dedupe + length buckets + factorized convolution + one-matmul ranking) against a naive
// reference that follows the report's design (histories padded to 50 and documents to 300, every
// history slot encoded, user vectors materialised as in its listing 1), in the same run.
// Backend: MARS_BENCH_BACKEND (default wasm). Steps: MARS_BENCH_STEPS (default 6). Naive batch:
// MARS_BENCH_NAIVE_BATCH (default 8).
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {
  InteractionDataset,
  loadInteractionsCsv,
  loadItemsJsonl,
  preprocess,
  splitPerUser,
} from '../../src/data';
import { selectBackend } from '../../src/backend';
import type { BackendPreference } from '../../src/backend';
import { TextCnnEncoder } from '../../src/layers';
import { setHostKernels } from '../../src/layers/ops/host-backend';
import { MarsModel } from '../../src/model';
import { scoreAllItems } from '../../src/serving';
import { bprLossOfPairs } from '../../src/training';
import { BprTripletSampler } from '../../src/sampling';
import { encodeCorpus, Tokenizer, Vocabulary } from '../../src/text';
import { sharedDatasetPath } from '../shared-data';
import type { BenchRow } from '../types';

const backend = process.env.MARS_BENCH_BACKEND ?? 'wasm';
const steps = Number(process.env.MARS_BENCH_STEPS ?? 6);
const batchSize = 128;
const sizes = { embeddingDim: 64, filters: 100, kernelSizes: [3], outputDim: 64 };

async function loadMovies(): Promise<{
  dataset: InteractionDataset;
  train: ReturnType<typeof splitPerUser>['train'];
}> {
  const folder = sharedDatasetPath('movies_tmdb_small');
  if (!folder) throw new Error('bench training: ../shared/data/movies_tmdb_small is absent');
  const raw = InteractionDataset.build(
    await loadItemsJsonl(join(folder, 'items.jsonl')),
    await loadInteractionsCsv(join(folder, 'interactions.csv')),
  );
  const { dataset } = preprocess(raw, { minRating: 4, minUserInteractions: 3 });
  return { dataset, train: splitPerUser(dataset, { seed: 1 }).train };
}

/** The report's design: pad everything, encode every slot, materialise u (listing 1). */
async function naiveStepSeconds(
  encoder: TextCnnEncoder,
  itemEncoder: TextCnnEncoder,
  tokens: { values: Int32Array; rowSplits: Int32Array },
  sampler: BprTripletSampler,
  optimizer: tf.Optimizer,
): Promise<number> {
  const batch = sampler.nextBatch();
  const size = batch.users.length;
  const history = 50;
  const width = 300;
  const pad = (
    items: ArrayLike<number>,
    count: number,
  ): { ids: Int32Array; lengths: Int32Array; width: number } => {
    const ids = new Int32Array(count * width);
    const lengths = new Int32Array(count);
    for (let row = 0; row < count; row++) {
      const item = items[row];
      if (item < 0) continue;
      const document = tokens.values
        .subarray(tokens.rowSplits[item], tokens.rowSplits[item + 1])
        .subarray(0, width);
      ids.set(document, row * width);
      lengths[row] = document.length;
    }
    return { ids, lengths, width };
  };
  const slots = new Int32Array(size * history).fill(-1);
  const mask = new Float32Array(size * history);
  for (let b = 0; b < size; b++) {
    const start = batch.historyOffsets[b];
    const length = Math.min(history, batch.historyOffsets[b + 1] - start);
    slots.set(batch.historyItems.subarray(start, start + length), b * history);
    mask.fill(1, b * history, b * history + length);
  }
  const candidates = Int32Array.from({ length: size * 2 }, (_, k) =>
    k % 2 === 0 ? batch.positives[k >> 1] : batch.negatives[k >> 1],
  );
  const started = performance.now();
  const variables = [...encoder.trainableVariables(), ...itemEncoder.trainableVariables()];
  const loss = optimizer.minimize(
    () => {
      const memory = tf.reshape(encoder.encodeTokens(pad(slots, size * history), { training: true }), [
        size,
        history,
        64,
      ]);
      const items = tf.reshape(itemEncoder.encodeTokens(pad(candidates, size * 2), { training: true }), [
        size,
        2,
        64,
      ]);
      // listing 1: scores, softmax over the memory, materialised user vectors, then scores again
      const similarity = tf.add(
        tf.matMul(items, memory, false, true),
        tf.mul(tf.sub(tf.reshape(tf.tensor2d(mask, [size, history]), [size, 1, history]), 1), 1e9),
      );
      const attention = tf.softmax(similarity);
      const users = tf.matMul(attention, memory); // [batch, 2, dim]
      const scores = tf.sum(tf.mul(users, items), 2);
      return bprLossOfPairs(scores as tf.Tensor2D, users as tf.Tensor3D, items as tf.Tensor3D, {
        lambdaU: 1e-4,
        lambdaV: 1e-4,
      });
    },
    true,
    variables,
  );
  await loss?.data(); // data(), not dataSync(): webgpu in Node
  loss?.dispose();
  return (performance.now() - started) / 1000;
}

export default async function trainingBench(): Promise<BenchRow[]> {
  const selection = await selectBackend(backend as BackendPreference); // webgpu needs its setup
  if (selection.name !== backend) throw new Error(`bench training: backend ${backend} unavailable`);
  await tf.ready();
  const { dataset, train } = await loadMovies();
  const rows: BenchRow[] = [];
  const notes = `${selection.name}${selection.device ? ` (${selection.device})` : ''}, movies_tmdb_small (rating >= 4): ${train.rowCount} users, ${dataset.itemCount} items; batch ${batchSize}, history <= 50, document <= 300 tokens, E=F=100/64, d=64`;

  // library path
  // the paper's text-only form, like the naive reference (the collaborative part is a fixed JS term)
  const model = MarsModel.create({
    ...sizes,
    maxHistory: 50,
    maxDocumentLength: 300,
    collaborativeFactors: 0,
  });
  await model.fit(
    { itemIds: dataset.itemIds, itemTexts: dataset.itemTexts, train },
    { steps: 1, batchSize, seed: 1 },
  ); // warm-up + build
  const rssBefore = process.memoryUsage().rss;
  const fit = await model.fit(
    { itemIds: dataset.itemIds, itemTexts: dataset.itemTexts, train },
    { steps, batchSize, seed: 2 },
  );
  const libraryRate = fit.tripletsPerSecond;
  rows.push({
    suite: 'training',
    name: 'library: triplets/s',
    value: libraryRate,
    unit: 'triplets/s',
    notes: `${notes}; ${steps} steps`,
  });
  rows.push({
    suite: 'training',
    name: 'library: peak RSS during fit',
    value: Math.max(rssBefore, process.memoryUsage().rss) / 2 ** 20,
    unit: 'MiB',
    notes: `tf.memory ${tf.memory().numTensors} tensors after`,
  });

  // naive reference: smaller batches (its padded batch of 128 x 52 x 300 tokens would exceed the wasm heap)
  // (MARS_BENCH_NAIVE_BATCH: webgpu caps one storage binding at 128 MiB, which batch 8 exceeds)
  const naiveBatch = Number(process.env.MARS_BENCH_NAIVE_BATCH ?? 8);
  const tokenizer = new Tokenizer({ stopwords: 'en', html: true });
  const vocabulary = Vocabulary.fit(dataset.itemTexts, { tokenizer, minCount: 2 });
  const tokens = encodeCorpus(dataset.itemTexts, tokenizer, vocabulary, { maxLength: 300 });
  const encoder = new TextCnnEncoder({ vocabularySize: vocabulary.size, ...sizes, seed: 1 });
  const itemEncoder = new TextCnnEncoder({ vocabularySize: vocabulary.size, ...sizes, seed: 2 });
  const sampler = new BprTripletSampler(train, { batchSize: naiveBatch, maxHistory: 50, seed: 3 });
  const optimizer = tf.train.adam(0.001);
  // the naive design runs on stock TF.js ops (the padded gather, sum and max over all 300 positions),
  // not on the host kernels, which skip padded positions by construction
  setHostKernels(false);
  const rssBeforeNaive = process.memoryUsage().rss;
  let naiveSeconds = 0;
  const naiveSteps = 2;
  try {
    await naiveStepSeconds(encoder, itemEncoder, tokens, sampler, optimizer); // warm-up
    for (let k = 0; k < naiveSteps; k++)
      naiveSeconds += await naiveStepSeconds(encoder, itemEncoder, tokens, sampler, optimizer);
  } finally {
    setHostKernels('auto');
  }
  rows.push({
    suite: 'training',
    name: 'naive reference: peak RSS',
    value: Math.max(rssBeforeNaive, process.memoryUsage().rss) / 2 ** 20,
    unit: 'MiB',
    notes: 'process high-water mark after both runs (the wasm heap never shrinks)',
  });
  const naiveRate = (naiveSteps * naiveBatch) / naiveSeconds;
  rows.push({
    suite: 'training',
    name: 'naive reference: triplets/s',
    value: naiveRate,
    unit: 'triplets/s',
    notes: `batch ${naiveBatch} (padded to 50 x 300), stock TF.js ops around the factorized projection`,
  });
  rows.push({
    suite: 'training',
    name: 'library / naive training speed',
    value: libraryRate / naiveRate,
    unit: 'ratio',
    target: '>= 30',
    pass: libraryRate / naiveRate >= 30,
  });
  encoder.dispose();
  itemEncoder.dispose();
  optimizer.dispose();

  // ranking with cached vectors: ms per user, history 50
  for (const items of [dataset.itemCount, 9_000, 20_000, 100_000]) {
    const users = 32;
    const memory = tf.randomNormal([users, 50, 64]) as tf.Tensor3D;
    const itemVectors = tf.randomNormal([items, 64]) as tf.Tensor2D;
    const lengths = new Array<number>(users).fill(50);
    await scoreAllItems(memory, lengths, itemVectors); // warm-up
    const started = performance.now();
    await scoreAllItems(memory, lengths, itemVectors);
    const library = (performance.now() - started) / users;
    // naive: listing 1 materialises [users, items, dim] user vectors (chunked to fit)
    const naiveStarted = performance.now();
    const memoryTransposed = tf.transpose(memory, [0, 2, 1]); // explicit: wasm's transpose flags are slow
    const chunk = 2048;
    for (let start = 0; start < items; start += chunk) {
      const size = Math.min(chunk, items - start);
      const scores = tf.tidy(() => {
        const v = tf.slice(itemVectors, [start, 0], [size, 64]); // [size, dim]
        const vb = tf.tile(tf.expandDims(v, 0), [users, 1, 1]); // [users, size, dim]
        const attention = tf.softmax(tf.matMul(vb, memoryTransposed)); // [users, size, 50]
        const u = tf.matMul(attention, memory); // [users, size, dim]
        return tf.sum(tf.mul(u, vb), 2);
      });
      await scores.data();
      scores.dispose();
    }
    const naive = (performance.now() - naiveStarted) / users;
    tf.dispose([memory, memoryTransposed, itemVectors]);
    const target = items === 20_000 ? '<= 20 ms, >= 5x naive' : '>= 5x naive';
    rows.push({
      suite: 'training',
      name: `ranking ${items} items: library ms/user`,
      value: library,
      unit: 'ms',
      target,
      pass: items === 20_000 ? library <= 20 && naive / library >= 5 : naive / library >= 5,
    });
    rows.push({
      suite: 'training',
      name: `ranking ${items} items: naive ms/user`,
      value: naive,
      unit: 'ms',
      notes: `ratio ${(naive / library).toFixed(1)}x`,
    });
  }
  model.dispose();
  return rows;
}
