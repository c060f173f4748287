import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of a development dataset in `../shared/data/<name>` (beside the repository), or
 * undefined when it is absent. The datasets may not be redistributed, so nothing copies them.
 */
export function sharedDatasetPath(name: string): string | undefined {
  const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const candidates = [
    process.env.MARS_REC_SHARED_DATA ? resolve(process.env.MARS_REC_SHARED_DATA, name) : undefined,
    resolve(repositoryRoot, '../shared/data', name),
  ];
  return candidates.find((path): path is string => path !== undefined && existsSync(path));
}
