import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PopularityRecommender } from '../baselines/popularity';
import type { PopularityJson } from '../baselines/popularity';
import { BprMatrixFactorization } from '../collaborative/bpr-mf';
import type { BprMfJson } from '../collaborative/bpr-mf';
import { parseBinaryFile, writeBinaryFile } from '../data/binary-file';
import type { BinaryFileContents } from '../data/binary-file';
import { UserSplit } from '../data/split';
import { MARS_CONFIG_BOUNDS } from '../model/config';
import { settleDirectory, writeDirectoryAtomically } from '../model/atomic-directory';
import { CliError } from './cli-error';
import { TITLES_FILE, writeRunTitles } from './titles';

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
   * SHA-256 (hex) of the split (`split.bin`; `split.json` in older runs) and the baseline
   * (`baseline.json` for popularity, `baseline.bin` for BPR-MF), by file name; `model/` records
   * its own (runs written before checksums have none).
   */
  files?: Record<string, string>;
}

/** A baseline saved as JSON (`baseline.json`: popularity; BPR-MF of older runs). */
export type BaselineJson = PopularityJson | BprMfJson;

/** A run's fitted baseline: popularity (saved as `baseline.json`) or BPR-MF (`baseline.bin`, binary factors). */
export type RunBaseline = PopularityRecommender | BprMatrixFactorization;

/** What `mars-rec train` writes into its output directory. */
export interface RunContents {
  /** `run.json`, without `files` (computed here). */
  run: Omit<RunJson, 'files'>;
  /** The split the model was trained on. */
  split: UserSplit;
  /** Saves the MARS model into the directory it is given (`model/`). */
  saveModel?: (directory: string) => Promise<void>;
  /** The baseline, for `bpr-mf` and `popularity`. */
  baseline?: RunBaseline;
  /** Item titles by id, kept for printing recommendations (`titles.json`, when any item has one). */
  titles?: ReadonlyMap<string, string>;
  /** Writes reports of the run (the learning curve) into the directory it is given. */
  writeReports?: (directory: string) => Promise<void>;
}

const sha256 = (bytes: string | Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

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
 * Writes a run directory atomically (`writeDirectoryAtomically`): `split.bin`, `model/` or the
 * baseline (`baseline.json` for popularity, `baseline.bin` for BPR-MF: JSON cannot hold
 * millions of users' factors), and last `run.json` with the checksums, into a directory beside
 * `out` that replaces it only when complete; a crash leaves the previous run or the new one.
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
      // binary files are written by their own writers, then hashed as they lie on disk
      const hashWritten = async (name: string): Promise<void> => {
        files[name] = sha256(await readFile(join(staging, name)));
      };
      await contents.split.save(join(staging, 'split.bin'));
      await hashWritten('split.bin');
      const { baseline } = contents;
      if (baseline instanceof PopularityRecommender)
        await write('baseline.json', JSON.stringify(baseline.toJSON()));
      else if (baseline) {
        await writeBinaryFile(
          join(staging, 'baseline.bin'),
          { kind: 'bpr-mf', factors: baseline.factors },
          {
            userFactors: baseline.userFactors,
            itemFactors: baseline.itemFactors,
            itemBiases: baseline.itemBiases,
          },
        );
        await hashWritten('baseline.bin');
      }
      if (contents.titles && (await writeRunTitles(staging, contents.titles, contents.split.itemIds)) > 0)
        await hashWritten(TITLES_FILE);
      if (contents.saveModel) await contents.saveModel(join(staging, 'model'));
      if (contents.writeReports) await contents.writeReports(staging);
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
  /** `split.bin` (`split.json` in older runs). */
  split: UserSplit;
  /** The baseline, for baselines. */
  baseline?: RunBaseline;
}

/**
 * Reads a run directory written by `mars-rec train`, settling an interrupted write first and
 * checking every file it reads (`run.json`, the split, the baseline) against its form and the
 * checksums `run.json` records; `model/` is checked when loaded.
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
  const readChecked = async (name: string): Promise<Buffer<ArrayBuffer>> => {
    const path = join(directory, name);
    const bytes = await readFile(path).catch((error: Error) => {
      throw new CliError(`cannot read ${path}: ${error.message}`);
    });
    if (files && Object.hasOwn(files, name) && sha256(bytes) !== files[name])
      throw new CliError(
        `${path} has been altered or damaged: its SHA-256 does not match the checksum in ${runPath}; train again`,
      );
    return bytes;
  };
  const present = async (name: string): Promise<boolean> =>
    (await stat(join(directory, name)).catch(() => undefined)) !== undefined;
  let split: UserSplit;
  if (await present('split.bin')) {
    const splitPath = join(directory, 'split.bin');
    // one read: the bytes checksummed are the bytes parsed
    const bytes = await readChecked('split.bin');
    try {
      split = UserSplit.fromBinary(parseBinaryFile(bytes, splitPath), splitPath);
    } catch (error) {
      throw new CliError(`${splitPath}: ${(error as Error).message}`);
    }
  } else {
    // runs written before the binary split
    const splitPath = join(directory, 'split.json');
    const splitJson = parseJson((await readChecked('split.json')).toString('utf8'), splitPath);
    try {
      split = UserSplit.fromJSON(splitJson);
    } catch (error) {
      throw new CliError(`${splitPath}: ${(error as Error).message}`);
    }
  }
  if (run.model === 'mars') return { directory, run: run as RunJson, split };
  if (run.model === 'bpr-mf' && (await present('baseline.bin'))) {
    const baselinePath = join(directory, 'baseline.bin');
    const bytes = await readChecked('baseline.bin');
    let contents: BinaryFileContents;
    try {
      contents = parseBinaryFile(bytes, baselinePath);
    } catch (error) {
      throw new CliError(`${baselinePath}: ${(error as Error).message}`);
    }
    const { meta, columns } = contents;
    const factors = (meta as { factors?: unknown } | null)?.factors;
    checkFactors(factors, baselinePath);
    const lengths = {
      userFactors: split.users.size * factors,
      itemFactors: split.itemIds.length * factors,
      itemBiases: split.itemIds.length,
    };
    for (const [name, length] of Object.entries(lengths)) {
      const column = columns[name];
      if (!(column instanceof Float32Array) || column.length !== length)
        throw new CliError(
          `${baselinePath}: "${name}" must hold ${length} float32 values (the split's sizes)`,
        );
    }
    const baseline = BprMatrixFactorization.fromFactors({
      factors,
      userFactors: columns.userFactors as Float32Array,
      itemFactors: columns.itemFactors as Float32Array,
      itemBiases: columns.itemBiases as Float32Array,
    });
    return { directory, run: run as RunJson, split, baseline };
  }
  const baselinePath = join(directory, 'baseline.json');
  const json = parseJson((await readChecked('baseline.json')).toString('utf8'), baselinePath);
  checkBaseline(json, run.model, split, baselinePath);
  const baseline =
    json.kind === 'popularity' ? PopularityRecommender.fromJSON(json) : BprMatrixFactorization.fromJSON(json);
  return { directory, run: run as RunJson, split, baseline };
}

function checkFactors(factors: unknown, path: string): asserts factors is number {
  if (
    !Number.isInteger(factors) ||
    (factors as number) < 1 ||
    (factors as number) > MARS_CONFIG_BOUNDS.collaborativeFactors
  )
    throw new CliError(
      `${path}: "factors" must be an integer in [1, ${MARS_CONFIG_BOUNDS.collaborativeFactors}], got ${JSON.stringify(factors)}`,
    );
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
  checkFactors(factors, path);
  numbers('userFactors', split.users.size * factors);
  numbers('itemFactors', items * factors);
  numbers('itemBiases', items);
}
