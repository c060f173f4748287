// `npm run experiment -- [options]`: the quality experiment of issue #9. Trains each model with
// fixed seeds on one per-user split, chooses every tuned setting on the validation split, and
// prints one table of test metrics (mean ± standard deviation over seeds) plus, with
// --cold-start, a table on items held out of training entirely. See docs/quality.md.
//
//   --data DIR|NAME|synthetic  dataset folder (items.jsonl + interactions.csv) or the name of one
//                          in ../shared/data; default movies_tmdb_small, 'synthetic' for the
//                          generated corpus
//   --models a,b,...       of: popularity, bpr-mf, mars, mars-mean, mars-text, mars-text-bias,
//                          mars-text-bias-id (default all)
//   --seeds 1,2,3          model seeds (the split keeps --split-seed)      default 1
//   --steps N              MARS training steps (early stopping on validation)  default 1500
//   --validate-every N     MARS validation interval in steps               default 100
//   --learning-rate X     MARS Adam learning rate                        default the library's
//   --config JSON          overrides merged into every MARS configuration
//   --optimizer NAME       MARS optimizer: adam (default), lazy-adam, sgd
//   --word-vectors FILE    pretrained word vectors (GloVe text format) for the MARS word embeddings
//                          (set embeddingDim to their size with --config)
//   --bpr-epochs N         BPR-MF epochs                                   default 300
//   --bpr-l2 a,b,...       BPR-MF L2 values swept on validation             default 0.01,0.03,0.06
//   --cold-start F         also hold out a fraction F of items from training (cold items)
//   --cold-only            with --cold-start, skip the warm-item runs
//   --min-rating R|none    positives: rating >= R (none: every interaction)  default 4
//   --split-seed S         seed of the per-user 0.3 split                  default 1
//   --out FILE             also write the results as JSON
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { BprMatrixFactorization, PopularityRecommender } from '../src/baselines';
import type { CsrMatrix } from '../src/data';
import {
  InteractionDataset,
  loadInteractionsCsv,
  loadItemsJsonl,
  preprocess,
  rowsToCsr,
  splitPerUser,
} from '../src/data';
import { evaluateRanking } from '../src/metrics';
import type { RankingScorer } from '../src/metrics';
import { MarsModel } from '../src/model';
import type { MarsConfig } from '../src/model';
import { SeededRandom } from '../src/sampling';
import { generateSyntheticCorpus } from '../src/synthetic';
import { sharedDatasetPath } from './shared-data';

/** The metrics of the table. */
export const EXPERIMENT_METRICS = ['recall@10', 'recall@50', 'ndcg@10', 'map@500'] as const;

/** The models the experiment knows; MARS variants are ablations of the default configuration. */
export const EXPERIMENT_MODELS: Record<string, { label: string; config?: Partial<MarsConfig> }> = {
  popularity: { label: 'popularity' },
  'popularity-index': { label: 'popularity, ties by the lower item index (as the PyTorch reference)' },
  'bpr-mf': { label: 'BPR-MF (L2 tuned on validation)' },
  mars: {
    label: 'MARS, default configuration (text CNN + attention + a fixed collaborative part)',
  },
  'mars-mean': {
    label: 'MARS default, attention replaced by the mean (ablation)',
    config: { aggregation: 'mean' },
  },
  'mars-text': {
    label: "MARS text only (the paper's form: no collaborative part)",
    config: { collaborativeFactors: 0 },
  },
  'mars-text-bias': {
    label: 'MARS text only + learned item bias (warm-started)',
    config: { collaborativeFactors: 0, itemBias: true },
  },
  'mars-text-bias-id': {
    label: 'MARS text only + item bias + item-ID embedding',
    config: { collaborativeFactors: 0, itemBias: true, itemIdEmbedding: true },
  },
};

/** Options of {@link runExperiment}. */
export interface ExperimentOptions {
  data: string;
  models: string[];
  seeds: number[];
  steps: number;
  validateEvery: number;
  learningRate?: number;
  /** Overrides merged into every MARS configuration (`--config '{"outputDim":32}'`). */
  config?: Partial<MarsConfig>;
  /** MARS optimizer. */
  optimizer?: 'adam' | 'lazy-adam' | 'sgd';
  /** Lines of a GloVe-format word-vector file: the MARS word embeddings start from them. */
  wordVectors?: string[];
  bprEpochs: number;
  bprL2: number[];
  coldStart?: number;
  /** With `coldStart`, run only the cold-item setting. */
  coldOnly?: boolean;
  /** Positives: rating >= this; undefined keeps every interaction (data without ratings). */
  minRating?: number;
  splitSeed: number;
  /** Users of each MARS validation. Default all. */
  validationUsers?: number;
  outFile?: string;
  log?: (line: string) => void;
}

/** One trained model's test metrics. */
export interface ExperimentRun {
  model: string;
  seed: number;
  setting: 'warm' | 'cold';
  metrics: Record<string, number>;
  trainSeconds: number;
  tripletsPerSecond?: number;
  steps?: number;
  chosen?: string;
}

/** The data one experiment runs on. */
export interface ExperimentData {
  name: string;
  itemIds: readonly string[];
  itemTexts: readonly string[];
  train: CsrMatrix;
  validation: CsrMatrix;
  test: CsrMatrix;
}

/** Loads the data, trains every model for every seed, and returns each run's test metrics. */
export async function runExperiment(options: ExperimentOptions): Promise<ExperimentRun[]> {
  const log = options.log ?? ((line: string) => console.error(line));
  for (const model of options.models) {
    if (!(model in EXPERIMENT_MODELS))
      throw new Error(
        `experiment: unknown model '${model}'; known: ${Object.keys(EXPERIMENT_MODELS).join(', ')}`,
      );
  }
  const data = await loadExperimentData(options);
  log(
    `data: ${data.name}, ${data.train.rowCount} users, ${data.itemIds.length} items, ` +
      `${data.train.offsets[data.train.rowCount]} train / ${data.validation.offsets[data.validation.rowCount]} validation / ` +
      `${data.test.offsets[data.test.rowCount]} test positives`,
  );
  const runs: ExperimentRun[] = [];
  for (const seed of options.coldStart && options.coldOnly ? [] : options.seeds) {
    for (const model of options.models) {
      const run = await trainAndEvaluate(model, seed, data, undefined, options, log);
      runs.push(run);
      log(`  ${describeRun(run)}`);
    }
  }
  if (options.coldStart) {
    const cold = holdOutItems(data, options.coldStart, options.splitSeed);
    log(
      `cold start: ${cold.coldItems.size} items held out of training (${cold.trainRemoved} train positives removed); ` +
        `test ranks only them`,
    );
    for (const seed of options.seeds) {
      for (const model of options.models) {
        const run = await trainAndEvaluate(model, seed, cold.data, cold.coldItems, options, log);
        runs.push(run);
        log(`  ${describeRun(run)}`);
      }
    }
  }
  return runs;
}

/** Loads the experiment's dataset and its per-user 0.3 split (also used by bench/probes.ts). */
export async function loadExperimentData(
  options: Pick<ExperimentOptions, 'data' | 'minRating' | 'splitSeed'>,
): Promise<ExperimentData> {
  let dataset: InteractionDataset;
  let name: string;
  if (options.data === 'synthetic') {
    const corpus = generateSyntheticCorpus({ seed: 1, itemCount: 600, userCount: 400 });
    dataset = InteractionDataset.build(corpus.items, corpus.interactions);
    name = 'synthetic corpus (600 items, 400 users)';
  } else {
    const raw = InteractionDataset.build(
      await loadItemsJsonl(join(options.data, 'items.jsonl')),
      await loadInteractionsCsv(join(options.data, 'interactions.csv')),
    );
    dataset = preprocess(raw, { minRating: options.minRating, minUserInteractions: 3 }).dataset;
    const rating = options.minRating === undefined ? 'every interaction' : `rating >= ${options.minRating}`;
    name = `${options.data} (${rating}, users with >= 3 positives)`;
  }
  const split = splitPerUser(dataset, { trainFraction: 0.3, seed: options.splitSeed });
  return {
    name,
    itemIds: dataset.itemIds,
    itemTexts: dataset.itemTexts,
    train: split.train,
    validation: split.validation,
    test: split.test,
  };
}

/**
 * Holds a random fraction of the items that have training positives out of training: their
 * train and validation positives are removed; the test targets are restricted to them.
 */
function holdOutItems(
  data: ExperimentData,
  fraction: number,
  seed: number,
): { data: ExperimentData; coldItems: Set<number>; trainRemoved: number } {
  const withPositives = new Set(data.train.indices);
  const rng = new SeededRandom(seed + 101);
  const candidates = rng.shuffle([...withPositives].sort((a, b) => a - b));
  const coldItems = new Set(candidates.slice(0, Math.round(fraction * candidates.length)));
  const keep = (matrix: CsrMatrix, predicate: (item: number) => boolean): CsrMatrix =>
    rowsToCsr(
      Array.from({ length: matrix.rowCount }, (_, user) =>
        Array.from(matrix.indices.subarray(matrix.offsets[user], matrix.offsets[user + 1])).filter(predicate),
      ),
      matrix.columnCount,
    );
  const train = keep(data.train, (item) => !coldItems.has(item));
  return {
    data: {
      ...data,
      train,
      validation: keep(data.validation, (item) => !coldItems.has(item)),
      test: keep(data.test, (item) => coldItems.has(item)),
    },
    coldItems,
    trainRemoved: data.train.offsets[data.train.rowCount] - train.offsets[train.rowCount],
  };
}

/** Scores with every non-cold item pushed to the bottom (cold-start: rank the cold items only). */
function onlyItems(score: RankingScorer, items: Set<number> | undefined, itemCount: number): RankingScorer {
  if (!items) return score;
  const allowed = new Uint8Array(itemCount);
  for (const item of items) allowed[item] = 1;
  return async (users) => {
    const scores = await score(users);
    for (let k = 0; k < scores.length; k++) if (!allowed[k % itemCount]) scores[k] = -Infinity;
    return scores;
  };
}

async function evaluateScorer(
  data: ExperimentData,
  targets: CsrMatrix,
  score: RankingScorer,
  coldItems: Set<number> | undefined,
  metrics: readonly string[] = EXPERIMENT_METRICS,
): Promise<Record<string, number>> {
  const result = await evaluateRanking({
    itemCount: data.itemIds.length,
    targets,
    exclude: data.train,
    score: onlyItems(score, coldItems, data.itemIds.length),
    metrics,
  });
  return result.mean;
}

/**
 * Trains one model of {@link EXPERIMENT_MODELS} with one seed on the experiment's split and
 * returns its test metrics (tuned settings chosen on validation). Also used by the parity bench.
 */
export async function trainAndEvaluate(
  model: string,
  seed: number,
  data: ExperimentData,
  coldItems: Set<number> | undefined,
  options: ExperimentOptions,
  log: (line: string) => void,
): Promise<ExperimentRun> {
  const setting = coldItems ? 'cold' : 'warm';
  const started = performance.now();
  if (model === 'popularity-index') {
    // the reference's popularity: ties broken by the lower item index (parity checks)
    const popularity = PopularityRecommender.fit(data.train);
    const trainSeconds = (performance.now() - started) / 1000;
    const metrics = await evaluateScorer(data, data.test, (users) => popularity.scoreUsers(users), coldItems);
    return { model, seed, setting, metrics, trainSeconds };
  }
  if (model === 'popularity') {
    // counts plus a seeded jitter in [0, 0.5): ties (every cold item has count 0) break at random,
    // not by catalogue order, which on real data correlates with popularity and would leak it
    const counts = PopularityRecommender.fit(data.train).itemCounts;
    const rng = new SeededRandom(seed);
    const popularity = PopularityRecommender.fromCounts(counts.map((count) => count + 0.5 * rng.nextFloat()));
    const trainSeconds = (performance.now() - started) / 1000;
    const metrics = await evaluateScorer(data, data.test, (users) => popularity.scoreUsers(users), coldItems);
    return { model, seed, setting, metrics, trainSeconds };
  }
  if (model === 'bpr-mf') {
    // L2 chosen on validation recall@50 (never on test), then the chosen model is tested
    let best: { l2: number; recall: number; model: BprMatrixFactorization; seconds: number } | undefined;
    for (const l2 of options.bprL2) {
      const fitStarted = performance.now();
      const candidate = BprMatrixFactorization.fit(data.train, { l2, epochs: options.bprEpochs, seed });
      const seconds = (performance.now() - fitStarted) / 1000;
      const validation = await evaluateScorer(
        data,
        data.validation,
        (users) => candidate.scoreUsers(users),
        undefined,
        ['recall@50'],
      );
      log(`    bpr-mf l2 ${l2}: validation recall@50 ${validation['recall@50'].toFixed(4)}`);
      if (!best || validation['recall@50'] > best.recall)
        best = { l2, recall: validation['recall@50'], model: candidate, seconds };
    }
    const chosen = best as NonNullable<typeof best>;
    const metrics = await evaluateScorer(
      data,
      data.test,
      (users) => chosen.model.scoreUsers(users),
      coldItems,
    );
    return { model, seed, setting, metrics, trainSeconds: chosen.seconds, chosen: `l2 ${chosen.l2}` };
  }
  const mars = MarsModel.create({ ...options.config, ...EXPERIMENT_MODELS[model].config });
  try {
    const fit = await mars.fit(
      { itemIds: data.itemIds, itemTexts: data.itemTexts, train: data.train, validation: data.validation },
      {
        steps: options.steps,
        seed,
        learningRate: options.learningRate,
        wordVectors: options.wordVectors,
        optimizer: options.optimizer,
        validateEvery: options.validateEvery,
        validationUsers: options.validationUsers ?? 100_000,
        onValidation: ({ step, metrics }) =>
          log(`    ${model} step ${step}: validation recall@50 ${metrics['recall@50'].toFixed(4)}`),
      },
    );
    const metrics = await evaluateScorer(
      data,
      data.test,
      (users) =>
        mars.scoreItemsForHistories(
          Array.from(users, (user) => rowOf(data.train, user)),
          users,
        ),
      coldItems,
    );
    return {
      model,
      seed,
      setting,
      metrics,
      trainSeconds: fit.trainSeconds,
      tripletsPerSecond: fit.tripletsPerSecond,
      steps: fit.steps,
      chosen: fit.bestStep !== undefined ? `best step ${fit.bestStep}` : undefined,
    };
  } finally {
    mars.dispose();
  }
}

/** A user's row of a CSR matrix (a view). */
export function rowOf(matrix: CsrMatrix, user: number): Int32Array {
  return matrix.indices.subarray(matrix.offsets[user], matrix.offsets[user + 1]);
}

function describeRun(run: ExperimentRun): string {
  const values = EXPERIMENT_METRICS.map((metric) => `${metric} ${run.metrics[metric].toFixed(4)}`).join(', ');
  return `${run.setting} ${run.model} seed ${run.seed}: ${values}; ${run.trainSeconds.toFixed(1)} s${
    run.chosen ? ` (${run.chosen})` : ''
  }`;
}

/** The results as a markdown table: mean ± standard deviation over seeds per model and setting. */
export function formatExperimentTable(runs: readonly ExperimentRun[]): string {
  const lines = [
    `| setting | model | ${EXPERIMENT_METRICS.join(' | ')} | train s | triplets/s | seeds |`,
    `|---|---|${EXPERIMENT_METRICS.map(() => '---').join('|')}|---|---|---|`,
  ];
  const groups = new Map<string, ExperimentRun[]>();
  for (const run of runs) {
    const key = `${run.setting}\u0000${run.model}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  for (const group of groups.values()) {
    const cell = (values: number[], digits: number): string => {
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      if (values.length < 2) return mean.toFixed(digits);
      const std = Math.sqrt(
        values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1),
      );
      return `${mean.toFixed(digits)} ± ${std.toFixed(digits)}`;
    };
    const speeds = group.map((run) => run.tripletsPerSecond).filter((value) => value !== undefined);
    lines.push(
      `| ${group[0].setting} | ${group[0].model} | ${EXPERIMENT_METRICS.map((metric) =>
        cell(
          group.map((run) => run.metrics[metric]),
          4,
        ),
      ).join(' | ')} | ${cell(
        group.map((run) => run.trainSeconds),
        0,
      )} | ${speeds.length > 0 ? cell(speeds, 0) : '—'} | ${group.map((run) => run.seed).join(',')} |`,
    );
  }
  return lines.join('\n');
}

/**
 * The dataset folder of a `--data` argument: 'synthetic', a folder, or the name of a dataset in
 * ../shared/data (default movies_tmdb_small); throws naming the dataset when it is absent.
 */
export function resolveDataArgument(data: string | undefined, fallback = 'movies_tmdb_small'): string {
  if (data === 'synthetic' || (data !== undefined && existsSync(data))) return data;
  const name = data ?? fallback;
  const shared = sharedDatasetPath(name);
  if (!shared)
    throw new Error(
      `experiment: ${data ?? `../shared/data/${name}`} is absent; pass --data DIR, a dataset name of ../shared/data, or --data synthetic`,
    );
  return shared;
}

/** Parses the command line of `npm run experiment`. */
export function parseExperimentArgs(args: string[]): ExperimentOptions {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      models: { type: 'string' },
      seeds: { type: 'string', default: '1' },
      steps: { type: 'string', default: '1500' },
      'validate-every': { type: 'string', default: '100' },
      'learning-rate': { type: 'string' },
      config: { type: 'string' },
      'word-vectors': { type: 'string' },
      optimizer: { type: 'string' },
      'bpr-epochs': { type: 'string', default: '300' },
      'bpr-l2': { type: 'string', default: '0.01,0.03,0.06' },
      'cold-start': { type: 'string' },
      'cold-only': { type: 'boolean', default: false },
      'min-rating': { type: 'string', default: '4' },
      'split-seed': { type: 'string', default: '1' },
      out: { type: 'string' },
    },
  });
  const numbers = (flag: string, text: string): number[] =>
    text.split(',').map((part) => {
      const value = Number(part);
      if (part.trim() === '' || !Number.isFinite(value))
        throw new Error(`experiment: --${flag} expects numbers, got '${text}'`);
      return value;
    });
  const data = resolveDataArgument(values.data);
  return {
    data,
    models: (values.models ?? Object.keys(EXPERIMENT_MODELS).join(',')).split(','),
    seeds: numbers('seeds', values.seeds),
    steps: numbers('steps', values.steps)[0],
    validateEvery: numbers('validate-every', values['validate-every'])[0],
    learningRate: values['learning-rate'] ? numbers('learning-rate', values['learning-rate'])[0] : undefined,
    config: values.config ? (JSON.parse(values.config) as Partial<MarsConfig>) : undefined,
    optimizer: values.optimizer as ExperimentOptions['optimizer'],
    wordVectors: values['word-vectors']
      ? readFileSync(values['word-vectors'], 'utf8').split('\n')
      : undefined,
    bprEpochs: numbers('bpr-epochs', values['bpr-epochs'])[0],
    bprL2: numbers('bpr-l2', values['bpr-l2']),
    coldStart: values['cold-start'] ? numbers('cold-start', values['cold-start'])[0] : undefined,
    coldOnly: values['cold-only'],
    minRating: values['min-rating'] === 'none' ? undefined : numbers('min-rating', values['min-rating'])[0],
    splitSeed: numbers('split-seed', values['split-seed'])[0],
    outFile: values.out,
  };
}

async function main(): Promise<void> {
  const options = parseExperimentArgs(process.argv.slice(2));
  const backend = (await tf.setBackend('wasm').catch(() => false)) ? 'wasm' : 'cpu';
  if (backend === 'cpu') await tf.setBackend('cpu');
  await tf.ready();
  const runs = await runExperiment(options);
  console.log(`\n${formatExperimentTable(runs)}\n\nbackend ${backend}`);
  if (options.outFile) writeFileSync(options.outFile, JSON.stringify({ options, runs }, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
