import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { selectBackend } from '../backend/select-backend';
import type { BackendPreference } from '../backend/select-backend';
import { PopularityRecommender } from '../baselines/popularity';
import type { PopularityJson } from '../baselines/popularity';
import { BprMatrixFactorization } from '../collaborative/bpr-mf';
import type { BprMfJson } from '../collaborative/bpr-mf';
import type { CsrMatrix } from '../data/csr';
import { InteractionDataset } from '../data/interaction-dataset';
import { loadInteractionsCsv, loadItemsJsonl } from '../data/loaders';
import { preprocess } from '../data/preprocess';
import { splitPerUser, UserSplit } from '../data/split';
import { evaluateRanking } from '../metrics/evaluate-ranking';
import type { RankingEvaluation } from '../metrics/evaluate-ranking';
import { topK } from '../metrics/top-k';
import type { MarsConfig } from '../model/config';
import { MarsModel } from '../model/mars-model';
import { DEFAULT_EVALUATION_METRICS } from '../model/mars-model-options';
import { ProgressReporter } from './progress';

/** A command-line error: printed as one line, exit code 1 (2 for usage errors). */
export class CliError extends Error {
  /** Process exit code. */
  readonly exitCode: number;

  /** @param message - one line saying what is wrong and how to fix it. */
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Version of the run directory layout (`run.json`). */
export const RUN_FORMAT_VERSION = 1;

/** Which recommender a run trained. */
export type ModelKind = 'mars' | 'bpr-mf' | 'popularity';

interface RunJson {
  format: 'mars-rec/run';
  version: number;
  model: ModelKind;
  backend: string;
  options: Record<string, unknown>;
}

/** Users with fewer positives than this are dropped before the split (the split needs 3). */
export const DEFAULT_MIN_USER_INTERACTIONS = 3;

/**
 * Options of `mars-rec train`. An option left undefined takes the library's default (the
 * split's, `MarsConfig`'s, `MarsModel.fit`'s), so `--config` fields are never overwritten.
 */
export interface TrainCommandOptions {
  /** items.jsonl path. */
  items: string;
  /** interactions.csv path. */
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
  /** Training steps (MARS). */
  steps?: number;
  /** Epochs (MARS: fractions of positives; BPR-MF: passes over the positives). */
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
}

/** The MarsConfig of a run: `--config`, with the flags that name a config field on top when given. */
export function runConfig(options: TrainCommandOptions): Partial<MarsConfig> {
  return {
    ...options.config,
    ...(options.maxHistory === undefined ? {} : { maxHistory: options.maxHistory }),
    ...(options.maxDocLength === undefined ? {} : { maxDocumentLength: options.maxDocLength }),
  };
}

/** `mars-rec train`: load, preprocess, split, train, save model + split into `out`. */
export async function trainCommand(options: TrainCommandOptions): Promise<Record<string, unknown>> {
  const log = (line: string): void => {
    if (!options.json || process.stderr.isTTY) process.stderr.write(`${line}\n`);
  };
  const items = await loadItemsJsonl(options.items).catch(rethrowMissing(options.items));
  const interactions = await loadInteractionsCsv(options.interactions).catch(
    rethrowMissing(options.interactions),
  );
  const raw = InteractionDataset.build(items, interactions);
  const minUserInteractions = options.minUserInteractions ?? DEFAULT_MIN_USER_INTERACTIONS;
  const { dataset, report } = preprocess(raw, { minRating: options.minRating, minUserInteractions });
  log(
    `data: ${dataset.userCount} users, ${dataset.itemCount} items, ${dataset.interactionCount} positives ` +
      `(dropped: ${report.interactionsBelowMinRating} below min rating, ${report.itemsWithoutText} items without text, ` +
      `${report.usersBelowMinInteractions} users under ${minUserInteractions}, ${raw.unknownItemInteractions} unknown items)`,
  );
  const split = splitPerUser(dataset, { trainFraction: options.trainFraction, seed: options.seed });
  await mkdir(options.out, { recursive: true });
  await writeFile(join(options.out, 'split.json'), JSON.stringify(split.toJSON()));
  let backend = 'none';
  let steps = 0;
  let trainSeconds = 0;
  let tripletsPerSecond = 0;
  let bestStep: number | undefined;
  if (options.model === 'mars') {
    const selection = await selectBackend(options.backend);
    backend = selection.name;
    log(`backend: ${selection.name} (${selection.reason})`);
    const model = MarsModel.create(runConfig(options));
    const progress = new ProgressReporter(process.stderr);
    const result = await model.fit(
      {
        itemIds: split.itemIds,
        itemTexts: dataset.itemTexts,
        train: split.train,
        validation: split.validation,
      },
      {
        steps: options.steps,
        epochs: options.epochs,
        batchSize: options.batchSize,
        learningRate: options.learningRate,
        seed: options.seed,
        patience: 0,
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
    await model.save(join(options.out, 'model'));
    model.dispose();
    ({ steps, trainSeconds, tripletsPerSecond, bestStep } = result);
  } else {
    const started = performance.now();
    const saved =
      options.model === 'popularity'
        ? PopularityRecommender.fit(split.train).toJSON()
        : BprMatrixFactorization.fit(split.train, { seed: options.seed, epochs: options.epochs }).toJSON();
    trainSeconds = (performance.now() - started) / 1000;
    await writeFile(join(options.out, 'baseline.json'), JSON.stringify(saved));
  }
  const run: RunJson = {
    format: 'mars-rec/run',
    version: RUN_FORMAT_VERSION,
    model: options.model,
    backend,
    options: { ...options },
  };
  await writeFile(join(options.out, 'run.json'), JSON.stringify(run, null, 2));
  log(`saved to ${options.out}`);
  return {
    model: options.model,
    steps,
    trainSeconds,
    tripletsPerSecond,
    // the step whose weights were kept (best validation; 0: the collaborative part alone)
    ...(bestStep === undefined ? {} : { bestStep }),
    backend,
    users: split.userIds.length,
    items: split.itemIds.length,
    out: options.out,
  };
}

/** A loaded run directory: how to evaluate it on a part of its split, and how to recommend for a history. */
interface LoadedRun {
  run: RunJson;
  split: UserSplit;
  evaluate: (targets: CsrMatrix) => Promise<RankingEvaluation>;
  recommend: (
    history: string[],
    k: number,
    explain: boolean,
    user: number | undefined,
  ) => Promise<Record<string, unknown>[]>;
  dispose: () => void;
}

async function loadRun(directory: string, backend: BackendPreference): Promise<LoadedRun> {
  const runPath = join(directory, 'run.json');
  const runText = await readFile(runPath, 'utf8').catch(() => {
    throw new CliError(`${runPath} not found: '${directory}' is not a directory written by 'mars-rec train'`);
  });
  const run = JSON.parse(runText) as RunJson;
  if (run.format !== 'mars-rec/run') throw new CliError(`${runPath} is not a mars-rec run file`);
  if (run.version > RUN_FORMAT_VERSION) {
    throw new CliError(
      `${directory} was written by a newer mars-rec (run format ${run.version}; this one reads ${RUN_FORMAT_VERSION}): upgrade mars-rec`,
    );
  }
  const split = UserSplit.fromJSON(JSON.parse(await readFile(join(directory, 'split.json'), 'utf8')));
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
    return {
      run,
      split,
      // the model's own evaluation: the same history cap and user terms as MarsModel.evaluate
      evaluate: (targets) => model.evaluate(targets, split.train),
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
  const baseline = JSON.parse(await readFile(join(directory, 'baseline.json'), 'utf8')) as BaselineJson;
  const scorer =
    baseline.kind === 'popularity'
      ? PopularityRecommender.fromJSON(baseline)
      : BprMatrixFactorization.fromJSON(baseline);
  return {
    run,
    split,
    evaluate: (targets) =>
      evaluateRanking({
        itemCount: split.itemIds.length,
        targets,
        exclude: split.train,
        score: (users) => scorer.scoreUsers(users),
        metrics: DEFAULT_EVALUATION_METRICS,
        userBatchSize: 64,
      }),
    recommend: async (history, k, explain, user) => {
      if (explain) throw new CliError(`--explain needs a MARS model; '${directory}' holds ${run.model}`);
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
}): Promise<Record<string, unknown>> {
  const loaded = await loadRun(options.model, options.backend);
  try {
    const targets: CsrMatrix = options.split === 'test' ? loaded.split.test : loaded.split.validation;
    const started = performance.now();
    const result = await loaded.evaluate(targets);
    return {
      model: loaded.run.model,
      split: options.split,
      ...result.mean,
      users: result.usersEvaluated,
      usersSkipped: result.usersSkipped,
      evaluateSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    loaded.dispose();
  }
}

/** `mars-rec recommend`: top-k items for a history, optionally with attention explanations. */
export async function recommendCommand(options: {
  model: string;
  /** Item ids, oldest first; with `user`, default that user's training history. */
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
      user = loaded.split.userIds.indexOf(options.user);
      if (user < 0)
        throw new CliError(`unknown user id '${options.user}' in --user: not a user of the run's split`);
    }
    let history = options.history;
    if (history === undefined) {
      if (user === undefined) throw new CliError('recommend needs --history ID,ID,... or --user ID', 2);
      history = loaded.split.historyOf(user, 'train');
    }
    return await loaded.recommend(history, options.k, options.explain, user);
  } finally {
    loaded.dispose();
  }
}

type BaselineJson = PopularityJson | BprMfJson;

function rethrowMissing(path: string): (error: Error & { code?: string }) => never {
  return (error) => {
    if (error.code === 'ENOENT') throw new CliError(`file not found: ${path}`);
    throw new CliError(error.message);
  };
}
