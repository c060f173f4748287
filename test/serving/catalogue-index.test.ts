import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CatalogueIndex } from '../../src/serving';
import type { ScoringColumns } from '../../src/serving';
import { randomColumns, randomRows } from './fixtures';

const folders: string[] = [];
async function folder(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'mars-rec-index-'));
  folders.push(path);
  return path;
}
afterAll(async () => {
  for (const path of folders) await rm(path, { recursive: true, force: true });
});

const d = 5;
const f = 3;
const ids = (count: number, prefix = 'item'): string[] =>
  Array.from({ length: count }, (_, k) => `${prefix}-${k}`);

describe.each(['brute-force', 'usearch'] as const)('CatalogueIndex on %s', (engine) => {
  it('adds, edits and removes items; exact equals brute force after every change', async () => {
    const catalogue = await CatalogueIndex.build(ids(300), randomColumns(300, d, f, 1), d, f, { engine });
    const history = catalogue.rowsOf(['item-3', 'item-40', 'item-77']);
    const check = async (): Promise<void> => {
      const query = catalogue.query(history, [1, -0.5, 0.25]);
      const request = { k: 15, exclude: new Set(history) };
      const exact = await catalogue.topK(query, request, { mode: 'exact' });
      const brute = await catalogue.topK(query, request, { mode: 'brute-force' });
      expect(Array.from(exact.rows)).toEqual(Array.from(brute.rows));
    };
    await check();
    // an edit that makes item-5 the best match of everything, and new items
    const strong: ScoringColumns = randomColumns(1, d, f, 2);
    strong.biases[0] = 100;
    expect(await catalogue.upsert(['item-5'], strong)).toEqual({ added: 0, replaced: 1 });
    expect(await catalogue.upsert(ids(20, 'new'), randomColumns(20, d, f, 3))).toEqual({
      added: 20,
      replaced: 0,
    });
    expect(catalogue.size).toBe(320);
    await check();
    const query = catalogue.query(history);
    expect(catalogue.ids[(await catalogue.topK(query, { k: 1 })).rows[0]]).toBe('item-5');
    expect(await catalogue.remove(['item-5', 'new-3', 'item-40'])).toBe(3);
    expect(await catalogue.remove(['item-5'])).toBe(0);
    expect(catalogue.size).toBe(317);
    await check(); // item-40 stays in the history (its memory vector is kept) but is never recommended
    const top = await catalogue.topK(catalogue.query(history), { k: 317 });
    expect(top.rows.length).toBe(317);
    expect(Array.from(top.rows, (row) => catalogue.ids[row])).not.toContain('item-5');
    expect(() => catalogue.rowsOf(['item-1', 'nope'], 'history item')).toThrow(
      "Unknown history item id 'nope' at position 1",
    );
    catalogue.dispose();
  });

  it('saves and loads to the same rankings, and a crash mid-save leaves the previous generation', async () => {
    const directory = await folder();
    const catalogue = await CatalogueIndex.build(ids(200), randomColumns(200, d, f, 4), d, f, { engine });
    await catalogue.remove(['item-7']);
    await catalogue.upsert(['extra'], randomColumns(1, d, f, 5));
    await catalogue.save(directory);
    const history = randomRows(200, 5, 1);
    const rank = async (index: CatalogueIndex, mode: 'exact' | 'approximate'): Promise<string[]> =>
      Array.from(
        (
          await index.topK(
            index.query(history, [0.2, 0.1, 0]),
            { k: 12, exclude: new Set(history) },
            { mode },
          )
        ).rows,
        (row) => index.ids[row],
      );
    const expected = await rank(catalogue, 'exact');
    const loaded = await CatalogueIndex.load(directory);
    expect(loaded.size).toBe(catalogue.size);
    expect(await rank(loaded, 'exact')).toEqual(expected);
    expect(await rank(loaded, 'approximate')).toEqual(await rank(catalogue, 'approximate'));
    // a crash while writing the next generation: a half-written staging folder and a finished
    // generation folder that CURRENT was never switched to
    const current = (await readFile(join(directory, 'CURRENT'), 'utf8')).trim();
    await mkdir(join(directory, 'gen-000099.tmp-1-2'));
    await writeFile(join(directory, 'gen-000099.tmp-1-2', 'columns.bin'), 'partial');
    await mkdir(join(directory, 'gen-000098'));
    await writeFile(join(directory, 'CURRENT.tmp-1-2'), 'gen-000098'); // a pointer never renamed
    const reloaded = await CatalogueIndex.load(directory);
    expect(await rank(reloaded, 'exact')).toEqual(expected);
    // the next save supersedes the stray folders' generation names and cleans up
    await reloaded.upsert(['later'], randomColumns(1, d, f, 6));
    await reloaded.save(directory);
    const next = (await readFile(join(directory, 'CURRENT'), 'utf8')).trim();
    expect(next).not.toBe(current);
    expect((await readdir(directory)).sort()).toEqual(['CURRENT', next]);
    expect((await CatalogueIndex.load(directory)).size).toBe(catalogue.size + 1);
    for (const index of [catalogue, loaded, reloaded]) index.dispose();
  });
});

describe('CatalogueIndex input checks', () => {
  it('names the directory that holds no index, duplicate ids and mismatched columns', async () => {
    const empty = await folder();
    await expect(CatalogueIndex.load(empty)).rejects.toThrow(/holds no mars-rec index.*mars-rec index/);
    await expect(CatalogueIndex.build(['a', 'a'], randomColumns(2, d, f, 1), d, f)).rejects.toThrow(
      /item id 'a' appears twice/,
    );
    await expect(CatalogueIndex.build(['a'], randomColumns(2, d, f, 1), d, f)).rejects.toThrow(
      /1 ids for 2 items/,
    );
    const catalogue = await CatalogueIndex.build(ids(3), randomColumns(3, d, f, 1), d, f, {
      engine: 'brute-force',
    });
    await expect(catalogue.upsert(['x', 'x'], randomColumns(2, d, f, 2))).rejects.toThrow(
      /an id appears twice/,
    );
    const broken = randomColumns(1, d, f, 2);
    broken.itemVectors[2] = Infinity;
    await expect(catalogue.upsert(['y'], broken)).rejects.toThrow(/itemVectors of item 0 .* is Infinity/);
  });
});
