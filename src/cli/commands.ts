import { join } from 'node:path';
import { selectBackend } from '../backend/select-backend';
import type { BackendPreference } from '../backend/select-backend';
import { PopularityRecommender } from '../baselines/popularity';
import type { CsrMatrix } from '../data/csr';
import { loadDataset } from '../data/load-dataset';
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
import { uniqueHistory } from '../model/unique-history';
import { Tokenizer } from '../text/tokenizer';
import type { StopwordLanguage } from '../text/stopwords';
import { CliError } from './cli-error';
import { ProgressReporter } from './progress';
import {
  checkOutputDirectory,
  readRunDirectory,
  RUN_FORMAT_VERSION,
  writeRunDirectory,
} from './run-directory';
import type { ModelKind, RunBaseline, RunJson } from './run-directory';
import { refuseEmptySplit, refuseUntrainableData } from './training-refusals';

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
  /** Learning rate (MARS default: the report's 0.001 x batch / 512). */
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
  const log = (line: string): void => {
    if (!options.json || process.stderr.isTTY) process.stderr.write(`${line}\n`);
  };
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
  const split = splitPerUser(dataset, { trainFraction: options.trainFraction, seed: options.seed });
  refuseEmptySplit(split, dataset);
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
    const progress = new ProgressReporter(process.stderr);
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
          if (!options.json || process.stderr.isTTY) {
            progress.update({
              step: event.step,
              totalSteps: event.totalSteps,
              loss: event.loss,
              tripletsPerSecond: event.tripletsPerSecond,
              elapsedSeconds: event.trainSeconds,
            });
          }
        },
        onValidation: ({ step, metrics }) =>
          log(`validation at step ${step}: recall@50 ${metrics['recall@50'].toFixed(4)}`),
      },
    );
    log(`training: ${result.summary}`);
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
  }
  const run: Omit<RunJson, 'files'> = {
    format: 'mars-rec/run',
    version: RUN_FORMAT_VERSION,
    model: options.model,
    backend,
    options: { ...options },
  };
  await writeRunDirectory(options.out, { run, split, saveModel, baseline }, overwrite);
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

/** A loaded run directory: how to evaluate it on a part of its split, and how to recommend for a history. */
interface LoadedRun {
  run: RunJson;
  split: UserSplit;
  evaluate: (
    targets: CsrMatrix,
    users?: Int32Array,
    onProgress?: (usersDone: number, usersTotal: number) => void,
  ) => Promise<RankingEvaluation>;
  recommend: (
    history: string[],
    k: number,
    explain: boolean,
    user: number | undefined,
  ) => Promise<Record<string, unknown>[]>;
  dispose: () => void;
}

async function loadRun(given: string, backend: BackendPreference): Promise<LoadedRun> {
  // every file checked (form, checksums) and named when something is wrong with it
  const { directory, run, split, baseline } = await readRunDirectory(given);
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
        `${join(directory, 'model')} and ${join(directory, 'split.json')} come from different runs (their items differ); train again`,
      );
    }
    return {
      run,
      split,
      // the model's own evaluation: the same history cap and user terms as MarsModel.evaluate
      evaluate: (targets, users, onProgress) => model.evaluate(targets, split.train, { users, onProgress }),
      recommend: async (history, k, explain, user) => {
        indicesOf(history);
        // the user term exists only with a collaborative part; otherwise the history says it all
        const known = user !== undefined && model.config.collaborativeFactors > 0 ? user : undefined;
        const recommendations = await model.recommend(history, { k, user: known });
        return Promise.all(
          recommendations.map(async (r) =>
            explain
              ? { ...r, attention: (await model.explain(history, r.id, { user: known })).history }
              : { ...r },
          ),
        );
      },
      dispose: () => model.dispose(),
    };
  }
  if (!baseline) throw new CliError(`${directory}: the run's baseline file is missing`);
  const scorer = baseline;
  return {
    run,
    split,
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
    recommend: async (history, k, explain, user) => {
      if (explain) throw new CliError(`--explain needs a MARS model; '${given}' holds ${run.model}`);
      const excluded = new Set(indicesOf(history));
      if (!(scorer instanceof PopularityRecommender)) {
        if (user === undefined)
          throw new CliError(
            'bpr-mf recommends only for users of its training split: pass --user ID (or use a MARS model for new histories)',
          );
        const scores = scorer.scoreUsers(Int32Array.of(user));
        return Array.from(topK(scores, k, excluded), (item) => ({
          id: split.itemIds[item],
          score: scores[item],
        }));
      }
      return Array.from(topK(scorer.itemCounts, k, excluded), (item) => ({
        id: split.itemIds[item],
        score: scorer.itemCounts[item],
      }));
    },
    dispose: () => undefined,
  };
}

/** `mars-rec evaluate`: metrics of a saved run on its saved split. */
export async function evaluateCommand(options: {
  model: string;
  split: 'test' | 'validation';
  backend: BackendPreference;
  /** Evaluate a seeded sample of this many users (default: every user with a target). */
  sampleUsers?: number;
  /** Seed of the sample. Default 1. */
  seed?: number;
  /** Where progress lines go (none when undefined). */
  log?: (line: string) => void;
}): Promise<Record<string, unknown>> {
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
    let lastLog = 0;
    const result = await loaded.evaluate(targets, users, (done, total) => {
      const now = performance.now();
      if (options.log && (now - lastLog > 10_000 || done === total)) {
        lastLog = now;
        options.log(`evaluated ${done}/${total} users (${((now - started) / done).toFixed(1)} ms a user)`);
      }
    });
    const seconds = (performance.now() - started) / 1000;
    // standard error of each mean over all users with a target: with the finite-population
    // correction sqrt((N - n) / (N - 1)) when a sample was evaluated
    const n = users.length;
    const N = population.length;
    const correction = n < N && N > 1 ? Math.sqrt((N - n) / (N - 1)) : 1;
    const standardError = Object.fromEntries(
      Object.entries(result.standardError).map(([name, value]) => [name, value * correction]),
    );
    return {
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
}): Promise<Record<string, unknown>[]> {
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
    return await loaded.recommend(history, options.k, options.explain, user);
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

function rethrowMissing(...paths: string[]): (error: Error & { code?: string; path?: string }) => never {
  return (error) => {
    if (error.code === 'ENOENT') throw new CliError(`file not found: ${error.path ?? paths.join(' or ')}`);
    throw new CliError(error.message);
  };
}
