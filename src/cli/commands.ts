import { join } from 'node:path';
import { selectBackend } from '../backend/select-backend';
import type { BackendPreference } from '../backend/select-backend';
import { PopularityRecommender } from '../baselines/popularity';
import type { CsrMatrix } from '../data/csr';
import { loadDataset } from '../data/load-dataset';
import { loadItemsJsonl } from '../data/loaders';
import { preprocess } from '../data/preprocess';
import { splitPerUser } from '../data/split';
import type { UserSplit } from '../data/split';
import { evaluateRanking } from '../metrics/evaluate-ranking';
import type { RankingEvaluation } from '../metrics/evaluate-ranking';
import { sampleEvaluationUsers } from '../metrics/sample-users';
import { topK } from '../metrics/top-k';
import { resolveMarsConfig } from '../model/config';
import type { MarsConfig } from '../model/config';
import { MarsModel } from '../model/mars-model';
import { DEFAULT_EVALUATION_METRICS, EVALUATION_USER_BATCH } from '../model/mars-model-options';
import { tuneBprMf } from '../training/tune-bpr-mf';
import { uniqueHistory } from '../ragged/unique-history';
import { Tokenizer } from '../text/tokenizer';
import type { StopwordLanguage } from '../text/stopwords';
import { CliError } from './cli-error';
import { withAttention } from './output';
import type { RecommendationRow } from './output';
import { LearningCurveRecorder } from '../reporting/learning-curve';
import { writeLearningCurve } from './learning-curve-files';
import { ProgressReporter } from './progress';
import {
  checkOutputDirectory,
  readRunDirectory,
  RUN_FORMAT_VERSION,
  writeRunDirectory,
} from './run-directory';
import type { ModelKind, RunBaseline, RunJson } from './run-directory';
import { readItemTitles, readRunTitles } from './titles';
import { refuseEmptySplit, refuseUntrainableData } from './training-refusals';
import { CatalogueIndex } from '../serving/catalogue-index';
import type { ServingSearch } from '../serving/catalogue-index';
import type { ItemIndexEngine } from '../serving/item-index/item-index';

export { CliError } from './cli-error';
export { RUN_FORMAT_VERSION };
export type { BaselineJson, ModelKind, RunBaseline, RunJson } from './run-directory';

/** Users with fewer positives than this are dropped before the split (the split needs 3). */
export const DEFAULT_MIN_USER_INTERACTIONS = 3;

/**
 * Options of `mars-rec train`. An option left undefined takes the library's default (the
 * split's, `MarsConfig`'s, `MarsModel.fit`'s), so `--config` fields are never overwritten.
 */
export interface TrainCommandOptions {
  /** items.jsonl or .parquet path. */
  items: string;
  /** interactions.csv or .parquet path. */
  interactions: string;
  /** Output directory. */
  out: string;
  /** Model kind. Default `mars`. */
  model: ModelKind;
  /** Minimum rating of a positive. */
  minRating?: number;
  /** Minimum positives per user. Default {@link DEFAULT_MIN_USER_INTERACTIONS}. */
  minUserInteractions?: number;
  /** Train share of each user's items. Default the split's (0.3). */
  trainFraction?: number;
  /** Seed of the split and of training. Default 1. */
  seed?: number;
  /**
   * Training steps (MARS). Default: `MarsModel.fit`'s budget, train until validation stops
   * improving, at most `DEFAULT_MAX_PASSES` passes over the training positives.
   */
  steps?: number;
  /**
   * Epochs (MARS: fractions of positives; BPR-MF: passes over the positives). Default (BPR-MF):
   * chosen on the validation split with the L2 weight (`tuneBprMf`).
   */
  epochs?: number;
  /** Triplets per step. Default `MarsModel.fit`'s (128). */
  batchSize?: number;
  /** Learning rate (MARS default: 0.002 x batch / 512, twice the report's rule). */
  learningRate?: number;
  /** Longest history, in items; wins over `config.maxHistory`. Default `MarsConfig`'s (50). */
  maxHistory?: number;
  /** Longest document, in tokens; wins over `config.maxDocumentLength`. Default `MarsConfig`'s (300). */
  maxDocLength?: number;
  /** Further MarsConfig fields (`--config '{"itemBias":true}'`); validated by the model. */
  config?: Partial<MarsConfig>;
  /** Backend. Default auto. */
  backend: BackendPreference;
  /** Print one JSON object at the end. */
  json: boolean;
  /** Replace `out` even when it is a non-empty directory that is not a mars-rec run. Default false. */
  overwrite?: boolean;
  /** Token cache file of the items, or false for none. Default the user's cache folder. */
  tokenCache?: string | false;
  /** Print nothing but errors and the result (`--quiet`). */
  quiet?: boolean;
  /** Print every validation metric and each epoch's loss (`--verbose`). */
  verbose?: boolean;
}

/** The MarsConfig of a run: `--config`, with the flags that name a config field on top when given. */
export function runConfig(options: TrainCommandOptions): Partial<MarsConfig> {
  return {
    ...options.config,
    ...(options.maxHistory === undefined ? {} : { maxHistory: options.maxHistory }),
    ...(options.maxDocLength === undefined ? {} : { maxDocumentLength: options.maxDocLength }),
  };
}

/**
 * `mars-rec train`: load, preprocess, split, train, then write the split, the model and
 * `run.json` into `out` atomically (the previous run stays until the new one is complete).
 * Refuses, before training, an `out` it must not replace and data that leaves nothing to train on.
 */
export async function trainCommand(options: TrainCommandOptions): Promise<Record<string, unknown>> {
  // progress and phases go to stderr, also with --json (stdout holds only the result); --quiet: none
  const progress = new ProgressReporter(process.stderr);
  const log = (line: string): void => {
    if (!options.quiet) progress.log(line);
  };
  const curve = new LearningCurveRecorder({ model: options.model, validationMetric: 'recall@50' });
  const overwrite = options.overwrite ?? false;
  await checkOutputDirectory(options.out, overwrite);
  // the items are tokenised once, with the model's tokenizer settings, and cached across runs; an
  // item whose text has no word for that tokenizer (only stopwords, only tags) has no text
  const marsConfig = resolveMarsConfig(runConfig(options));
  const tokenizer = new Tokenizer({
    html: marsConfig.stripHtml,
    stopwords: marsConfig.stopwords as StopwordLanguage[],
    wordBoundaries: marsConfig.wordBoundaries,
  });
  const loaded = await loadDataset({
    items: options.items,
    interactions: options.interactions,
    tokenizer,
    minRating: options.minRating,
    keepRatings: false,
    tokenCache: options.tokenCache,
    onProgress: progressLogger(log),
  }).catch(rethrowMissing(options.items, options.interactions));
  const raw = loaded.dataset;
  const { seconds } = loaded.report;
  log(
    `loaded: ${loaded.report.rows} rows (${loaded.report.duplicates} repeats merged) in ` +
      `${(seconds.items + seconds.interactions + seconds.index).toFixed(1)} s` +
      (loaded.report.itemsFromCache ? ' (item tokens from the cache)' : ''),
  );
  const minUserInteractions = options.minUserInteractions ?? DEFAULT_MIN_USER_INTERACTIONS;
  // --min-rating is applied while loading: the report counts what the loader dropped
  const preprocessed = preprocess(raw, { minUserInteractions });
  const dataset = preprocessed.dataset;
  const report = { ...preprocessed.report, interactionsBelowMinRating: loaded.report.belowMinRating };
  log(
    `data: ${dataset.userCount} users, ${dataset.itemCount} items, ${dataset.interactionCount} positives ` +
      `(dropped: ${loaded.report.belowMinRating} below min rating, ${report.itemsWithoutText} items without text, ` +
      `${report.usersBelowMinInteractions} users under ${minUserInteractions}, ${raw.unknownItemInteractions} unknown items)`,
  );
  const times = report.implausibleTimestamps;
  if (times.negative > 0 || times.milliseconds > 0)
    log(
      `warning: ${options.interactions}: timestamps are Unix seconds, but ${times.negative} are negative and ` +
        `${times.milliseconds} look like milliseconds (>= 1e11)${times.mixedUnits ? ', mixed with seconds' : ''}; ` +
        'the most recent history items may be chosen wrongly',
    );
  refuseUntrainableData(raw, dataset, report, {
    items: options.items,
    interactions: options.interactions,
    minRating: options.minRating,
    minUserInteractions,
    config: marsConfig,
  });
  curve.describeData({
    users: dataset.userCount,
    items: dataset.itemCount,
    positives: dataset.interactionCount,
    droppedBelowMinRating: report.interactionsBelowMinRating,
    droppedItemsWithoutText: report.itemsWithoutText,
    droppedUsersBelowMinInteractions: report.usersBelowMinInteractions,
    droppedUnknownItems: raw.unknownItemInteractions,
  });
  const split = splitPerUser(dataset, { trainFraction: options.trainFraction, seed: options.seed });
  refuseEmptySplit(split, dataset);
  const titles = await readItemTitles(options.items);
  let saveModel: ((directory: string) => Promise<void>) | undefined;
  let baseline: RunBaseline | undefined;
  let backend = 'none';
  let steps = 0;
  let trainSeconds = 0;
  let tripletsPerSecond = 0;
  let bestStep: number | undefined;
  let ended: Record<string, unknown> = {};
  if (options.model === 'mars') {
    const selection = await selectBackend(options.backend);
    backend = selection.name;
    log(`backend: ${selection.name} (${selection.reason})`);
    const model = MarsModel.create(marsConfig);
    log(
      model.config.collaborativeFactors > 0
        ? 'training MARS: fitting the collaborative part (BPR-MF) and the vocabulary, then the text part'
        : 'training MARS: building the vocabulary, then training',
    );
    const result = await model.fit(
      {
        itemIds: split.itemIds,
        itemTokens: dataset.itemTokens,
        train: split.train,
        validation: split.validation,
      },
      {
        steps: options.steps,
        epochs: options.epochs,
        batchSize: options.batchSize,
        learningRate: options.learningRate,
        seed: options.seed,
        onBatchEnd: (event) => {
          curve.onBatchEnd(event);
          if (!options.quiet)
            progress.update({
              step: event.step,
              totalSteps: event.totalSteps,
              loss: event.loss,
              tripletsPerSecond: event.tripletsPerSecond,
              elapsedSeconds: event.trainSeconds,
            });
        },
        onEpochEnd: ({ epoch, step, meanLoss }) => {
          if (options.verbose)
            log(`epoch ${epoch + 1} ended at step ${step}: mean loss ${meanLoss.toFixed(4)}`);
        },
        onValidation: (event) => {
          curve.onValidation(event);
          const shown = options.verbose ? Object.keys(event.metrics) : ['recall@50'];
          log(
            `validation at step ${event.step}: ${shown.map((name) => `${name} ${event.metrics[name].toFixed(4)}`).join(', ')}`,
          );
        },
      },
    );
    curve.finish(result);
    log(result.summary); // how training ended, in words
    saveModel = async (directory) => {
      try {
        await model.save(directory);
      } finally {
        model.dispose();
      }
    };
    ({ steps, trainSeconds, tripletsPerSecond, bestStep } = result);
    ended = {
      stopReason: result.stopReason,
      passes: result.passes,
      summary: result.summary,
      ...(result.collaborative ? { collaborative: result.collaborative } : {}),
    };
  } else {
    log(`training ${options.model}`);
    const started = performance.now();
    if (options.model === 'popularity') baseline = PopularityRecommender.fit(split.train);
    else {
      // the tuned baseline is the default one: L2 (and epochs, unless given) chosen on validation
      const tuning = await tuneBprMf(split.train, split.validation, {
        seed: options.seed,
        epochs: options.epochs,
      });
      baseline = tuning.model;
      log(`training: ${tuning.summary}`);
      ended = {
        l2: tuning.l2,
        epochs: tuning.epochs,
        [tuning.metric]: tuning.value,
        summary: tuning.summary,
      };
    }
    trainSeconds = (performance.now() - started) / 1000;
    curve.finish({ steps: 0, trainSeconds, tripletsPerSecond: 0, stoppedEarly: false, aborted: false });
  }
  const run: Omit<RunJson, 'files'> = {
    format: 'mars-rec/run',
    version: RUN_FORMAT_VERSION,
    model: options.model,
    backend,
    options: { ...options },
  };
  await writeRunDirectory(
    options.out,
    {
      run,
      split,
      saveModel,
      baseline,
      titles,
      writeReports: (directory) => writeLearningCurve(directory, curve.toJSON()),
    },
    overwrite,
  );
  log(`saved to ${options.out}`);
  return {
    model: options.model,
    steps,
    trainSeconds,
    tripletsPerSecond,
    // the step whose weights were kept (best validation; 0: the collaborative part alone)
    ...(bestStep === undefined ? {} : { bestStep }),
    ...ended,
    backend,
    users: split.users.size,
    items: split.itemIds.length,
    out: options.out,
  };
}

/** A loaded run directory: how to evaluate it on a part of its split, and how to recommend. */
export interface LoadedRun {
  /** run.json. */
  run: RunJson;
  /** The run's split. */
  split: UserSplit;
  /** Item titles by id (empty when items.jsonl had none). */
  titles: Map<string, string>;
  /** Metrics on held-out positives of the split (of `users`, default all), with progress. */
  evaluate: (
    targets: CsrMatrix,
    users?: Int32Array,
    onProgress?: (usersDone: number, usersTotal: number) => void,
  ) => Promise<RankingEvaluation>;
  /** Top-k for a history (item ids), optionally as a user of the split, with attention. */
  recommend: (
    history: string[],
    k: number,
    explain: boolean,
    user: number | undefined,
    search?: ServingSearch,
  ) => Promise<RecommendationRow[]>;
  /** Top-k for users (rows) of the split from their training history, no history item included. */
  recommendUsers: (users: Int32Array, k: number) => Promise<RecommendationRow[][]>;
  /** Frees the model. */
  dispose: () => void;
}

/** Where `mars-rec index` keeps a run's catalogue index: beside the model. */
export function indexDirectory(runDirectory: string): string {
  return join(runDirectory, 'index');
}

/** Loads a directory written by `mars-rec train`. */
export async function loadRun(given: string, backend: BackendPreference): Promise<LoadedRun> {
  // every file checked (form, checksums) and named when something is wrong with it
  const { directory, run, split, baseline } = await readRunDirectory(given);
  const titles = await readRunTitles(directory).catch((error: Error) => {
    throw new CliError(error.message);
  });
  const itemIndex = new Map(split.itemIds.map((id, index) => [id, index]));
  const indicesOf = (history: string[]): number[] =>
    history.map((id, position) => {
      const index = itemIndex.get(id);
      if (index === undefined)
        throw new CliError(`unknown item id '${id}' in --history (position ${position + 1})`);
      return index;
    });
  if (run.model === 'mars') {
    await selectBackend(backend);
    const model = await MarsModel.load(join(directory, 'model')).catch((error: Error) => {
      throw new CliError(error.message);
    });
    const ids = model.catalog?.ids ?? [];
    if (ids.length !== split.itemIds.length || ids.some((id, index) => id !== split.itemIds[index])) {
      model.dispose();
      throw new CliError(
        `${join(directory, 'model')} and ${join(directory, 'split.bin')} come from different runs (their items differ); train again`,
      );
    }
    // a catalogue index beside the model ('mars-rec index') serves recommend
    if (await CatalogueIndex.exists(indexDirectory(directory)))
      model.useIndex(
        await CatalogueIndex.load(indexDirectory(directory)).catch((error: Error) => {
          model.dispose();
          throw new CliError(`${indexDirectory(directory)}: ${error.message}`);
        }),
      );
    return {
      run,
      split,
      titles,
      // the model's own evaluation: the same history cap and user terms as MarsModel.evaluate
      evaluate: (targets, users, onProgress) => model.evaluate(targets, split.train, { users, onProgress }),
      recommend: async (history, k, explain, user, search) => {
        const mode = search?.mode ?? (model.index ? 'exact' : 'brute-force');
        if (mode !== 'brute-force' && !model.index)
          throw new CliError(
            `--search ${mode} needs an index: run 'mars-rec index --model ${directory}' first`,
          );
        // the index knows items added after training; the model's own catalogue the split's
        if (mode === 'brute-force') indicesOf(history);
        // the user term exists only with a collaborative part; otherwise the history says it all
        const known = user !== undefined && model.config.collaborativeFactors > 0 ? user : undefined;
        const recommendations = await model
          .recommend(history, {
            k,
            user: known,
            exact: mode === 'exact',
            approximate: search?.mode === 'approximate' ? { candidates: search.candidates } : undefined,
          })
          .catch((error: Error) => {
            throw error instanceof RangeError ? new CliError(error.message) : error;
          });
        return Promise.all(
          recommendations.map(async (r) =>
            explain ? withAttention(r, await model.explain(history, r.id, { user: known })) : { ...r },
          ),
        );
      },
      recommendUsers: async (users, k) => {
        const histories = Array.from(users, (user) => split.historyOf(user, 'train'));
        // the user term exists only with a collaborative part
        const rows = model.config.collaborativeFactors > 0 ? Array.from(users) : undefined;
        return model.recommendMany(histories, { k, users: rows });
      },
      dispose: () => model.dispose(),
    };
  }
  if (!baseline) throw new CliError(`${directory}: the run's baseline file is missing`);
  const scorer = baseline;
  const topOf = (scores: Float32Array, k: number, excluded: Set<number> | Int32Array): RecommendationRow[] =>
    Array.from(topK(scores, k, excluded), (item) => ({ id: split.itemIds[item], score: scores[item] }));
  return {
    run,
    split,
    titles,
    evaluate: (targets, users, onProgress) =>
      evaluateRanking({
        itemCount: split.itemIds.length,
        targets,
        exclude: split.train,
        score: (batch) => scorer.scoreUsers(batch),
        metrics: DEFAULT_EVALUATION_METRICS,
        userBatchSize: EVALUATION_USER_BATCH,
        users,
        onProgress,
      }),
    recommendUsers: async (users, k) => {
      const itemCount = split.itemIds.length;
      const scores = scorer.scoreUsers(users);
      return Array.from(users, (user, row) =>
        topOf(
          scores.subarray(row * itemCount, (row + 1) * itemCount),
          k,
          split.train.indices.subarray(split.train.offsets[user], split.train.offsets[user + 1]),
        ),
      );
    },
    recommend: async (history, k, explain, user) => {
      if (explain) throw new CliError(`--explain needs a MARS model; '${given}' holds ${run.model}`);
      const excluded = new Set(indicesOf(history));
      if (!(scorer instanceof PopularityRecommender)) {
        if (user === undefined)
          throw new CliError(
            'bpr-mf recommends only for users of its training split: pass --user ID (or use a MARS model for new histories)',
          );
        return topOf(scorer.scoreUsers(Int32Array.of(user)), k, excluded);
      }
      return topOf(scorer.itemCounts, k, excluded);
    },
    dispose: () => undefined,
  };
}

/** What `mars-rec evaluate --json` prints: the run, each metric's mean, users, seconds. */
export interface EvaluateSummary extends Record<string, unknown> {
  model: ModelKind;
  split: 'test' | 'validation';
  users: number;
  usersSkipped: number;
  evaluateSeconds: number;
}

/** `mars-rec evaluate`: metrics of a saved run on its saved split, with progress on stderr. */
export async function evaluateCommand(options: {
  model: string;
  split: 'test' | 'validation';
  backend: BackendPreference;
  /** Evaluate a seeded sample of this many users (default: every user with a target). */
  sampleUsers?: number;
  /** Seed of the sample. Default 1. */
  seed?: number;
}): Promise<{ summary: EvaluateSummary; evaluation: RankingEvaluation }> {
  const loaded = await loadRun(options.model, options.backend);
  try {
    const targets: CsrMatrix = options.split === 'test' ? loaded.split.test : loaded.split.validation;
    if (targets.offsets[targets.rowCount] === 0)
      throw new CliError(
        `the ${options.split} split of '${options.model}' holds no held-out item for any of its ${targets.rowCount} users: nothing to evaluate`,
      );
    const started = performance.now();
    const population = sampleEvaluationUsers(targets, Number.MAX_SAFE_INTEGER);
    const users =
      options.sampleUsers === undefined
        ? population
        : sampleEvaluationUsers(targets, options.sampleUsers, options.seed ?? 1);
    const progress = new ProgressReporter(process.stderr);
    const result = await loaded.evaluate(targets, users, (done, total) =>
      progress.advance(
        { done, total, unit: 'users', elapsedSeconds: (performance.now() - started) / 1000 },
        'evaluating',
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    // standard error of each mean over all users with a target: with the finite-population
    // correction sqrt((N - n) / (N - 1)) when a sample was evaluated
    const n = users.length;
    const N = population.length;
    const correction = n < N && N > 1 ? Math.sqrt((N - n) / (N - 1)) : 1;
    const standardError = Object.fromEntries(
      Object.entries(result.standardError).map(([name, value]) => [name, value * correction]),
    );
    const summary: EvaluateSummary = {
      model: loaded.run.model,
      split: options.split,
      ...result.mean,
      standardError,
      users: result.usersEvaluated,
      usersSkipped: result.usersSkipped,
      usersWithTargets: N,
      sampled: n < N,
      evaluateSeconds: seconds,
      msPerUser: (seconds * 1000) / Math.max(1, result.usersEvaluated),
    };
    return { summary, evaluation: result };
  } finally {
    loaded.dispose();
  }
}

/** `mars-rec recommend`: top-k items for a history, optionally with attention explanations. */
export async function recommendCommand(options: {
  model: string;
  /**
   * Item ids, oldest first; an id given more than once counts once, at its most recent
   * position (`uniqueHistory`). With `user`, default that user's training history.
   */
  history?: string[];
  /** A user id of the run's split: their training history, and their user term where the model has one. */
  user?: string;
  k: number;
  explain: boolean;
  backend: BackendPreference;
  /** How to search: default exact through the run's index when it has one, else brute force. */
  search?: ServingSearch;
}): Promise<RecommendationRow[]> {
  const loaded = await loadRun(options.model, options.backend);
  try {
    let user: number | undefined;
    if (options.user !== undefined) {
      user = loaded.split.users.indexOf(options.user) ?? -1;
      if (user < 0)
        throw new CliError(`unknown user id '${options.user}' in --user: not a user of the run's split`);
    }
    let history = options.history && uniqueHistory(options.history);
    if (history === undefined) {
      if (user === undefined) throw new CliError('recommend needs --history ID,ID,... or --user ID', 2);
      history = loaded.split.historyOf(user, 'train');
    }
    const rows = await loaded.recommend(history, options.k, options.explain, user, options.search);
    return rows.map((row) => withTitle(row, loaded.titles));
  } finally {
    loaded.dispose();
  }
}

/** Logs loading progress about every 10 s: items read, then the share of the interactions read. */
function progressLogger(log: (line: string) => void): (stage: string, done: number, total: number) => void {
  let last = performance.now();
  return (stage, done, total) => {
    const now = performance.now();
    if (now - last < 10_000) return;
    last = now;
    log(
      stage === 'items'
        ? `loading items: ${done} read`
        : `loading ${stage}: ${total > 0 ? ((100 * done) / total).toFixed(0) : '?'}%`,
    );
  };
}

/**
 * `mars-rec index`: builds the catalogue index of a MARS run beside its model (`DIR/index`), or
 * updates it: `add` items (a JSONL file of id + text: new items, or edited ones, get vectors from
 * their text alone) and `remove` item ids. Written crash-safely (a new generation, then an atomic
 * switch).
 */
export async function indexCommand(options: {
  model: string;
  engine?: ItemIndexEngine;
  /** A JSONL file of `{"id", "text"}` items to add or update. */
  add?: string;
  /** Item ids to remove. */
  remove?: string[];
  backend: BackendPreference;
}): Promise<Record<string, unknown>> {
  const started = performance.now();
  const { directory: runDirectory, run } = await readRunDirectory(options.model);
  if (run.model !== 'mars')
    throw new CliError(`mars-rec index needs a MARS run; '${options.model}' holds ${run.model}`);
  await selectBackend(options.backend);
  const model = await MarsModel.load(join(runDirectory, 'model')).catch((error: Error) => {
    throw new CliError(error.message);
  });
  try {
    const directory = indexDirectory(runDirectory);
    const update = options.add !== undefined || options.remove !== undefined;
    if (update && (await CatalogueIndex.exists(directory))) {
      const index = await CatalogueIndex.load(directory);
      if (options.engine && options.engine !== index.engine)
        throw new CliError(
          `the index in ${directory} runs on ${index.engine}, not ${options.engine}: rebuild it without --add/--remove to change engines`,
        );
      model.useIndex(index);
    } else await model.buildIndex({ engine: options.engine });
    const index = model.index as CatalogueIndex;
    let added = 0;
    let replaced = 0;
    let removed = 0;
    if (options.add !== undefined) {
      const items = await loadItemsJsonl(options.add).catch(rethrowMissing(options.add));
      ({ added, replaced } = await model.indexItems(items.map(({ id, text }) => ({ id, text }))));
    }
    if (options.remove !== undefined)
      removed = await model.removeItems(options.remove).catch((error: Error) => {
        throw new CliError(error.message);
      });
    await index.save(directory);
    return {
      index: directory,
      engine: index.engine,
      items: index.size,
      added,
      replaced,
      removed,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    model.dispose();
  }
}

/** The row with its item's title, when the run has one. */
export function withTitle(row: RecommendationRow, titles: ReadonlyMap<string, string>): RecommendationRow {
  const title = titles.get(row.id);
  return title === undefined
    ? row
    : { id: row.id, score: row.score, title, ...(row.attention ? { attention: row.attention } : {}) };
}

function rethrowMissing(...paths: string[]): (error: Error & { code?: string; path?: string }) => never {
  return (error) => {
    if (error.code === 'ENOENT') throw new CliError(`file not found: ${error.path ?? paths.join(' or ')}`);
    throw new CliError(error.message);
  };
}
