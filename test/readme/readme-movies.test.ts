import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { sharedDatasetPath } from '../helpers/shared-data';
import { checkCommandLine, checkQuickStart } from './readme-checks';
import { readerFolder } from './readme-runner';

// The README on movies_tmdb_small, the data set it names: items.jsonl as it is (linked, never
// copied), the interactions of users 1 to 100 (a sixth of the ratings, for speed; every item and
// user the README names is among them, and what exists here exists in the whole file).
const dataset = sharedDatasetPath('movies_tmdb_small');
if (!dataset) console.warn('[readme-movies.test] SKIPPED: ../shared/data/movies_tmdb_small is absent');

describe.skipIf(!dataset)('README.md on movies_tmdb_small (users 1 to 100)', () => {
  const folder = readerFolder('mars-readme-movies-');
  const source = dataset as string;
  symlinkSync(join(source, 'items.jsonl'), join(folder, 'items.jsonl'));
  const [header, ...rows] = readFileSync(join(source, 'interactions.csv'), 'utf8').trim().split('\n');
  writeFileSync(
    join(folder, 'interactions.csv'),
    [header, ...rows.filter((row) => Number(row.slice(0, row.indexOf(','))) <= 100)].join('\n'),
  );
  const itemIds = new Set(
    readFileSync(join(source, 'items.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id),
  );

  it(
    'the library quick start runs as written and its ids exist',
    () => checkQuickStart(folder, itemIds),
    240_000,
  );

  it(
    'every command line runs as written, titles included',
    () => checkCommandLine(folder, { titles: true }),
    300_000,
  );
});
