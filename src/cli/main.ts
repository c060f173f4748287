#!/usr/bin/env node
// The mars-rec command line: train, evaluate, recommend. Errors are one line on stderr and a
// non-zero exit code; --json prints one JSON object (or array) on stdout.
import { parseArgs } from 'node:util';
import type { BackendPreference } from '../backend/select-backend';
import { CliError, evaluateCommand, recommendCommand, trainCommand } from './commands';
import type { ModelKind } from './commands';
import { MARS_CONFIG_BOUNDS, resolveMarsConfig } from '../model/config';
import { integerFlag as integer, MOST_STEPS, numberFlag as number } from './number-flags';
import type { MarsConfig } from '../model/config';

const usage = `usage:
  mars-rec train --items F --interactions F --out DIR    (F: .jsonl/.csv or .parquet) [--model mars|bpr-mf|popularity]
                 [--min-rating R] [--min-user-interactions N] [--train-fraction 0.3] [--seed S]
                 [--epochs N | --steps N] [--batch-size B] [--learning-rate LR] [--max-history H]
                 [--max-doc-length L] [--config JSON] [--backend auto|cpu|wasm|webgpu|tensorflow]
                 [--token-cache FILE|off] [--overwrite] [--json]
                 (--config: MarsConfig fields, e.g. '{"itemBias":true,"wordBoundaries":"report"}';
                  --steps, --batch-size, --learning-rate, --max-history, --max-doc-length and --config
                  are for --model mars; bpr-mf trains --epochs N; --overwrite replaces an --out
                  directory that is not a mars-rec run)
  mars-rec evaluate --model DIR [--split test|validation] [--sample-users N [--seed S]] [--backend ...] [--json]
                 (--sample-users: a seeded sample of N users, with standard errors; default all users)
  mars-rec recommend --model DIR (--history ID,ID,... | --user ID) [-k 10] [--explain] [--backend ...] [--json]
                 (--user: a user of the run's split; their training history unless --history is given;
                  an id repeated in --history counts once, at its most recent position)`;

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new CliError(`--${flag} is required\n${usage}`, 2);
  return value;
}

function configOf(value: string | undefined): Partial<MarsConfig> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new CliError(`--config must be a JSON object of MarsConfig fields: ${(error as Error).message}`, 2);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new CliError(`--config must be a JSON object of MarsConfig fields, got ${value}`, 2);
  try {
    resolveMarsConfig(parsed as Partial<MarsConfig>); // names the bad field and value
  } catch (error) {
    throw new CliError(`--config: ${(error as Error).message}`, 2);
  }
  return parsed as Partial<MarsConfig>;
}

function backendOf(value: string | undefined): BackendPreference {
  const backend = value ?? 'auto';
  if (!['auto', 'cpu', 'wasm', 'webgpu', 'tensorflow'].includes(backend)) {
    throw new CliError(`--backend must be auto, cpu, wasm, webgpu or tensorflow, got '${backend}'`, 2);
  }
  return backend as BackendPreference;
}

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log(usage);
    return;
  }
  const { values } = (() => {
    try {
      return parseArgs({
        args: rest,
        strict: true,
        options: {
          items: { type: 'string' },
          interactions: { type: 'string' },
          out: { type: 'string' },
          model: { type: 'string' },
          'min-rating': { type: 'string' },
          'min-user-interactions': { type: 'string' },
          'train-fraction': { type: 'string' },
          seed: { type: 'string' },
          epochs: { type: 'string' },
          steps: { type: 'string' },
          'batch-size': { type: 'string' },
          'learning-rate': { type: 'string' },
          'max-history': { type: 'string' },
          'max-doc-length': { type: 'string' },
          config: { type: 'string' },
          backend: { type: 'string' },
          split: { type: 'string' },
          'sample-users': { type: 'string' },
          'token-cache': { type: 'string' },
          history: { type: 'string' },
          user: { type: 'string' },
          k: { type: 'string', short: 'k' },
          explain: { type: 'boolean' },
          json: { type: 'boolean' },
          overwrite: { type: 'boolean' },
        },
      });
    } catch (error) {
      throw new CliError(`${(error as Error).message}\n${usage}`, 2);
    }
  })();
  const json = values.json ?? false;
  const print = (result: unknown): void => {
    if (json) console.log(JSON.stringify(result));
    else if (Array.isArray(result))
      for (const row of result) console.log(formatRow(row as Record<string, unknown>));
    else
      for (const [key, value] of Object.entries(result as Record<string, unknown>))
        console.log(`${key}: ${format(value)}`);
  };
  if (command === 'train') {
    const model = (values.model ?? 'mars') as ModelKind;
    if (!['mars', 'bpr-mf', 'popularity'].includes(model)) {
      throw new CliError(`--model must be mars, bpr-mf or popularity, got '${model}'`, 2);
    }
    if (values.epochs !== undefined && values.steps !== undefined)
      throw new CliError('give --epochs or --steps, not both', 2);
    if (model !== 'mars') {
      // flags a baseline does not read are refused, not silently ignored
      const marsOnly = [
        'steps',
        'batch-size',
        'learning-rate',
        'max-history',
        'max-doc-length',
        'config',
      ] as const;
      const given = marsOnly.find((flag) => values[flag] !== undefined);
      if (given)
        throw new CliError(
          `--${given} applies to --model mars only` +
            (given === 'steps' && model === 'bpr-mf'
              ? '; bpr-mf trains in passes over the positives: use --epochs N'
              : ''),
          2,
        );
      if (model === 'popularity' && values.epochs !== undefined)
        throw new CliError(
          '--epochs applies to --model mars and bpr-mf; popularity counts, it does not train',
          2,
        );
    }
    print(
      await trainCommand({
        items: required(values.items, 'items'),
        interactions: required(values.interactions, 'interactions'),
        out: required(values.out, 'out'),
        model,
        minRating: number(values['min-rating'], 'min-rating', Number.isFinite, 'a number'),
        // an option not given stays undefined: the library's default applies
        minUserInteractions: integer(values['min-user-interactions'], 'min-user-interactions', 1, MOST_STEPS),
        trainFraction: number(values['train-fraction'], 'train-fraction', (n) => n > 0 && n < 1, 'in (0, 1)'),
        seed: integer(values.seed, 'seed', -(2 ** 31), 2 ** 31 - 1),
        steps: integer(values.steps, 'steps', 1, MOST_STEPS),
        epochs: number(values.epochs, 'epochs', (n) => n > 0 && n <= MOST_STEPS, 'a positive number'),
        batchSize: integer(values['batch-size'], 'batch-size', 1, 1_000_000),
        learningRate: number(values['learning-rate'], 'learning-rate', (n) => n > 0, 'a positive number'),
        maxHistory: integer(values['max-history'], 'max-history', 1, MARS_CONFIG_BOUNDS.maxHistory),
        maxDocLength: integer(
          values['max-doc-length'],
          'max-doc-length',
          1,
          MARS_CONFIG_BOUNDS.maxDocumentLength,
        ),
        config: configOf(values.config),
        backend: backendOf(values.backend),
        json,
        overwrite: values.overwrite ?? false,
        tokenCache: values['token-cache'] === 'off' ? false : values['token-cache'],
      }),
    );
  } else if (command === 'evaluate') {
    const split = values.split ?? 'test';
    if (split !== 'test' && split !== 'validation')
      throw new CliError(`--split must be test or validation, got '${split}'`, 2);
    print(
      await evaluateCommand({
        model: required(values.model, 'model'),
        split,
        backend: backendOf(values.backend),
        sampleUsers: integer(values['sample-users'], 'sample-users', 1, MOST_STEPS),
        seed: integer(values.seed, 'seed', -(2 ** 31), 2 ** 31 - 1),
        log: (line) => {
          if (!json || process.stderr.isTTY) process.stderr.write(`${line}\n`);
        },
      }),
    );
  } else if (command === 'recommend') {
    const history = values.history
      ?.split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    print(
      await recommendCommand({
        model: required(values.model, 'model'),
        history,
        user: values.user,
        k: integer(values.k, 'k', 1, 1_000_000) ?? 10,
        explain: values.explain ?? false,
        backend: backendOf(values.backend),
      }),
    );
  } else {
    throw new CliError(`unknown command '${command}'\n${usage}`, 2);
  }
}

function format(value: unknown): string {
  if (typeof value === 'object' && value !== null)
    return Object.entries(value)
      .map(([key, entry]) => `${key} ${format(entry)}`)
      .join(', ');
  return typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(4) : String(value);
}

function formatRow(row: Record<string, unknown>): string {
  const attention = row.attention as { id: string; weight: number }[] | undefined;
  const base = `${String(row.id)}\t${format(row.score)}`;
  return attention ? `${base}\t${attention.map((a) => `${a.id}:${a.weight.toFixed(2)}`).join(' ')}` : base;
}

run(process.argv.slice(2)).then(
  () => {
    // the wasm backend keeps handles open; leave once output is flushed
    process.exitCode ??= 0;
  },
  (error: unknown) => {
    const exitCode = error instanceof CliError ? error.exitCode : 1;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`mars-rec: ${message}\n`);
    process.exitCode = exitCode;
  },
);
