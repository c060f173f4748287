// MARS composed from its building blocks, without the MarsModel facade: the text pipeline, the
// BPR triplet sampler, two TextCnnEncoders (f_user for the memory, f_item for candidates),
// MemoryAttention, a hand-written BPR training loop around the library's one training step
// (`marsBprLoss` in a `TfjsStepEngine`, the step MarsModel.fit runs too), and ranking with the
// serving functions (`computeItemVectors`, `scoreHistories`) scored by the full-ranking
// evaluator. What MarsModel does to train and rank is all here, in one file; swap any block for
// your own.
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
  ItemBias,
  MemoryAttention,
  PopularityRecommender,
  TextCnnEncoder,
  TfjsStepEngine,
  computeItemVectors,
  disposeItemVectors,
  disposeMarsBlocks,
  generateSyntheticCorpus,
  historiesOfRows,
  marsBprLoss,
  marsTrainableVariables,
  scoreHistories,
  selectBackend,
} from '../src/index';
import type { BackendPreference, MarsBlocks } from '../src/index';

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

  // 3. The blocks: two text CNNs, the memory attention (no weights of its own) and a learned
  //    item bias for the items seen in training (cold items get a fixed one). MarsModel adds an
  //    ItemIdEmbedding and a collaborative part here too when configured.
  const encoderConfig = { vocabularySize: vocabulary.size, embeddingDim: 32, filters: 32, outputDim: dim };
  const itemBias = new ItemBias({ itemCount: dataset.itemCount, name: 'item_bias' });
  itemBias.markSeen(train);
  const blocks: MarsBlocks = {
    userEncoder: new TextCnnEncoder({ ...encoderConfig, seed: 1, name: 'f_user' }),
    itemEncoder: new TextCnnEncoder({ ...encoderConfig, seed: 2, name: 'f_item' }),
    attention: new MemoryAttention(),
    itemBias,
  };

  // 4. BPR training (report eq. 3 and 4): sample (user, positive j, negative j', memory = the
  //    user's other positives); marsBprLoss encodes each batch's unique documents once per
  //    encoder (deduplicated, grouped by length under a token budget), reads the memory with
  //    the attention and returns eq. 4's loss; the engine minimises it with Adam.
  const sampler = new BprTripletSampler(train, { batchSize: 64, maxHistory, seed: 1 });
  const optimizer = tf.train.adam(0.005);
  const engine = new TfjsStepEngine({
    loss: (batch) => marsBprLoss(blocks, documents, batch, { maxHistory, tokenBudget: 4096 }),
    variables: marsTrainableVariables(blocks),
    optimizer,
  });
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    losses.push(await engine.step(sampler.nextBatch()));
    if ((step + 1) % 25 === 0) console.log(`step ${step + 1}: loss ${losses[step].toFixed(4)}`);
  }
  engine.dispose();
  optimizer.dispose();

  // 5. Ranking: encode every item once per encoder, then for each user the attention over their
  //    training items (the most recent maxHistory) scores every item, in chunks, without ever
  //    building the [users, items, d] candidate block.
  const vectors = await computeItemVectors(blocks, documents); // [items, d] per side
  const score = (users: Int32Array): Promise<Float32Array> =>
    scoreHistories(vectors, historiesOfRows(train, users, maxHistory)); // as MarsModel.evaluate
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
  disposeItemVectors(vectors);
  disposeMarsBlocks(blocks);

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
