// Item titles of a run: read from items.jsonl's optional "title" field at training time and kept
// in the run directory (titles.json), so recommendations print names, not only ids.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readLines } from '../data/loaders';
import { writeFileAtomically } from '../data/write-file-atomically';

/** The file in a run directory holding `{ "<item id>": "<title>" }`. */
export const TITLES_FILE = 'titles.json';

/**
 * The `title` of each item of an items.jsonl file that has one (a non-empty string). The file
 * has been validated by `loadItemsJsonl` already; lines that do not parse are passed over.
 * Parquet and Arrow items files (binary, not lines) give no titles.
 */
export async function readItemTitles(itemsPath: string): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  if (/\.(parquet|arrow|arrows|feather|ipc)$/i.test(itemsPath)) return titles;
  for await (const line of readLines(itemsPath)) {
    if (!line.includes('"title"')) continue;
    try {
      const record = JSON.parse(line) as { id?: unknown; title?: unknown };
      const id = typeof record.id === 'number' ? String(record.id) : record.id;
      if (typeof id === 'string' && typeof record.title === 'string' && record.title.trim() !== '')
        titles.set(id, record.title.trim());
    } catch {
      // loadItemsJsonl has reported malformed lines already
    }
  }
  return titles;
}

/**
 * Writes the titles of the catalogue's items into the run directory (temporary file, then
 * renamed); writes nothing when no item has a title.
 * @returns how many titles were written.
 */
export async function writeRunTitles(
  directory: string,
  titles: ReadonlyMap<string, string>,
  itemIds: readonly string[],
): Promise<number> {
  const kept: Record<string, string> = {};
  let count = 0;
  for (const id of itemIds) {
    const title = titles.get(id);
    if (title !== undefined) {
      kept[id] = title;
      count++;
    }
  }
  if (count === 0) return 0;
  await writeFileAtomically(join(directory, TITLES_FILE), JSON.stringify(kept));
  return count;
}

/** The titles saved in a run directory, or an empty map when the run has none. */
export async function readRunTitles(directory: string): Promise<Map<string, string>> {
  const path = join(directory, TITLES_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return new Map();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); delete it to print ids only`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`${path} must hold a JSON object of item id to title; delete it to print ids only`);
  return new Map(
    Object.entries(parsed as Record<string, unknown>).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}
