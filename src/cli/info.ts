import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LearningCurve } from '../reporting/learning-curve';
import { LEARNING_CURVE_FILES } from './learning-curve-files';
import { readRunJson } from './served-run';

/** What `mars-rec info` reports about a run directory. */
export interface RunInfo {
  /** The run directory. */
  run: string;
  /** The model trained. */
  model: string;
  /** The backend it trained on (`none` for the baselines). */
  backend: string;
  /** The options `mars-rec train` was given. */
  options: Record<string, unknown>;
  /** The model's resolved configuration (MARS), from the artifact. */
  config?: Record<string, unknown>;
  /** What it trained on: users, items, positives, rows dropped. */
  data?: Record<string, number>;
  /** How training ended. */
  ended?: LearningCurve['ended'];
  /** Each validation: step and metrics. */
  validations: { step: number; metrics: Record<string, number> }[];
  /** The validation of the kept weights (best step), or the last one. */
  keptMetrics?: Record<string, number>;
  /** The learning-curve files, when the run has them. */
  learningCurve?: { json: string; svg: string };
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** `mars-rec info`: configuration, data summary, how training ended and the metrics of a run. */
export async function infoCommand(options: { model: string }): Promise<RunInfo> {
  const run = await readRunJson(options.model);
  const curve = (await readJson(join(options.model, LEARNING_CURVE_FILES.json))) as LearningCurve | undefined;
  const artifact = (await readJson(join(options.model, 'model', 'model.json'))) as
    { modelTopology?: { metadata?: { config?: Record<string, unknown> } } } | undefined;
  const validations = (curve?.validations ?? []).map(({ step, metrics }) => ({ step, metrics }));
  const kept =
    validations.find((validation) => validation.step === curve?.ended?.bestStep) ?? validations.at(-1);
  return {
    run: options.model,
    model: run.model,
    backend: run.backend,
    options: run.options,
    ...(artifact?.modelTopology?.metadata?.config ? { config: artifact.modelTopology.metadata.config } : {}),
    ...(curve?.data ? { data: curve.data } : {}),
    ...(curve?.ended ? { ended: curve.ended } : {}),
    validations,
    ...(kept ? { keptMetrics: kept.metrics } : {}),
    ...(curve
      ? {
          learningCurve: {
            json: join(options.model, LEARNING_CURVE_FILES.json),
            svg: join(options.model, LEARNING_CURVE_FILES.svg),
          },
        }
      : {}),
  };
}

function formatNumber(value: unknown): string {
  return typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(4) : JSON.stringify(value);
}

const endWords: Record<string, string> = {
  steps: 'completed the steps asked',
  epochs: 'completed the epochs asked',
  'early-stopping': 'stopped early (validation stopped improving)',
  'pass-cap': 'reached the cap on passes over the data',
  aborted: 'aborted',
  completed: 'completed',
};

/** `BelowMinRating` -> `below min rating`. */
function words(camelCase: string): string {
  return camelCase.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** The text form of {@link RunInfo}, one fact per line. */
export function formatRunInfo(info: RunInfo): string {
  const lines = [`run: ${info.run}`, `model: ${info.model} (trained on backend ${info.backend})`];
  if (info.data) {
    const { users, items, positives, ...dropped } = info.data;
    lines.push(
      `data: ${users} users, ${items} items, ${positives} positives` +
        ` (dropped: ${Object.entries(dropped)
          .map(([name, count]) => `${words(name.replace(/^dropped/, ''))} ${count}`)
          .join(', ')})`,
    );
  }
  const { trainFraction, seed, minUserInteractions, minRating } = info.options;
  lines.push(
    `split: train fraction ${String(trainFraction)}, seed ${String(seed)}, min user interactions ${String(minUserInteractions)}` +
      (minRating === undefined ? '' : `, min rating ${String(minRating)}`),
  );
  if (info.ended) {
    const ended = info.ended;
    lines.push(
      `training: ${endWords[ended.reason]}, ${ended.steps} of ${ended.plannedSteps} steps` +
        (ended.bestStep === undefined ? '' : `, kept step ${ended.bestStep}`) +
        `, ${ended.trainSeconds.toFixed(1)} s in steps (${ended.wallSeconds.toFixed(1)} s with validation)` +
        (ended.tripletsPerSecond > 0 ? `, ${ended.tripletsPerSecond.toFixed(0)} triplets/s` : ''),
    );
  } else lines.push('training: no learning curve in this run (trained by an older mars-rec, or interrupted)');
  for (const validation of info.validations)
    lines.push(
      `validation at step ${validation.step}: ${Object.entries(validation.metrics)
        .map(([name, value]) => `${name} ${formatNumber(value)}`)
        .join(', ')}`,
    );
  if (info.keptMetrics)
    lines.push(
      `metrics of the kept weights: ${Object.entries(info.keptMetrics)
        .map(([name, value]) => `${name} ${formatNumber(value)}`)
        .join(', ')}`,
    );
  if (info.config)
    lines.push(
      `config: ${Object.entries(info.config)
        .map(([name, value]) => `${name} ${formatNumber(value)}`)
        .join(', ')}`,
    );
  if (info.learningCurve) lines.push(`learning curve: ${info.learningCurve.json}, ${info.learningCurve.svg}`);
  return lines.join('\n');
}
