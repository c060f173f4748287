import { join } from 'node:path';
import { selectBackend } from '../backend/select-backend';
import type { BackendPreference } from '../backend/select-backend';
import { MarsModel } from '../model/mars-model';
import { knownUsersOfSplit } from '../serving/http/known-users';
import type { KnownUsers } from '../serving/http/known-users';
import { servedBprMf, servedPopularity } from '../serving/http/served-baselines';
import { servedMarsModel } from '../serving/http/served-mars-model';
import type { ServedModel } from '../serving/http/served-model';
import { PopularityRecommender } from '../baselines/popularity';
import { CliError } from './cli-error';
import { readRunDirectory } from './run-directory';
import type { RunJson } from './run-directory';

/** Reads and checks `run.json` of a run directory written by `mars-rec train` (with its split). */
export async function readRunJson(directory: string): Promise<RunJson> {
  return (await readRunDirectory(directory)).run;
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
export async function loadServedRun(given: string, backend: BackendPreference): Promise<ServedRun> {
  // every file checked (form, checksums) and named when something is wrong with it
  const { directory, run, split, baseline } = await readRunDirectory(given);
  const users = knownUsersOfSplit(split);
  if (run.model === 'mars') {
    await selectBackend(backend);
    const model = await MarsModel.load(join(directory, 'model')).catch((error: Error) => {
      throw new CliError(error.message);
    });
    return { run, served: servedMarsModel(model), users, dispose: () => model.dispose() };
  }
  if (!baseline) throw new CliError(`${directory}: the run's baseline file is missing`);
  const served =
    baseline instanceof PopularityRecommender
      ? servedPopularity(baseline, split.itemIds)
      : servedBprMf(baseline, split.itemIds);
  return { run, served, users, dispose: () => undefined };
}
