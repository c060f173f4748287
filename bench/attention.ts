// `npm run attention -- [options]` (or `npm run bench -- attention` for the defaults): how far
// MARS's attention weights are from uniform, and whether attention beats its mean ablation
// (issue #18). Per data set, on the per-user 0.3 split of docs/quality.md, and per model variant
// (`mars`: the default configuration; `mars-text`: the paper's text-only form,
// `collaborativeFactors: 0`):
// - trains the variant twice with one seed, once with `aggregation: 'attention'` and once with
//   `'mean'` (the default budget: until validation stops improving, best weights kept), and
//   reads validation and test recall@50 and MAP@500 over every user (full ranking);
// - with the attention model, explains (`MarsModel.explain`, the weights users see) a seeded
//   sample of validation users with at least two history items, each for its top-10
//   recommendations and for 10 random items outside its history, and summarises the normalised
//   entropy H(a) / log(|history|) of the weights, the share flagged near uniform
//   (`attentionUniformity`) and the spread of the attention logits (max - min of log a).
//
//   --datasets a,b,...   folders of ../shared/data (default amazon_office,movies_tmdb_small,
//                        mind_small_sample), or 'synthetic' for the generated corpus
//   --variants a,b       mars, mars-text                                 default both
//   --seed S             training seed                                   default 1
//   --split-seed S       seed of the per-user split                      default 1
//   --users N            validation users explained per data set         default 100
//   --max-passes P       cap of the default budget, in passes            default the library's (20)
//   --steps N            a fixed number of steps instead of the default budget
//   --out FILE           also write the results as JSON
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../src/backend';
import { sampleEvaluationUsers } from '../src/metrics';
import { MarsModel } from '../src/model';
import type { MarsConfig } from '../src/model';
import { historyOfRow } from '../src/ragged';
import { SeededRandom } from '../src/random';
import { loadExperimentData } from './experiment';
import type { ExperimentData } from './experiment';
import { sharedDatasetPath } from './shared-data';

/** The data sets of the report, in ../shared/data. */
export const ATTENTION_DATASETS = ['amazon_office', 'movies_tmdb_small', 'mind_small_sample'];

/** The model variants of the report: the default configuration and the paper's text-only form. */
export const ATTENTION_VARIANTS: Record<string, Partial<MarsConfig>> = {
  mars: {},
  'mars-text': { collaborativeFactors: 0 },
};

/** Options of {@link runAttentionReport}. */
export interface AttentionReportOptions {
  /** Data set folders (or 'synthetic'). */
  datasets: string[];
  /** Names of {@link ATTENTION_VARIANTS}. */
  variants: string[];
  seed: number;
  splitSeed: number;
  /** Validation users explained per data set. */
  users: number;
  /** Cap of the default budget in passes; undefined for the library's. */
  maxPasses?: number;
  /** A fixed number of steps instead of the default budget. */
  steps?: number;
  log?: (line: string) => void;
}

/** Quantiles and mean of a sample. */
export interface Distribution {
  mean: number;
  p10: number;
  median: number;
  p90: number;
}

/** The explanations of one kind of candidate. */
export interface ExplainedCandidates {
  /** `top-10` (what `recommend --explain` shows) or `random` (items outside the history). */
  candidates: 'top-10' | 'random';
  /** Explanations measured. */
  count: number;
  /** H(a) / log(|history|). */
  normalizedEntropy: Distribution;
  /** Share with `nearUniform` (every weight within 25% of 1/|history|). */
  nearUniformShare: number;
  /** max_h |n a_h - 1|. */
  largestDeviation: Distribution;
  /** max - min of log a_h: the spread of the attention logits (0 when uniform). */
  logitSpread: Distribution;
}

/** One aggregation's training and ranking. */
export interface AggregationRun {
  aggregation: 'attention' | 'mean';
  steps: number;
  bestStep?: number;
  trainSeconds: number;
  validation: { recall50: number; map500: number };
  test: { recall50: number; map500: number };
}

/** One data set's report for one model variant. */
export interface AttentionDatasetReport {
  dataset: string;
  /** The model variant (a name of {@link ATTENTION_VARIANTS}). */
  variant: string;
  users: number;
  items: number;
  /** Validation users, and those with at least two (distinct, capped) history items. */
  validationUsers: number;
  usersWithTwoOrMore: number;
  /** Mean history length (items) of the explained users. */
  meanHistory: number;
  explained: ExplainedCandidates[];
  runs: AggregationRun[];
}

/** Trains, evaluates and explains on each data set. */
export async function runAttentionReport(options: AttentionReportOptions): Promise<AttentionDatasetReport[]> {
  const log = options.log ?? ((line: string) => console.error(line));
  const reports: AttentionDatasetReport[] = [];
  for (const variant of options.variants)
    if (!(variant in ATTENTION_VARIANTS))
      throw new Error(
        `attention: unknown variant '${variant}'; known: ${Object.keys(ATTENTION_VARIANTS).join(', ')}`,
      );
  for (const dataset of options.datasets) {
    const path = dataset === 'synthetic' ? 'synthetic' : sharedDatasetPath(dataset);
    if (!path) {
      log(`attention: ../shared/data/${dataset} is absent; skipped`);
      continue;
    }
    const data = await loadExperimentData({ data: path, minRating: 4, splitSeed: options.splitSeed });
    log(
      `attention: ${dataset}: ${data.train.rowCount} users, ${data.itemIds.length} items, ` +
        `${data.train.offsets[data.train.rowCount]} train positives`,
    );
    for (const variant of options.variants) {
      const runs: AggregationRun[] = [];
      let explained: ExplainedCandidates[] = [];
      let sample = { validationUsers: 0, usersWithTwoOrMore: 0, meanHistory: 0 };
      for (const aggregation of ['attention', 'mean'] as const) {
        const model = MarsModel.create({ ...ATTENTION_VARIANTS[variant], aggregation });
        try {
          const fit = await model.fit(
            {
              itemIds: data.itemIds,
              itemTexts: data.itemTexts,
              train: data.train,
              validation: data.validation,
            },
            { seed: options.seed, steps: options.steps, maxPasses: options.maxPasses },
          );
          log(`  ${variant} ${aggregation}: ${fit.summary}`);
          const metrics = ['recall@50', 'map@500'];
          const validation = (await model.evaluate(data.validation, data.train, { metrics })).mean;
          const test = (await model.evaluate(data.test, data.train, { metrics })).mean;
          runs.push({
            aggregation,
            steps: fit.steps,
            bestStep: fit.bestStep,
            trainSeconds: fit.trainSeconds,
            validation: { recall50: validation['recall@50'], map500: validation['map@500'] },
            test: { recall50: test['recall@50'], map500: test['map@500'] },
          });
          log(
            `  ${variant} ${aggregation}: validation recall@50 ${validation['recall@50'].toFixed(4)} MAP@500 ${validation['map@500'].toFixed(4)}; ` +
              `test ${test['recall@50'].toFixed(4)} / ${test['map@500'].toFixed(4)}`,
          );
          if (aggregation === 'attention') {
            const started = performance.now();
            const measured = await explainSample(model, data, options);
            explained = measured.explained;
            sample = measured.sample;
            log(`  ${variant}: explained in ${((performance.now() - started) / 1000).toFixed(0)} s`);
          }
        } finally {
          model.dispose();
        }
      }
      reports.push({
        dataset,
        variant,
        users: data.train.rowCount,
        items: data.itemIds.length,
        ...sample,
        explained,
        runs,
      });
    }
  }
  return reports;
}

/** Explains the top-10 and 10 random candidates of a seeded sample of validation users. */
async function explainSample(
  model: MarsModel,
  data: ExperimentData,
  options: AttentionReportOptions,
): Promise<{
  explained: ExplainedCandidates[];
  sample: Pick<AttentionDatasetReport, 'validationUsers' | 'usersWithTwoOrMore' | 'meanHistory'>;
}> {
  const maxHistory = model.config.maxHistory;
  const validationUsers = sampleEvaluationUsers(data.validation, Number.MAX_SAFE_INTEGER);
  const eligible = Array.from(validationUsers).filter(
    (user) => historyOfRow(data.train, user, maxHistory).length >= 2,
  );
  const users = new SeededRandom(options.seed + 7).shuffle(eligible).slice(0, options.users);
  const rng = new SeededRandom(options.seed + 11);
  const measured = { 'top-10': [] as number[][], random: [] as number[][] };
  let historyItems = 0;
  const collaborative = model.config.collaborativeFactors > 0;
  for (const user of users) {
    // a training user's own user term, where the model has one (it does not change the weights)
    const known = collaborative ? user : undefined;
    const history = Array.from(historyOfRow(data.train, user, maxHistory), (item) => data.itemIds[item]);
    historyItems += history.length;
    const inHistory = new Set(history);
    const top = (await model.recommend(history, { k: 10, user: known })).map((r) => r.id);
    const random: string[] = [];
    while (random.length < 10) {
      const id = data.itemIds[rng.nextInt(data.itemIds.length)];
      if (!inHistory.has(id)) random.push(id);
    }
    for (const [kind, candidates] of [
      ['top-10', top],
      ['random', random],
    ] as const) {
      for (const item of candidates) {
        const explanation = await model.explain(history, item, { user: known });
        const weights = explanation.history.map((entry) => entry.weight);
        const { normalizedEntropy, largestDeviation, nearUniform } = explanation.uniformity;
        const logs = weights.map((weight) => Math.log(weight));
        measured[kind].push([
          normalizedEntropy,
          largestDeviation,
          nearUniform ? 1 : 0,
          Math.max(...logs) - Math.min(...logs),
        ]);
      }
    }
  }
  const explained = (['top-10', 'random'] as const).map((candidates) => {
    const rows = measured[candidates];
    const column = (k: number): number[] => rows.map((row) => row[k]);
    return {
      candidates,
      count: rows.length,
      normalizedEntropy: distribution(column(0)),
      largestDeviation: distribution(column(1)),
      nearUniformShare: rows.length === 0 ? 0 : column(2).reduce((a, b) => a + b, 0) / rows.length,
      logitSpread: distribution(column(3)),
    };
  });
  return {
    explained,
    sample: {
      validationUsers: validationUsers.length,
      usersWithTwoOrMore: eligible.length,
      meanHistory: users.length === 0 ? 0 : historyItems / users.length,
    },
  };
}

/** Mean and the 10th, 50th and 90th percentiles (nearest rank). */
export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { mean: NaN, p10: NaN, median: NaN, p90: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return {
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    p10: at(0.1),
    median: at(0.5),
    p90: at(0.9),
  };
}

/** The two markdown tables of docs/quality.md's attention section. */
export function formatAttentionTables(reports: readonly AttentionDatasetReport[]): string {
  const f = (value: number, digits = 3): string => (Number.isFinite(value) ? value.toFixed(digits) : '—');
  const spread = (d: Distribution, digits = 3): string =>
    `${f(d.mean, digits)} (${f(d.p10, digits)} / ${f(d.median, digits)} / ${f(d.p90, digits)})`;
  const uniform = [
    '| data set | model | validation users (history >= 2) | mean history | candidates | explanations | H(a)/log n: mean (p10 / median / p90) | near uniform | largest deviation from 1/n: mean (p10 / median / p90) | logit spread max-min: mean (p10 / median / p90) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const report of reports)
    for (const row of report.explained)
      uniform.push(
        `| ${report.dataset} | ${report.variant} | ${report.validationUsers} (${report.usersWithTwoOrMore}) | ${f(report.meanHistory, 1)} | ${row.candidates} | ${row.count} | ${spread(row.normalizedEntropy, 4)} | ${f(100 * row.nearUniformShare, 1)}% | ${spread(row.largestDeviation)} | ${spread(row.logitSpread)} |`,
      );
  const versus = [
    '| data set | model | aggregation | validation recall@50 | validation MAP@500 | test recall@50 | test MAP@500 | steps (best) | train s |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const report of reports)
    for (const run of report.runs)
      versus.push(
        `| ${report.dataset} | ${report.variant} | ${run.aggregation} | ${f(run.validation.recall50, 4)} | ${f(run.validation.map500, 4)} | ${f(run.test.recall50, 4)} | ${f(run.test.map500, 4)} | ${run.steps} (${run.bestStep ?? '—'}) | ${f(run.trainSeconds, 0)} |`,
      );
  return `${uniform.join('\n')}\n\n${versus.join('\n')}`;
}

/** Parses the command line of `npm run attention`. */
export function parseAttentionArgs(args: string[]): AttentionReportOptions & { outFile?: string } {
  const { values } = parseArgs({
    args,
    options: {
      datasets: { type: 'string', default: ATTENTION_DATASETS.join(',') },
      variants: { type: 'string', default: Object.keys(ATTENTION_VARIANTS).join(',') },
      seed: { type: 'string', default: '1' },
      'split-seed': { type: 'string', default: '1' },
      users: { type: 'string', default: '100' },
      'max-passes': { type: 'string' },
      steps: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const count = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < 0)
      throw new Error(`attention: --${flag} expects a number >= 0, got '${text}'`);
    return value;
  };
  return {
    datasets: values.datasets.split(','),
    variants: values.variants.split(','),
    seed: count('seed', values.seed) as number,
    splitSeed: count('split-seed', values['split-seed']) as number,
    users: count('users', values.users) as number,
    maxPasses: count('max-passes', values['max-passes']),
    steps: count('steps', values.steps),
    outFile: values.out,
  };
}

async function main(): Promise<void> {
  const options = parseAttentionArgs(process.argv.slice(2));
  const backend = await selectBackend('wasm');
  const reports = await runAttentionReport(options);
  console.log(`\n${formatAttentionTables(reports)}\n\nbackend ${backend.name}, seed ${options.seed}`);
  if (options.outFile) writeFileSync(options.outFile, JSON.stringify({ options, reports }, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
