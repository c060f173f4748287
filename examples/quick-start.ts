// The ten-minute quick start: load data, split it, train MARS, evaluate, recommend with an
// explanation, save and load back.
//
//   node --import tsx examples/quick-start.ts                  # a generated corpus, ~15 s on 2 cores
//   node --import tsx examples/quick-start.ts items.jsonl interactions.csv --steps 500
//
// In your own project, import from 'mars-rec' instead of '../src/index'.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  InteractionDataset,
  MarsModel,
  generateSyntheticCorpus,
  loadInteractionsCsv,
  loadItemsJsonl,
  preprocess,
  selectBackend,
  splitPerUser,
} from '../src/index';
import type {
  AttentionExplanation,
  BackendPreference,
  InteractionRecord,
  ItemRecord,
  Recommendation,
  RankingEvaluation,
} from '../src/index';

/** What the quick start computed, for a caller (or a test) to check. */
export interface QuickStartResult {
  /** The backend that ran. */
  backend: string;
  /** Test-split metrics (recall@10, recall@50, ndcg@10, map@500). */
  evaluation: RankingEvaluation;
  /** The history (item ids) of the user the recommendations are for. */
  history: string[];
  /** Top items for that history. */
  recommendations: Recommendation[];
  /** Attention over the history for the top item. */
  explanation: AttentionExplanation;
  /** Where the model was saved. */
  modelDirectory: string;
  /** Every item's score for `history`, from the trained model and from the loaded copy. */
  scores: { saved: Float32Array; loaded: Float32Array };
}

/**
 * Runs the quick start. `args`: `[items.jsonl interactions.csv] [--steps N] [--backend NAME]`;
 * without files, a small synthetic news corpus is generated in-process.
 */
export async function main(args: readonly string[] = []): Promise<QuickStartResult> {
  const { values: flags, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { steps: { type: 'string', default: '300' }, backend: { type: 'string', default: 'auto' } },
  });
  if (positionals.length !== 0 && positionals.length !== 2)
    throw new Error('usage: quick-start.ts [items.jsonl interactions.csv] [--steps N] [--backend NAME]');
  const backend = await selectBackend(flags.backend as BackendPreference); // the fastest that starts here

  // 1. Items ({ id, text }) and interactions ({ user, item, rating?, timestamp? }).
  let items: ItemRecord[];
  let interactions: InteractionRecord[];
  if (positionals.length === 2) {
    items = await loadItemsJsonl(positionals[0]); // errors name the file, line and field
    interactions = await loadInteractionsCsv(positionals[1]);
  } else {
    const corpus = generateSyntheticCorpus({ seed: 1, itemCount: 400, userCount: 300 });
    items = corpus.items;
    interactions = corpus.interactions;
  }

  // 2. Index them, keep the positives (rating >= 4), drop users with fewer than 3, split per user:
  //    30% of each user's items train, the rest is halved into validation and test.
  const raw = InteractionDataset.build(items, interactions);
  const { dataset, report } = preprocess(raw, { minRating: 4, minUserInteractions: 3 });
  const split = splitPerUser(dataset, { trainFraction: 0.3, seed: 1 });
  console.log(
    `${report.after.users} users, ${report.after.items} items, ${report.after.interactions} positives ` +
      `(backend ${backend.name})`,
  );

  // 3. A small MARS (defaults: embeddingDim 64, filters 100, outputDim 64, 300 tokens), trained
  //    with BPR. `validation` tracks recall@50 and keeps the best weights.
  const model = MarsModel.create({ embeddingDim: 32, filters: 64, outputDim: 32, maxDocumentLength: 100 });
  const fit = await model.fit(
    {
      itemIds: split.itemIds,
      itemTexts: dataset.itemTexts,
      train: split.train,
      validation: split.validation,
    },
    {
      steps: Number(flags.steps),
      batchSize: 64,
      learningRate: 0.005,
      seed: 1,
      validateEvery: 50, // steps; the default (one epoch, 10% of the positives) is a few steps here
      onValidation: ({ step, metrics }) =>
        console.log(`  step ${step}: validation recall@50 ${metrics['recall@50'].toFixed(3)}`),
    },
  );
  console.log(
    `trained ${fit.steps} steps in ${fit.trainSeconds.toFixed(1)} s (${fit.tripletsPerSecond.toFixed(0)} triplets/s)`,
  );

  // 4. Full-ranking evaluation on the test split; each user's training items are the memory and
  //    are never ranked. See docs/metrics.md for the definitions.
  const evaluation = await model.evaluate(split.test, split.train, {
    metrics: ['recall@10', 'recall@50', 'ndcg@10', 'map@500'],
  });
  for (const name of evaluation.metrics)
    console.log(
      `  ${name} ${evaluation.mean[name].toFixed(4)} ± ${evaluation.standardError[name].toFixed(4)}`,
    );

  // 5. Recommend for one user from their history (item ids, oldest first: beyond maxHistory, 50
  //    items, the last ones are kept), and explain the top item: the attention each history item got.
  const user = 0;
  const historyIndices = split.train.indices.subarray(
    split.train.offsets[user],
    split.train.offsets[user + 1],
  );
  const history = Array.from(historyIndices, (index) => split.itemIds[index]);
  const recommendations = await model.recommend(history, { k: 5 });
  const explanation = await model.explain(history, recommendations[0].id);
  console.log(`user ${split.userIds[user]}: ${recommendations.map((r) => r.id).join(', ')}`);
  for (const { id, weight } of explanation.history) console.log(`  ${id} ${weight.toFixed(2)}`);

  // 6. Save (model.json + weights.bin: config, vocabulary, item catalogue, weights) and load back.
  const modelDirectory = await mkdtemp(join(tmpdir(), 'mars-quick-start-'));
  await model.save(modelDirectory);
  const loaded = await MarsModel.load(modelDirectory);
  const scores = {
    saved: await model.scoreItemsForHistories([historyIndices]),
    loaded: await loaded.scoreItemsForHistories([historyIndices]),
  };
  console.log(`saved to ${modelDirectory} and loaded back`);
  model.dispose(); // frees the model's tensors
  loaded.dispose();
  return { backend: backend.name, evaluation, history, recommendations, explanation, modelDirectory, scores };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
