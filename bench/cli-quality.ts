// `npm run cli-quality -- --data NAME [--seeds 1,2,3] [--models mars,bpr-mf,popularity] [--min-rating R]`:
// issue #13's "Done means" table. For each seed and model, runs `mars-rec train` exactly as a new
// user would (no budget flags: the default training budget, the tuned BPR-MF), then `mars-rec
// evaluate --split test --json`, and prints one table of test recall@50 and MAP@500 (mean ± std
// over seeds, each seed its own per-user split as the CLI makes it), the seconds the train
// command took from start to exit (loading, tuning, training, validation, saving) and the
// training seconds it reports. The run directories go to a temporary folder, removed at the end.
//
//   --data NAME|DIR        dataset (a name of ../shared/data or a folder)     required
//   --seeds 1,2,3          --seed of each train command                         default 1,2,3
//   --models a,b           of mars, bpr-mf, popularity                         default all three
//   --min-rating R         passed to train (movies_tmdb_small: 4)              default none
//   --config JSON          passed to train for the mars model
//   --out FILE             also write every run as JSON
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveDataArgument } from './experiment';

/** One model trained and tested through the CLI. */
export interface CliQualityRun {
  model: string;
  seed: number;
  /** Test metrics of `mars-rec evaluate --split test`. */
  metrics: Record<string, number>;
  /** Seconds from the start of `mars-rec train` to its exit. */
  wallSeconds: number;
  /** What `mars-rec train --json` printed. */
  train: Record<string, unknown>;
}

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs the CLI (from source) and returns its JSON output. */
async function cli(args: string[], log: (line: string) => void): Promise<Record<string, unknown>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repositoryRoot, 'src/cli/main.ts'), ...args],
      {
        cwd: repositoryRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      for (const line of chunk.toString().split('\n'))
        if (/^(training|validation at|data|backend):?/.test(line)) log(`    ${line.trim()}`);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`mars-rec ${args[0]} exited with ${code}: ${stderr.slice(-1500)}`));
        return;
      }
      try {
        resolvePromise(JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>);
      } catch (error) {
        reject(new Error(`mars-rec ${args[0]} printed no JSON: ${String(error)}\n${stdout.slice(-500)}`));
      }
    });
  });
}

/** Trains and tests every model for every seed through the CLI. */
export async function runCliQuality(options: {
  data: string;
  seeds: number[];
  models: string[];
  minRating?: number;
  config?: string;
  log?: (line: string) => void;
}): Promise<CliQualityRun[]> {
  const log = options.log ?? ((line: string) => console.error(line));
  const folder = mkdtempSync(join(tmpdir(), 'mars-rec-cli-quality-'));
  const runs: CliQualityRun[] = [];
  try {
    for (const seed of options.seeds) {
      for (const model of options.models) {
        const out = join(folder, `${model}-${seed}`);
        const trainArgs = [
          'train',
          ...['--items', join(options.data, 'items.jsonl')],
          ...['--interactions', join(options.data, 'interactions.csv')],
          ...['--out', out, '--model', model, '--seed', String(seed), '--json'],
          ...(options.minRating === undefined ? [] : ['--min-rating', String(options.minRating)]),
          ...(options.config && model === 'mars' ? ['--config', options.config] : []),
        ];
        log(`  ${model} seed ${seed}: mars-rec ${trainArgs.join(' ')}`);
        const started = performance.now();
        const train = await cli(trainArgs, log);
        const wallSeconds = (performance.now() - started) / 1000;
        const evaluation = await cli(['evaluate', '--model', out, '--split', 'test', '--json'], log);
        const metrics = (evaluation.metrics ?? evaluation.mean ?? evaluation) as Record<string, number>;
        const run: CliQualityRun = { model, seed, metrics, wallSeconds, train };
        runs.push(run);
        log(
          `  ${model} seed ${seed}: test recall@50 ${metrics['recall@50'].toFixed(4)}, MAP@500 ${metrics['map@500'].toFixed(4)}; ` +
            `train command ${wallSeconds.toFixed(0)} s${train.summary ? ` (${String(train.summary)})` : ''}`,
        );
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return runs;
}

function meanAndSpread(values: number[], digits: number): string {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  if (values.length < 2) return mean.toFixed(digits);
  const std = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1));
  return `${mean.toFixed(digits)} ± ${std.toFixed(digits)}`;
}

/** The table: per model, test recall@50 and MAP@500 (mean ± std over seeds), per-seed values, seconds. */
export function formatCliQualityTable(runs: readonly CliQualityRun[]): string {
  const lines = [
    '| model | recall@50 | MAP@500 | per seed (recall@50 / MAP@500) | train command s | training s |',
    '|---|---|---|---|---|---|',
  ];
  for (const model of [...new Set(runs.map((run) => run.model))]) {
    const group = runs.filter((run) => run.model === model);
    const perSeed = group
      .map(
        (run) => `${run.seed}: ${run.metrics['recall@50'].toFixed(4)} / ${run.metrics['map@500'].toFixed(4)}`,
      )
      .join('; ');
    lines.push(
      `| ${model} | ${meanAndSpread(
        group.map((run) => run.metrics['recall@50']),
        4,
      )} | ${meanAndSpread(
        group.map((run) => run.metrics['map@500']),
        4,
      )} | ${perSeed} | ${meanAndSpread(
        group.map((run) => run.wallSeconds),
        0,
      )} | ${meanAndSpread(
        group.map((run) => Number(run.train.trainSeconds ?? 0)),
        0,
      )} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      data: { type: 'string' },
      seeds: { type: 'string', default: '1,2,3' },
      models: { type: 'string', default: 'mars,bpr-mf,popularity' },
      'min-rating': { type: 'string' },
      config: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!values.data) throw new Error('cli-quality: --data NAME|DIR is required');
  const data = resolveDataArgument(values.data);
  const runs = await runCliQualityRun(data, values);
  console.log(`\n${data}\n\n${formatCliQualityTable(runs)}`);
  if (values.out) writeFileSync(values.out, JSON.stringify(runs, null, 2));
}

function runCliQualityRun(
  data: string,
  values: { seeds: string; models: string; 'min-rating'?: string; config?: string },
): Promise<CliQualityRun[]> {
  return runCliQuality({
    data,
    seeds: values.seeds.split(',').map(Number),
    models: values.models.split(','),
    minRating: values['min-rating'] === undefined ? undefined : Number(values['min-rating']),
    config: values.config,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
