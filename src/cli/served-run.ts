import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { selectBackend } from '../backend/select-backend';
import type { BackendPreference } from '../backend/select-backend';
import { UserSplit } from '../data/split';
import { MarsModel } from '../model/mars-model';
import { knownUsersOfSplit } from '../serving/http/known-users';
import type { KnownUsers } from '../serving/http/known-users';
import { servedBprMf, servedPopularity } from '../serving/http/served-baselines';
import { servedMarsModel } from '../serving/http/served-mars-model';
import type { ServedModel } from '../serving/http/served-model';
import { PopularityRecommender } from '../baselines/popularity';
import { BprMatrixFactorization } from '../collaborative/bpr-mf';
import { CliError, RUN_FORMAT_VERSION } from './commands';
import type { BaselineJson, RunJson } from './commands';

/** Reads and checks `run.json` of a run directory written by `mars-rec train`. */
export async function readRunJson(directory: string): Promise<RunJson> {
  const runPath = join(directory, 'run.json');
  const runText = await readFile(runPath, 'utf8').catch(() => {
    throw new CliError(`${runPath} not found: '${directory}' is not a directory written by 'mars-rec train'`);
  });
  let run: RunJson;
  try {
    run = JSON.parse(runText) as RunJson;
  } catch (error) {
    throw new CliError(`${runPath} is not valid JSON: ${(error as Error).message}`);
  }
  if (run?.format !== 'mars-rec/run') throw new CliError(`${runPath} is not a mars-rec run file`);
  if (run.version > RUN_FORMAT_VERSION)
    throw new CliError(
      `${directory} was written by a newer mars-rec (run format ${run.version}; this one reads ${RUN_FORMAT_VERSION}): upgrade mars-rec`,
    );
  return run;
}

/** A run directory's model, ready to serve, with the users of its split. */
export interface ServedRun {
  /** The run's `run.json`. */
  run: RunJson;
  /** The model behind the service. */
  served: ServedModel;
  /** The training users of the run's split. */
  users: KnownUsers;
  /** Frees the model. */
  dispose(): void;
}

/** Loads a run directory (MARS, BPR-MF or popularity) once, for `mars-rec serve`. */
export async function loadServedRun(directory: string, backend: BackendPreference): Promise<ServedRun> {
  const run = await readRunJson(directory);
  const split = UserSplit.fromJSON(JSON.parse(await readFile(join(directory, 'split.json'), 'utf8')));
  const users = knownUsersOfSplit(split);
  if (run.model === 'mars') {
    await selectBackend(backend);
    const model = await MarsModel.load(join(directory, 'model')).catch((error: Error) => {
      throw new CliError(error.message);
    });
    return { run, served: servedMarsModel(model), users, dispose: () => model.dispose() };
  }
  const baseline = JSON.parse(await readFile(join(directory, 'baseline.json'), 'utf8')) as BaselineJson;
  const served =
    baseline.kind === 'popularity'
      ? servedPopularity(PopularityRecommender.fromJSON(baseline), split.itemIds)
      : servedBprMf(BprMatrixFactorization.fromJSON(baseline), split.itemIds);
  return { run, served, users, dispose: () => undefined };
}
