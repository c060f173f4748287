import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PopularityJson } from '../baselines/popularity';
import type { BprMfJson } from '../collaborative/bpr-mf';
import { UserSplit } from '../data/split';
import { MARS_CONFIG_BOUNDS } from '../model/config';
import { settleDirectory, writeDirectoryAtomically } from '../model/atomic-directory';
import { CliError } from './cli-error';

/** Version of the run directory layout (`run.json`). */
export const RUN_FORMAT_VERSION = 1;

/** Which recommender a run trained. */
export type ModelKind = 'mars' | 'bpr-mf' | 'popularity';

/** `run.json`: what a run trained and how, and the checksums of the run's other files. */
export interface RunJson {
  /** Always `'mars-rec/run'`. */
  format: 'mars-rec/run';
  /** {@link RUN_FORMAT_VERSION}. */
  version: number;
  /** The recommender. */
  model: ModelKind;
  /** The backend MARS trained on (`'none'` for baselines). */
  backend: string;
  /** The `train` options. */
  options: Record<string, unknown>;
  /**
   * SHA-256 (hex) of `split.json` and `baseline.json`, by file name; `model/` records its own
   * (runs written before checksums have none).
   */
  files?: Record<string, string>;
}

/** A saved baseline (`baseline.json`). */
export type BaselineJson = PopularityJson | BprMfJson;

/** What `mars-rec train` writes into its output directory. */
export interface RunContents {
  /** `run.json`, without `files` (computed here). */
  run: Omit<RunJson, 'files'>;
  /** The split the model was trained on. */
  split: UserSplit;
  /** Saves the MARS model into the directory it is given (`model/`). */
  saveModel?: (directory: string) => Promise<void>;
  /** The baseline, for `bpr-mf` and `popularity`. */
  baseline?: BaselineJson;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Before training: settles an interrupted earlier write of `out` and refuses an output that
 * `train` must not replace (a file, or a non-empty directory that is not a mars-rec run,
 * unless `overwrite`), so the refusal comes before the training, not after.
 */
export async function checkOutputDirectory(out: string, overwrite: boolean): Promise<void> {
  await settleDirectory(out);
  const existing = await stat(out).catch(() => undefined);
  if (!existing) return;
  if (!existing.isDirectory()) throw new CliError(`--out '${out}' is a file; choose a directory`);
  if (!overwrite) await refuseUnlessRun(out);
}

async function refuseUnlessRun(directory: string): Promise<void> {
  const entries = await readdir(directory);
  if (entries.length === 0) return;
  const text = await readFile(join(directory, 'run.json'), 'utf8').catch(() => undefined);
  let format: unknown;
  try {
    format = text === undefined ? undefined : (JSON.parse(text) as { format?: unknown } | null)?.format;
  } catch {
    format = undefined;
  }
  if (format === 'mars-rec/run') return;
  const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', ...' : '');
  throw new CliError(
    `--out '${directory}' is not empty and is not a mars-rec run (it has ${shown}, no run.json); train replaces the ` +
      'whole directory: pass --overwrite to replace it, or choose another --out',
  );
}

/**
 * Writes a run directory atomically (`writeDirectoryAtomically`): `split.json`, `model/` or
 * `baseline.json`, and last `run.json` with the checksums, into a directory beside `out`
 * that replaces it only when complete; a crash leaves the previous run or the new one.
 */
export async function writeRunDirectory(
  out: string,
  contents: RunContents,
  overwrite: boolean,
): Promise<void> {
  await writeDirectoryAtomically(
    out,
    async (staging) => {
      const files: Record<string, string> = {};
      const write = async (name: string, text: string): Promise<void> => {
        await writeFile(join(staging, name), text);
        files[name] = sha256(text);
      };
      await write('split.json', JSON.stringify(contents.split.toJSON()));
      if (contents.baseline) await write('baseline.json', JSON.stringify(contents.baseline));
      if (contents.saveModel) await contents.saveModel(join(staging, 'model'));
      const run: RunJson = { ...contents.run, files };
      await writeFile(join(staging, 'run.json'), JSON.stringify(run, null, 2));
    },
    { checkReplaceable: overwrite ? undefined : refuseUnlessRun },
  );
}

/** A run directory as read by {@link readRunDirectory}. */
export interface RunDirectory {
  /** Where the run is (the directory, or where an interrupted write left the complete one). */
  directory: string;
  /** `run.json`. */
  run: RunJson;
  /** `split.json`. */
  split: UserSplit;
  /** `baseline.json`, for baselines. */
  baseline?: BaselineJson;
}

/**
 * Reads a run directory written by `mars-rec train`, settling an interrupted write first and
 * checking every file it reads (`run.json`, `split.json`, `baseline.json`) against its form
 * and the checksums `run.json` records; `model/` is checked when loaded.
 * @throws CliError naming the file and what is wrong with it.
 */
export async function readRunDirectory(given: string): Promise<RunDirectory> {
  const directory = (await settleDirectory(given)).location ?? given;
  const runPath = join(directory, 'run.json');
  const runText = await readFile(runPath, 'utf8').catch(() => {
    throw new CliError(`${runPath} not found: '${given}' is not a directory written by 'mars-rec train'`);
  });
  const run = parseJson(runText, runPath) as Partial<RunJson> | null;
  if (typeof run !== 'object' || run === null || Array.isArray(run))
    throw new CliError(`${runPath} holds ${JSON.stringify(run)}, not a mars-rec run object; train again`);
  if (run.format !== 'mars-rec/run') throw new CliError(`${runPath} is not a mars-rec run file`);
  if (typeof run.version !== 'number' || run.version > RUN_FORMAT_VERSION) {
    throw new CliError(
      `${given} was written by a newer mars-rec (run format ${String(run.version)}; this one reads ${RUN_FORMAT_VERSION}): upgrade mars-rec`,
    );
  }
  if (run.model !== 'mars' && run.model !== 'bpr-mf' && run.model !== 'popularity')
    throw new CliError(
      `${runPath}: "model" is ${JSON.stringify(run.model)}; expected mars, bpr-mf or popularity`,
    );
  const files = run.files;
  if (files !== undefined && (typeof files !== 'object' || files === null || Array.isArray(files)))
    throw new CliError(`${runPath}: "files" must map file names to SHA-256 checksums`);
  const readChecked = async (name: string): Promise<string> => {
    const path = join(directory, name);
    const text = await readFile(path, 'utf8').catch((error: Error) => {
      throw new CliError(`cannot read ${path}: ${error.message}`);
    });
    if (files && Object.hasOwn(files, name) && sha256(text) !== files[name])
      throw new CliError(
        `${path} has been altered or damaged: its SHA-256 does not match the checksum in ${runPath}; train again`,
      );
    return text;
  };
  const splitPath = join(directory, 'split.json');
  const splitJson = parseJson(await readChecked('split.json'), splitPath);
  let split: UserSplit;
  try {
    split = UserSplit.fromJSON(splitJson);
  } catch (error) {
    throw new CliError(`${splitPath}: ${(error as Error).message}`);
  }
  if (run.model === 'mars') return { directory, run: run as RunJson, split };
  const baselinePath = join(directory, 'baseline.json');
  const baseline = parseJson(await readChecked('baseline.json'), baselinePath);
  checkBaseline(baseline, run.model, split, baselinePath);
  return { directory, run: run as RunJson, split, baseline };
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`${path} is not valid JSON (truncated or damaged?): ${(error as Error).message}`);
  }
}

function checkBaseline(
  json: unknown,
  kind: 'bpr-mf' | 'popularity',
  split: UserSplit,
  path: string,
): asserts json is BaselineJson {
  const fail = (problem: string): never => {
    throw new CliError(`${path}: ${problem}`);
  };
  const record = json as Record<string, unknown> | null;
  if (typeof record !== 'object' || record === null || record.kind !== kind)
    fail(`expected a ${kind} baseline, got ${JSON.stringify(record?.kind ?? record)}`);
  const items = split.itemIds.length;
  const numbers = (field: string, length: number): void => {
    const values = (record as Record<string, unknown>)[field];
    if (!Array.isArray(values) || values.length !== length || !values.every((v) => Number.isFinite(v)))
      fail(`"${field}" must hold ${length} finite numbers (the split's sizes)`);
  };
  if (kind === 'popularity') {
    numbers('itemCounts', items);
    return;
  }
  const factors = (record as Record<string, unknown>).factors;
  if (
    !Number.isInteger(factors) ||
    (factors as number) < 1 ||
    (factors as number) > MARS_CONFIG_BOUNDS.collaborativeFactors
  )
    fail(
      `"factors" must be an integer in [1, ${MARS_CONFIG_BOUNDS.collaborativeFactors}], got ${JSON.stringify(factors)}`,
    );
  numbers('userFactors', split.userIds.length * (factors as number));
  numbers('itemFactors', items * (factors as number));
  numbers('itemBiases', items);
}
