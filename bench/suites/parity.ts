// `npm run bench -- parity [--data=NAME] [--seeds=1,2,3] [--steps=1500] ...`: mars-rec against the
// independent PyTorch MARS of ../shared/reference on the same split, sizes and step budget (issue
// #13). Splits a dataset as `npm run experiment` does, writes the split as the reference's CSV
// (`user,item,part,pos`) beside the catalogue's items.jsonl in a temporary folder, runs the
// reference when /usr/bin/python3 can import torch (says so and skips it otherwise), trains
// mars-rec's models on the same split, and prints one table of test metrics. Flags take the
// `--name=value` form (bench/run.ts reads bare words as suite names):
//
//   --data=NAME|DIR|synthetic  dataset (a name of ../shared/data, a folder, or the generated
//                          corpus)                                       default amazon_office
//   --seeds=1,2,3          model seeds of both tools (the split keeps --split-seed)  default 1,2,3
//   --steps=N              training steps of both tools (batch 128)        default 1500
//   --validate-every=N     validation interval of both tools, in steps    default 100
//   --models=a,b           mars-rec models of the experiment             default popularity-index,mars-text
//   --reference-models=a,b reference models: pop, mars, bpr (none: skip)  default pop,mars
//   --config=JSON          MarsConfig overrides for every mars-rec MARS model
//   --learning-rate=X      Adam learning rate of both tools              default each tool's rule
//   --threads=N            the reference's torch threads                  default 1
//   --min-rating=R|none    positives: rating >= R                          default none
//   --split-seed=S         seed of the per-user 0.3 split                   default 1
//   --out=FILE             also write every run as JSON
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { MarsConfig } from '../../src/model';
import {
  EXPERIMENT_METRICS,
  EXPERIMENT_MODELS,
  loadExperimentData,
  resolveDataArgument,
  rowOf,
  trainAndEvaluate,
} from '../experiment';
import type { ExperimentData, ExperimentOptions } from '../experiment';
import type { BenchRow } from '../types';

/** Models of the PyTorch reference (`mars_ref.py --model`). */
export const REFERENCE_MODELS = ['pop', 'mars', 'bpr'] as const;

/** Options of {@link runParity}. */
export interface ParityOptions {
  /** Dataset folder or 'synthetic'. */
  data: string;
  seeds: number[];
  /** Training steps of both tools. */
  steps: number;
  /** Validation interval of both tools, in steps (the reference only reports its curve). */
  validateEvery: number;
  /** mars-rec models (names of the experiment's `EXPERIMENT_MODELS`). */
  models: string[];
  /** Reference models; empty skips the reference. */
  referenceModels: string[];
  config?: Partial<MarsConfig>;
  learningRate?: number;
  /** Torch threads of the reference. */
  threads: number;
  minRating?: number;
  splitSeed: number;
  /** Validation users of mars-rec's early stopping. Default all. */
  validationUsers?: number;
  log?: (line: string) => void;
}

/** One trained model's test metrics, from either tool. */
export interface ParityRun {
  tool: 'mars-rec' | 'reference';
  model: string;
  seed: number;
  metrics: Record<string, number>;
  trainSeconds: number;
  /** Best validation step (mars-rec) or the final validation figure (reference). */
  note?: string;
}

/** What {@link runParity} returns. */
export interface ParityResult {
  dataName: string;
  runs: ParityRun[];
  /** Why the reference did not run, when it did not. */
  referenceSkipped?: string;
}

/** The reference's interpreter and script, or why they cannot run. */
export function findReference(): { python: string; script: string } | { missing: string } {
  const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const script = resolve(repositoryRoot, '../shared/reference/mars_ref.py');
  if (!existsSync(script)) return { missing: `${script} is absent` };
  const python = process.env.MARS_REC_PYTHON ?? '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    return {
      missing: `${python} cannot import torch and numpy (apt-get install python3-torch python3-numpy)`,
    };
  return { python, script };
}

/**
 * Writes the data as the reference reads it: `items.jsonl` (the split's catalogue, in mars-rec's
 * item order, so both tools rank the same items and break popularity ties alike) and the split
 * as `split.csv` with rows `user,item,part,pos` (part train|val|test, pos the item's position in
 * the user's list).
 */
export function writeReferenceInput(data: ExperimentData, folder: string): { splitPath: string } {
  const items = data.itemIds.map((id, index) => JSON.stringify({ id, text: data.itemTexts[index] }));
  writeFileSync(join(folder, 'items.jsonl'), `${items.join('\n')}\n`);
  const lines = ['user,item,part,pos'];
  const parts = [
    ['train', data.train],
    ['val', data.validation],
    ['test', data.test],
  ] as const;
  for (let user = 0; user < data.train.rowCount; user++) {
    for (const [part, matrix] of parts) {
      rowOf(matrix, user).forEach((item, position) =>
        lines.push(`u${user},${csvField(data.itemIds[item])},${part},${position}`),
      );
    }
  }
  const splitPath = join(folder, 'split.csv');
  writeFileSync(splitPath, `${lines.join('\n')}\n`);
  return { splitPath };
}

function csvField(value: string): string {
  if (/[",\n\r]/.test(value))
    throw new Error(
      `parity: item id '${value}' needs CSV quoting, which the reference's reader does not expect`,
    );
  return value;
}

interface ReferenceResultJson {
  metrics: Record<string, number>;
  train: { train_seconds: number; val_curve?: { step: number; 'val_recall@50': number }[] };
}

async function runReference(
  reference: { python: string; script: string },
  args: string[],
  log: (line: string) => void,
): Promise<void> {
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn(reference.python, [reference.script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const forward = (chunk: Buffer): void => {
      const text = chunk.toString();
      tail = (tail + text).slice(-2000);
      for (const line of text.split('\n'))
        if (/^\s*val@|^step /.test(line)) log(`    reference ${line.trim()}`);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`parity: the reference exited with ${code}:\n${tail}`)),
    );
  });
}

/** Runs both tools on one split and returns every run's test metrics. */
export async function runParity(options: ParityOptions): Promise<ParityResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const unknown = options.models.filter((model) => !(model in EXPERIMENT_MODELS));
  const unknownReference = options.referenceModels.filter(
    (model) => !(REFERENCE_MODELS as readonly string[]).includes(model),
  );
  if (unknown.length > 0 || unknownReference.length > 0)
    throw new Error(
      `parity: unknown model(s) ${[...unknown, ...unknownReference.map((m) => `reference ${m}`)].join(', ')}; ` +
        `mars-rec: ${Object.keys(EXPERIMENT_MODELS).join(', ')}; reference: ${REFERENCE_MODELS.join(', ')}`,
    );
  const data = await loadExperimentData(options);
  log(
    `parity data: ${data.name}, ${data.train.rowCount} users, ${data.itemIds.length} items, ` +
      `${data.train.offsets[data.train.rowCount]} train / ${data.validation.offsets[data.validation.rowCount]} validation / ` +
      `${data.test.offsets[data.test.rowCount]} test positives`,
  );
  const runs: ParityRun[] = [];
  let referenceSkipped: string | undefined;
  if (options.referenceModels.length === 0) referenceSkipped = 'no reference models asked for';
  else {
    const reference = findReference();
    if ('missing' in reference) {
      referenceSkipped = reference.missing;
      log(`parity: reference skipped: ${referenceSkipped}`);
    } else {
      const folder = mkdtempSync(join(tmpdir(), 'mars-rec-parity-'));
      try {
        const { splitPath } = writeReferenceInput(data, folder);
        for (const seed of options.seeds) {
          for (const model of options.referenceModels) {
            const out = join(folder, `${model}-${seed}.json`);
            const args = [
              ...['--data', folder, '--model', model, '--load-split', splitPath, '--out', out],
              ...['--steps', String(options.steps), '--batch', '128', '--seed', String(seed)],
              ...['--threads', String(options.threads), '--log-every', String(options.steps)],
              ...(options.learningRate === undefined ? [] : ['--lr', String(options.learningRate)]),
              ...(model === 'mars' ? ['--val-every', String(options.validateEvery)] : []),
            ];
            await runReference(reference, args, log);
            const result = JSON.parse(readFileSync(out, 'utf8')) as ReferenceResultJson;
            const curve = result.train.val_curve ?? [];
            const last = curve[curve.length - 1];
            const run: ParityRun = {
              tool: 'reference',
              model,
              seed,
              metrics: Object.fromEntries(
                EXPERIMENT_METRICS.map((metric) => [metric, result.metrics[metric]]),
              ),
              trainSeconds: result.train.train_seconds,
              note: last ? `final step ${last.step}` : undefined,
            };
            runs.push(run);
            log(`  ${describeParityRun(run)}`);
          }
        }
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    }
  }
  const experiment: ExperimentOptions = {
    data: options.data,
    models: options.models,
    seeds: options.seeds,
    steps: options.steps,
    validateEvery: options.validateEvery,
    learningRate: options.learningRate,
    config: options.config,
    bprEpochs: 300,
    bprL2: [0.01, 0.03, 0.06],
    minRating: options.minRating,
    splitSeed: options.splitSeed,
    validationUsers: options.validationUsers,
  };
  for (const seed of options.seeds) {
    for (const model of options.models) {
      const run = await trainAndEvaluate(model, seed, data, undefined, experiment, log);
      const parityRun: ParityRun = {
        tool: 'mars-rec',
        model,
        seed,
        metrics: run.metrics,
        trainSeconds: run.trainSeconds,
        note: run.chosen,
      };
      runs.push(parityRun);
      log(`  ${describeParityRun(parityRun)}`);
    }
  }
  return { dataName: data.name, runs, referenceSkipped };
}

function describeParityRun(run: ParityRun): string {
  const values = EXPERIMENT_METRICS.map((metric) => `${metric} ${run.metrics[metric].toFixed(4)}`).join(', ');
  return `${run.tool} ${run.model} seed ${run.seed}: ${values}; ${run.trainSeconds.toFixed(1)} s${run.note ? ` (${run.note})` : ''}`;
}

/** Mean and sample standard deviation, `mean ± std` (the mean alone for one value). */
function meanAndSpread(values: number[], digits: number): string {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  if (values.length < 2) return mean.toFixed(digits);
  const std = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1));
  return `${mean.toFixed(digits)} ± ${std.toFixed(digits)}`;
}

/** One markdown table: per tool and model, test metrics as mean ± std over seeds, training seconds. */
export function formatParityTable(result: ParityResult): string {
  const lines = [
    `| tool | model | ${EXPERIMENT_METRICS.join(' | ')} | train s | seeds | notes |`,
    `|---|---|${EXPERIMENT_METRICS.map(() => '---').join('|')}|---|---|---|`,
  ];
  const groups = new Map<string, ParityRun[]>();
  for (const run of result.runs) {
    const key = `${run.tool}\u0000${run.model}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  for (const group of groups.values()) {
    const metrics = EXPERIMENT_METRICS.map((metric) =>
      meanAndSpread(
        group.map((run) => run.metrics[metric]),
        4,
      ),
    );
    const notes = group
      .map((run) => run.note)
      .filter((note) => note !== undefined)
      .join('; ');
    lines.push(
      `| ${group[0].tool} | ${group[0].model} | ${metrics.join(' | ')} | ${meanAndSpread(
        group.map((run) => run.trainSeconds),
        1,
      )} | ${group.map((run) => run.seed).join(',')} | ${notes} |`,
    );
  }
  if (result.referenceSkipped) lines.push('', `reference skipped: ${result.referenceSkipped}`);
  return lines.join('\n');
}

/** Parses the parity flags (`--name=value`; bare words are ignored: they are bench suite names). */
export function parseParityArgs(args: string[]): ParityOptions {
  const { values } = parseArgs({
    args: args.filter((argument) => argument.startsWith('-')),
    strict: true,
    options: {
      data: { type: 'string' },
      seeds: { type: 'string', default: '1,2,3' },
      steps: { type: 'string', default: '1500' },
      'validate-every': { type: 'string', default: '100' },
      models: { type: 'string', default: 'popularity-index,mars-text' },
      'reference-models': { type: 'string', default: 'pop,mars' },
      config: { type: 'string' },
      'learning-rate': { type: 'string' },
      threads: { type: 'string', default: '1' },
      'min-rating': { type: 'string', default: 'none' },
      'split-seed': { type: 'string', default: '1' },
      out: { type: 'string' },
    },
  });
  const numbers = (flag: string, text: string): number[] =>
    text.split(',').map((part) => {
      const value = Number(part);
      if (part.trim() === '' || !Number.isFinite(value))
        throw new Error(`parity: --${flag} expects numbers, got '${text}'`);
      return value;
    });
  const list = (text: string): string[] => (text === 'none' || text === '' ? [] : text.split(','));
  return {
    data: resolveDataArgument(values.data, 'amazon_office'),
    seeds: numbers('seeds', values.seeds),
    steps: numbers('steps', values.steps)[0],
    validateEvery: numbers('validate-every', values['validate-every'])[0],
    models: list(values.models),
    referenceModels: list(values['reference-models']),
    config: values.config ? (JSON.parse(values.config) as Partial<MarsConfig>) : undefined,
    learningRate: values['learning-rate'] ? numbers('learning-rate', values['learning-rate'])[0] : undefined,
    threads: numbers('threads', values.threads)[0],
    minRating: values['min-rating'] === 'none' ? undefined : numbers('min-rating', values['min-rating'])[0],
    splitSeed: numbers('split-seed', values['split-seed'])[0],
  };
}

/** The bench suite: runs the parity table and returns one row per tool and model (test recall@50). */
export default async function parityBench(): Promise<BenchRow[]> {
  const argv = process.argv.slice(2);
  const options = parseParityArgs(argv);
  const outFlag = argv.find((argument) => argument.startsWith('--out='));
  const backend = (await tf.setBackend('wasm').catch(() => false)) ? 'wasm' : 'cpu';
  if (backend === 'cpu') await tf.setBackend('cpu');
  await tf.ready();
  const result = await runParity(options);
  console.log(`\nparity on ${result.dataName}, ${options.steps} steps of 128, backend ${backend}\n`);
  console.log(formatParityTable(result));
  if (outFlag) writeFileSync(outFlag.slice('--out='.length), JSON.stringify({ options, result }, null, 2));
  const rows: BenchRow[] = [];
  const seen = new Set<string>();
  for (const run of result.runs) {
    const key = `${run.tool} ${run.model}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const group = result.runs.filter((other) => other.tool === run.tool && other.model === run.model);
    for (const metric of ['recall@50', 'map@500']) {
      rows.push({
        suite: 'parity',
        name: `${key} test ${metric}`,
        value: group.reduce((sum, other) => sum + other.metrics[metric], 0) / group.length,
        unit: metric,
        notes: `mean of seeds ${group.map((other) => other.seed).join(',')}, ${options.steps} steps`,
      });
    }
  }
  return rows;
}
