// MARS composed from its building blocks, without the MarsModel facade: the text pipeline, the
// BPR triplet sampler, two TextCnnEncoders (f_user for the memory, f_item for candidates),
// MemoryAttention, a hand-written BPR training loop with Adam, and the full-ranking evaluator.
// What MarsModel does to train and rank is all here, in one file; swap any block for your own.
//
//   node --import tsx examples/compose-by-hand.ts [--steps 100]        # about 5 s on 2 CPU cores
//
// In your own project the imports are 'mars-rec/text', 'mars-rec/data', 'mars-rec/sampling',
// 'mars-rec/metrics' (all TensorFlow-free) and 'mars-rec'.
import * as tf from '@tensorflow/tfjs-core';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Tokenizer, Vocabulary, encodeCorpus } from '../src/text';
import { InteractionDataset, splitPerUser } from '../src/data';
import { BprTripletSampler } from '../src/sampling';
import { evaluateRanking } from '../src/metrics';
import type { RankingEvaluation } from '../src/metrics';
import {
  MemoryAttention,
  PopularityRecommender,
  TextCnnEncoder,
  bprLossOfPairs,
  bucketRows,
  encodeBuckets,
  gatherRagged,
  gatherRows,
  generateSyntheticCorpus,
  historyMatrix,
  planTripletDocuments,
  selectBackend,
} from '../src/index';
import type { BackendPreference, LengthBuckets } from '../src/index';

/** What {@link main} returns. */
export interface ComposeResult {
  /** The BPR loss of every step (eq. 4). */
  losses: number[];
  /** The composed model on the test split. */
  evaluation: RankingEvaluation;
  /** Popularity on the same split and metrics, for scale. */
  popularity: RankingEvaluation;
  /** Tensors alive after the run minus before it: 0 when everything was freed. */
  leakedTensors: number;
}

const dim = 32; // item and memory vector size d
const maxHistory = 20; // memory slots, in items
const metrics = ['recall@10', 'recall@50', 'ndcg@10', 'map@500'];

/** Runs the example; `args`: `[--steps N] [--backend NAME]`. */
export async function main(args: readonly string[] = []): Promise<ComposeResult> {
  const { values } = parseArgs({
    args: [...args],
    options: { steps: { type: 'string', default: '100' }, backend: { type: 'string', default: 'auto' } },
  });
  const steps = Number(values.steps);
  const backend = await selectBackend(values.backend as BackendPreference);
  const tensorsBefore = tf.memory().numTensors;

  // 1. Data: a generated news corpus, indexed (users x items CSR) and split 50/25/25 per user.
  const corpus = generateSyntheticCorpus({ seed: 3, itemCount: 300, userCount: 200 });
  const dataset = InteractionDataset.build(corpus.items, corpus.interactions);
  const split = splitPerUser(dataset, { trainFraction: 0.5, seed: 1 });
  const { train, test } = split;

  // 2. Text: tokenizer -> vocabulary (0 = padding, 1 = unknown) -> one ragged token row per item.
  const tokenizer = new Tokenizer({ stopwords: ['en'] });
  const vocabulary = Vocabulary.fit(corpus.items, { tokenizer, minCount: 2 });
  const documents = encodeCorpus(
    dataset.itemIds.map((id, index) => ({ id, text: dataset.itemTexts[index] })),
    tokenizer,
    vocabulary,
    { maxLength: 60 }, // tokens
  );

  // 3. The blocks: two text CNNs and the memory attention (no weights of its own).
  const encoderConfig = { vocabularySize: vocabulary.size, embeddingDim: 32, filters: 32, outputDim: dim };
  const userEncoder = new TextCnnEncoder({ ...encoderConfig, seed: 1, name: 'f_user' });
  const itemEncoder = new TextCnnEncoder({ ...encoderConfig, seed: 2, name: 'f_item' });
  const attention = new MemoryAttention();
  const variables = [...userEncoder.trainableVariables(), ...itemEncoder.trainableVariables()];

  /** Encodes length buckets: `[documents, d]`, row r being document `buckets.order[r]`. */
  const encode = (encoder: TextCnnEncoder, buckets: LengthBuckets, training: boolean): tf.Tensor2D =>
    encodeBuckets(buckets.buckets, encoder, { training, outputDim: dim });

  // 4. BPR training (report eq. 3 and 4): sample (user, positive j, negative j', memory = the
  //    user's other positives), encode each batch's unique documents once, minimise with Adam.
  const sampler = new BprTripletSampler(train, { batchSize: 64, maxHistory, seed: 1 });
  const optimizer = tf.train.adam(0.005);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const batch = sampler.nextBatch();
    const size = batch.positives.length;
    // which documents each encoder needs, deduplicated and grouped by length under a token budget
    const plan = planTripletDocuments(
      {
        histories: { values: batch.historyItems, rowSplits: batch.historyOffsets },
        positives: batch.positives,
        negatives: batch.negatives,
      },
      documents,
      { maxHistory, tokenBudget: 4096 },
    );
    const loss = optimizer.minimize(
      () =>
        tf.tidy(() => {
          // gatherRows, not tf.gather: its gradient runs on every backend (wasm lacks tf.gather's)
          const candidates = encode(itemEncoder, plan.candidates, true); // [unique candidates, d]
          const memoryRows =
            plan.memory.buckets.length > 0
              ? encode(userEncoder, plan.memory, true) // [unique history documents, d]
              : tf.zeros<tf.Rank.R2>([1, dim]); // no triplet has a history: every mask slot is 0
          const memory = tf.reshape(gatherRows(memoryRows, tf.tensor1d(plan.history.ids, 'int32')), [
            size,
            plan.history.width,
            dim,
          ]) as tf.Tensor3D; // [batch, history, d]
          const mask = tf.tensor2d(plan.history.mask, [size, plan.history.width]); // [batch, history]
          // [batch, 2] rows of (positive, negative): one gather over interleaved candidate rows
          const pairRows = Int32Array.from({ length: size * 2 }, (_, k) =>
            k % 2 === 0 ? plan.positiveRows[k >> 1] : plan.negativeRows[k >> 1],
          );
          const pairs = tf.reshape(gatherRows(candidates, tf.tensor1d(pairRows, 'int32')), [
            size,
            2,
            dim,
          ]) as tf.Tensor3D;
          const { scores, userVectors } = attention.scoreWithUserVectors(memory, mask, pairs);
          return bprLossOfPairs(scores, userVectors, pairs, { lambdaU: 1e-4, lambdaV: 1e-4 });
        }),
      true,
      variables,
    ) as tf.Scalar;
    losses.push((await loss.data())[0]);
    loss.dispose();
    if ((step + 1) % 25 === 0) console.log(`step ${step + 1}: loss ${losses[step].toFixed(4)}`);
  }
  optimizer.dispose();

  // 5. Ranking: encode every item once per encoder, then for each user the attention over their
  //    training items scores every item. (MarsModel does the same with scoreAllItems, which never
  //    builds the [users, items, d] candidate block; fine at 300 items.)
  const allItems = bucketRows(documents, { tokenBudget: 16_384 });
  const itemVectors = tf.tidy(() =>
    tf.gather(encode(itemEncoder, allItems, false), tf.tensor1d(allItems.positions, 'int32')),
  ); // [items, d], catalogue order
  const memoryVectors = tf.tidy(() =>
    tf.gather(encode(userEncoder, allItems, false), tf.tensor1d(allItems.positions, 'int32')),
  );
  const trainRows = { values: train.indices, rowSplits: train.offsets };
  const score = async (users: Int32Array): Promise<Float32Array> => {
    const history = historyMatrix(gatherRagged(trainRows, users), { maxHistory });
    const scores = tf.tidy(() => {
      const memory = tf.reshape(tf.gather(memoryVectors, tf.tensor1d(history.ids, 'int32')), [
        users.length,
        history.width,
        dim,
      ]) as tf.Tensor3D;
      const mask = tf.tensor2d(history.mask, [users.length, history.width]);
      const candidates = tf.tile(tf.expandDims(itemVectors, 0), [users.length, 1, 1]) as tf.Tensor3D;
      return attention.score(memory, mask, candidates); // [users, items]
    });
    const values = (await scores.data()) as Float32Array;
    scores.dispose();
    return values;
  };
  const itemCount = dataset.itemCount;
  const evaluation = await evaluateRanking({ itemCount, targets: test, exclude: train, score, metrics });
  const popularityModel = PopularityRecommender.fit(train);
  const popularity = await evaluateRanking({
    itemCount,
    targets: test,
    exclude: train,
    score: (users) => popularityModel.scoreUsers(users),
    metrics,
  });
  tf.dispose([itemVectors, memoryVectors]);
  userEncoder.dispose();
  itemEncoder.dispose();
  attention.dispose();

  console.log(`\n${evaluation.usersEvaluated} test users, ${itemCount} items, backend ${backend.name}`);
  console.log(`| model | ${metrics.join(' | ')} |`);
  console.log(`|---|${metrics.map(() => '---:').join('|')}|`);
  for (const [name, result] of [
    ['composed MARS', evaluation],
    ['popularity', popularity],
  ] as const)
    console.log(`| ${name} | ${metrics.map((m) => result.mean[m].toFixed(4)).join(' | ')} |`);
  return { losses, evaluation, popularity, leakedTensors: tf.memory().numTensors - tensorsBefore };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
