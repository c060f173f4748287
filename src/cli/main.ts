#!/usr/bin/env node
// The mars-rec command line: train, evaluate, recommend (flags, help and usage: flags.ts). Errors
// are one line on stderr and a non-zero exit code; --json prints one JSON result on stdout.
import { createRequire } from 'node:module';
import type { BackendPreference } from '../backend/select-backend';
import { CliError, evaluateCommand, indexCommand, recommendCommand, trainCommand } from './commands';
import { recommendAllCommand } from './recommend-all';
import type { ModelKind } from './commands';
import { commandHelp, isCommandName, mainHelp, missingRequiredFlag, parseFlags, usageLines } from './flags';
import type { CommandName, FlagValues } from './flags';
import { formatEvaluation, formatRecommendations, formatSummary } from './output';
import { MARS_CONFIG_BOUNDS, resolveMarsConfig } from '../model/config';
import { integerFlag as integer, MOST_STEPS, numberFlag as number } from './number-flags';
import { formatRunInfo, infoCommand } from './info';
import { serveCommand } from './serve';
import type { MarsConfig } from '../model/config';
import type { ServingSearch } from '../serving/catalogue-index';

// the package's own package.json, by self-reference through its "exports" (src/ and dist/ alike)
const { version } = createRequire(import.meta.url)('mars-rec/package.json') as { version: string };

function searchOf(mode: string | undefined, candidates: string | undefined): ServingSearch | undefined {
  const budget = integer(candidates, 'candidates', 1, 100_000_000);
  if (mode === undefined)
    return budget === undefined ? undefined : { mode: 'approximate', candidates: budget };
  if (mode === 'approximate') return { mode, candidates: budget };
  if (budget !== undefined) throw new CliError('--candidates goes with --search approximate', 2);
  if (mode === 'exact' || mode === 'brute-force') return { mode };
  throw new CliError(`--search must be exact, approximate or brute-force, got '${mode}'`, 2);
}

/** A string flag's value (the command's own default filled in), or undefined when absent. */
function text(values: FlagValues, flag: string): string | undefined {
  const value = values[flag];
  return typeof value === 'string' ? value : undefined;
}

/** A required flag's value (parseCommandLine has checked it is there). */
function required(values: FlagValues, flag: string): string {
  return text(values, flag) as string;
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

/** Parses a command's flags; a usage error names the problem and shows the command's usage line. */
function parseCommandLine(command: CommandName, args: string[]): FlagValues {
  let values: FlagValues;
  try {
    values = parseFlags(command, args);
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n${usageLines(command)}`, 2);
  }
  const missing = missingRequiredFlag(command, values);
  if (missing) throw new CliError(`--${missing} is required\n${usageLines(command)}`, 2);
  return values;
}

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(
      command === 'help' && rest[0] && isCommandName(rest[0]) ? commandHelp(rest[0]) : mainHelp(version),
    );
    return;
  }
  if (command === '--version' || command === '-v') {
    console.log(version);
    return;
  }
  if (!isCommandName(command)) throw new CliError(`unknown command '${command}'\n${usageLines()}`, 2);
  // --help wins over everything else on the line, even flags that would not parse
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(commandHelp(command));
    return;
  }
  const values = parseCommandLine(command, rest);
  const json = values.json === true;
  if (values.quiet === true && values.verbose === true)
    throw new CliError('give --quiet or --verbose, not both', 2);
  const print = (result: unknown, format: () => string): void => {
    console.log(json ? JSON.stringify(result) : format());
  };
  if (command === 'train') {
    const model = required(values, 'model') as ModelKind;
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
    const tokenCache = text(values, 'token-cache');
    const result = await trainCommand({
      items: required(values, 'items'),
      interactions: required(values, 'interactions'),
      out: required(values, 'out'),
      model,
      minRating: number(text(values, 'min-rating'), 'min-rating', Number.isFinite, 'a number'),
      // an option not given stays undefined: the library's default applies (and --config fields survive)
      minUserInteractions: integer(
        text(values, 'min-user-interactions'),
        'min-user-interactions',
        1,
        MOST_STEPS,
      ),
      trainFraction: number(
        text(values, 'train-fraction'),
        'train-fraction',
        (n) => n > 0 && n < 1,
        'in (0, 1)',
      ),
      seed: integer(text(values, 'seed'), 'seed', -(2 ** 31), 2 ** 31 - 1),
      steps: integer(text(values, 'steps'), 'steps', 1, MOST_STEPS),
      epochs: number(text(values, 'epochs'), 'epochs', (n) => n > 0 && n <= MOST_STEPS, 'a positive number'),
      batchSize: integer(text(values, 'batch-size'), 'batch-size', 1, 1_000_000),
      learningRate: number(text(values, 'learning-rate'), 'learning-rate', (n) => n > 0, 'a positive number'),
      maxHistory: integer(text(values, 'max-history'), 'max-history', 1, MARS_CONFIG_BOUNDS.maxHistory),
      maxDocLength: integer(
        text(values, 'max-doc-length'),
        'max-doc-length',
        1,
        MARS_CONFIG_BOUNDS.maxDocumentLength,
      ),
      config: configOf(text(values, 'config')),
      backend: backendOf(text(values, 'backend')),
      json,
      overwrite: values.overwrite === true,
      tokenCache: tokenCache === 'off' ? false : tokenCache,
      quiet: values.quiet === true,
      verbose: values.verbose === true,
    });
    print(result, () => formatSummary(result));
  } else if (command === 'evaluate') {
    const split = required(values, 'split');
    if (split !== 'test' && split !== 'validation')
      throw new CliError(`--split must be test or validation, got '${split}'`, 2);
    const { summary, evaluation } = await evaluateCommand({
      model: required(values, 'model'),
      split,
      backend: backendOf(text(values, 'backend')),
      sampleUsers: integer(text(values, 'sample-users'), 'sample-users', 1, MOST_STEPS),
      seed: integer(text(values, 'seed'), 'seed', -(2 ** 31), 2 ** 31 - 1),
    });
    print(summary, () =>
      formatEvaluation(
        {
          model: summary.model,
          split,
          evaluateSeconds: summary.evaluateSeconds,
          usersSkipped: summary.usersSkipped,
        },
        evaluation,
      ),
    );
  } else if (command === 'recommend') {
    const history = text(values, 'history')
      ?.split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    const k = integer(required(values, 'k'), 'k', 1, 1_000_000) as number;
    const backend = backendOf(text(values, 'backend'));
    if (values['all-users'] === true) {
      const out = text(values, 'out');
      if (out === undefined || out === '')
        throw new CliError(`--all-users needs --out FILE (JSON lines)\n${usageLines(command)}`, 2);
      if (history !== undefined || values.user !== undefined)
        throw new CliError('--all-users uses every user of the split: leave out --history and --user', 2);
      const result = await recommendAllCommand({
        model: required(values, 'model'),
        out,
        k,
        backend,
      });
      print(result, () => formatSummary(result));
      return;
    }
    if (values.out !== undefined) throw new CliError('--out goes with --all-users', 2);
    const result = await recommendCommand({
      model: required(values, 'model'),
      history,
      user: text(values, 'user'),
      k,
      explain: values.explain === true,
      backend,
      search: searchOf(text(values, 'search'), text(values, 'candidates')),
    });
    print(result, () => formatRecommendations(result));
  } else if (command === 'serve') {
    await serveCommand({
      model: required(values, 'model'),
      port: integer(required(values, 'port'), 'port', 0, 65535) as number,
      host: required(values, 'host'),
      backend: backendOf(text(values, 'backend')),
      verbosity: values.quiet === true ? 'quiet' : values.verbose === true ? 'verbose' : 'normal',
    });
  } else if (command === 'info') {
    const info = await infoCommand({ model: required(values, 'model') });
    print(info, () => formatRunInfo(info));
  } else {
    const engine = text(values, 'engine');
    if (engine !== undefined && engine !== 'usearch' && engine !== 'brute-force')
      throw new CliError(`--engine must be usearch or brute-force, got '${engine}'`, 2);
    const result = await indexCommand({
      model: required(values, 'model'),
      engine,
      add: text(values, 'add'),
      remove: text(values, 'remove')
        ?.split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
      backend: backendOf(text(values, 'backend')),
    });
    print(result, () => formatSummary(result));
  }
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
