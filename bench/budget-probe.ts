// `node --import tsx bench/budget-probe.ts --data NAME [--seeds 1,2,3] [--min-rating R] --variants JSON`:
// compares training budgets of the default MARS model on the CLI's splits (issue #13, the
// "What held the default back" table of docs/quality.md). Per seed: the split `mars-rec train
// --seed S` makes, BPR-MF tuned once on its validation split (`tuneBprMf`, as `fit` does), then
// each variant fits a new default model with that collaborative part and its own `FitOptions`
// (patience, validateEvery, maxPasses, learningRate, ...), and prints its validation curve and
// its recall@50 / MAP@500 on the validation and test splits over every user. The same numbers
// as `npm run cli-quality` for the variant `{}` (the defaults).
//
//   --data NAME|DIR     dataset (a name of ../shared/data or a folder)              required
//   --seeds 1,2,3       seeds of split and training                                 default 1,2,3
//   --min-rating R      positives: rating >= R (movies_tmdb_small: 4)               default none
//   --variants JSON     [{"name": "...", "fit": { FitOptions fields }}, ...]        default [{"name":"default"}]
//
// e.g. --variants '[{"name":"default"},{"name":"patience 16","fit":{"patience":16}}]'
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/backend/select-backend';
import { PopularityRecommender } from '../src/baselines/popularity';
import type { CsrMatrix } from '../src/data/csr';
import { loadDataset } from '../src/data/load-dataset';
import { preprocess } from '../src/data/preprocess';
import { splitPerUser } from '../src/data/split';
import { evaluateRanking } from '../src/metrics/evaluate-ranking';
import { resolveMarsConfig } from '../src/model/config';
import type { FitOptions } from '../src/model/fit-options';
import { MarsModel } from '../src/model/mars-model';
import type { StopwordLanguage } from '../src/text/stopwords';
import { Tokenizer } from '../src/text/tokenizer';
import { tuneBprMf } from '../src/training/tune-bpr-mf';
import { resolveDataArgument } from './experiment';

/** One budget to compare: a name and the `FitOptions` it changes. */
export interface BudgetVariant {
  name: string;
  fit?: Partial<FitOptions>;
}

const METRICS = ['recall@50', 'map@500'];

const format = (metrics: Record<string, number>): string =>
  METRICS.map((metric) => metrics[metric].toFixed(4)).join(' / ');

/** Runs every variant for every seed and prints one line (and its validation curve) per run. */
export async function runBudgetProbe(options: {
  data: string;
  seeds: number[];
  minRating?: number;
  variants: BudgetVariant[];
  log?: (line: string) => void;
}): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  await selectBackend('auto');
  const config = resolveMarsConfig({});
  const tokenizer = new Tokenizer({
    html: config.stripHtml,
    stopwords: config.stopwords as StopwordLanguage[],
    wordBoundaries: config.wordBoundaries,
  });
  const loaded = await loadDataset({
    items: join(options.data, 'items.jsonl'),
    interactions: join(options.data, 'interactions.csv'),
    tokenizer,
    minRating: options.minRating,
    keepRatings: false,
  });
  // as `mars-rec train`: users with at least 3 positives, split by the seed
  const dataset = preprocess(loaded.dataset, { minUserInteractions: 3 }).dataset;
  for (const seed of options.seeds) {
    const split = splitPerUser(dataset, { seed });
    const evaluate = async (targets: CsrMatrix, score: (users: Int32Array) => Float32Array) =>
      (
        await evaluateRanking({
          itemCount: split.itemIds.length,
          targets,
          exclude: split.train,
          metrics: METRICS,
          score,
        })
      ).mean;
    const popularity = PopularityRecommender.fit(split.train);
    const byPopularity = (users: Int32Array) => popularity.scoreUsers(users);
    log(
      `seed ${seed} popularity: validation ${format(await evaluate(split.validation, byPopularity))}, ` +
        `test ${format(await evaluate(split.test, byPopularity))} (recall@50 / MAP@500)`,
    );
    const tuned = await tuneBprMf(split.train, split.validation, {
      seed,
      factors: config.collaborativeFactors,
    });
    log(`seed ${seed} ${tuned.summary}`);
    for (const variant of options.variants) {
      const started = performance.now();
      const model = MarsModel.create();
      const curve: string[] = [];
      const result = await model.fit(
        {
          itemIds: split.itemIds,
          itemTokens: dataset.itemTokens,
          train: split.train,
          validation: split.validation,
        },
        {
          seed,
          // the tuned collaborative part, fitted again with its chosen L2 and epochs (the same weights)
          collaborative: { l2: tuned.l2, epochs: tuned.epochs },
          ...variant.fit,
          onValidation: (event) => void curve.push(`${event.step}:${event.metrics['recall@50'].toFixed(4)}`),
        },
      );
      const seconds = (performance.now() - started) / 1000;
      const validation = (await model.evaluate(split.validation, split.train, { metrics: METRICS })).mean;
      const test = (await model.evaluate(split.test, split.train, { metrics: METRICS })).mean;
      log(
        `seed ${seed} ${variant.name}: validation ${format(validation)}, test ${format(test)}; ` +
          `${result.steps} steps (${result.passes.toFixed(1)} passes, ${result.stopReason}), best step ${result.bestStep}; ` +
          `fit ${seconds.toFixed(1)} s, steps ${result.trainSeconds.toFixed(1)} s`,
      );
      log(`   validation recall@50 by step (the fit's validation users): ${curve.join(' ')}`);
      model.dispose();
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      data: { type: 'string' },
      seeds: { type: 'string', default: '1,2,3' },
      'min-rating': { type: 'string' },
      variants: { type: 'string', default: '[{"name":"default"}]' },
    },
  });
  if (!values.data) throw new Error('budget-probe: --data NAME|DIR is required');
  await runBudgetProbe({
    data: resolveDataArgument(values.data),
    seeds: values.seeds.split(',').map(Number),
    minRating: values['min-rating'] === undefined ? undefined : Number(values['min-rating']),
    variants: JSON.parse(values.variants) as BudgetVariant[],
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
