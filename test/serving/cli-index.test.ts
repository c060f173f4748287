import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError, indexCommand, recommendCommand, trainCommand } from '../../src/cli/commands';
import { UserSplit } from '../../src/data/split';
import { generateSyntheticCorpus } from '../../src/synthetic';
import { writeCorpusFiles } from '../helpers/corpus-files';

const folders: string[] = [];
afterAll(async () => {
  for (const path of folders) await rm(path, { recursive: true, force: true });
});

describe('mars-rec index and recommend through the index', () => {
  it('builds the index beside the model, recommends exactly as brute force, and adds and removes items', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mars-cli-index-'));
    folders.push(folder);
    const corpus = generateSyntheticCorpus({ seed: 3, itemCount: 80, userCount: 60, clicksPerUser: [5, 10] });
    const items = join(folder, 'items.jsonl');
    const interactions = join(folder, 'interactions.csv');
    writeCorpusFiles(folder, corpus);
    const out = join(folder, 'run');
    await trainCommand({
      items,
      interactions,
      out,
      model: 'mars',
      steps: 3,
      batchSize: 16,
      maxDocLength: 30,
      backend: 'cpu',
      config: { filters: 8, collaborativeFactors: 0 }, // text only: new items compete on their text
      json: true,
    });
    const history = [corpus.items[0].id, corpus.items[5].id, corpus.items[9].id];
    const recommend = (search?: 'exact' | 'approximate' | 'brute-force', k = 8) =>
      recommendCommand({
        model: out,
        history,
        k,
        explain: false,
        backend: 'cpu',
        search: search && { mode: search },
      });
    await expect(recommend('exact')).rejects.toThrow(/--search exact needs an index: run 'mars-rec index/);
    const brute = await recommend();
    const built = await indexCommand({ model: out, engine: 'usearch', backend: 'cpu' });
    const split = await UserSplit.load(join(out, 'split.bin'));
    expect(built).toMatchObject({ engine: 'usearch', items: split.itemIds.length, added: 0, removed: 0 });
    expect(await readFile(join(out, 'index', 'CURRENT'), 'utf8')).toMatch(/^gen-\d+$/);
    const exact = await recommend(); // the index is used when present
    expect(exact.map((r) => r.id)).toEqual(brute.map((r) => r.id));
    expect((await recommend('approximate')).map((r) => r.id)).toEqual(brute.map((r) => r.id));
    // a new item with the text of the best one, and the removal of the second
    const best = brute[0].id as string;
    const textOfBest = corpus.items.find((item) => item.id === best)?.text as string;
    const added = join(folder, 'new-items.jsonl');
    await writeFile(added, JSON.stringify({ id: 'fresh-item', text: textOfBest }));
    const updated = await indexCommand({
      model: out,
      add: added,
      remove: [brute[1].id as string],
      backend: 'cpu',
    });
    expect(updated).toMatchObject({ items: split.itemIds.length, added: 1, removed: 1 });
    const after = (await recommend('exact', 3)).map((r) => r.id);
    expect(after.slice(0, 2).sort()).toEqual([best, 'fresh-item'].sort());
    expect(after).not.toContain(brute[1].id);
    // brute force knows only the model's catalogue: a history naming the new item needs the index
    history.push('fresh-item');
    await expect(recommend('brute-force')).rejects.toThrow(CliError);
    expect((await recommend('exact')).map((r) => r.id)).not.toContain('fresh-item');
    await expect(indexCommand({ model: out, remove: ['no-such-item'], backend: 'cpu' })).rejects.toThrow(
      /Unknown removed item id 'no-such-item'/,
    );
  });
});
