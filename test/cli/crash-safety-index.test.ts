import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunDirectory } from '../../src/cli/run-directory';
import { indexCommand, indexDirectory, recommendCommand, trainCommand } from '../../src/cli/commands';
import { SeededRandom } from '../../src/sampling/random';
import { CatalogueIndex } from '../../src/serving/catalogue-index';
import { generateSyntheticCorpus } from '../../src/synthetic';
import { repositoryRoot, runAndKill } from './run-and-kill';
import { writeCorpusFiles } from '../helpers/corpus-files';

// SIGKILL at random seeded points of `mars-rec index` (a rebuild, --add, --add with --remove):
// afterwards the run's index is always the old or the new generation, loadable, and recommend
// through it gives the list of scoring every item. Two kinds of rounds: the real CLI killed
// anywhere in its run (start, model load, build, save), and a child that runs the index command
// over and over, so that the kills land in the writes themselves.

const cli = join(repositoryRoot, 'src/cli/main.ts');
const folder = mkdtempSync(join(tmpdir(), 'mars-crash-index-'));
const run = join(folder, 'run');
const addA = join(folder, 'add-a.jsonl');
const addB = join(folder, 'add-b.jsonl');
let baseIds: string[] = [];
let history: string[] = [];

/** The live item ids an index command leaves, from the live ids before it. */
type Step = 'rebuild' | 'add-a' | 'add-b-remove-a1';
function after(step: Step, before: readonly string[]): string[] {
  if (step === 'rebuild') return [...baseIds].sort();
  if (step === 'add-a') return [...new Set([...before, 'a1', 'a2'])].sort();
  return [...new Set([...before, 'b1', 'b2'])].filter((id) => id !== 'a1').sort();
}

/** The live ids of the run's index (undefined when it has none), checked loadable and serving. */
async function servedIds(): Promise<string[] | undefined> {
  const directory = indexDirectory(run);
  if (!(await CatalogueIndex.exists(directory))) return undefined;
  const index = await CatalogueIndex.load(directory);
  const live = index.ids.filter((_, row) => index.table.isLive(row)).sort();
  index.dispose();
  // recommend through the index (exact) equals scoring every item of the index's table
  const recommend = (search: 'exact' | 'approximate') =>
    recommendCommand({
      model: run,
      history,
      k: 6,
      explain: false,
      backend: 'cpu',
      search: search === 'exact' ? { mode: 'exact' } : { mode: 'approximate', candidates: 100_000 },
    });
  const exact = (await recommend('exact')).map((row) => row.id as string);
  expect(exact).toHaveLength(6);
  expect(exact.every((id) => live.includes(id) && !history.includes(id))).toBe(true);
  expect(exact).toEqual((await recommend('approximate')).map((row) => row.id));
  return live;
}

beforeAll(async () => {
  const corpus = generateSyntheticCorpus({ seed: 9, itemCount: 60, userCount: 30, clicksPerUser: [4, 8] });
  const items = join(folder, 'items.jsonl');
  const interactions = join(folder, 'interactions.csv');
  writeCorpusFiles(folder, corpus);
  const text = (n: number): string => corpus.items[n].text;
  writeFileSync(addA, ['a1', 'a2'].map((id, n) => JSON.stringify({ id, text: text(n) })).join('\n'));
  writeFileSync(addB, ['b1', 'b2'].map((id, n) => JSON.stringify({ id, text: text(n + 2) })).join('\n'));
  await trainCommand({
    items,
    interactions,
    out: run,
    model: 'mars',
    steps: 3,
    batchSize: 8,
    maxDocLength: 12,
    backend: 'cpu',
    config: { embeddingDim: 8, filters: 8, outputDim: 8, collaborativeFactors: 4 },
    json: true,
  });
  baseIds = [...(await readRunDirectory(run)).split.itemIds]; // items with interactions
  history = baseIds.slice(0, 3);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('crash safety: SIGKILL never leaves a broken or mixed index', () => {
  it('the CLI killed at random points: the index is the old or the new generation', async () => {
    const rng = new SeededRandom(17);
    const argsOf = (step: Step): string[] => [
      cli,
      'index',
      '--model',
      run,
      '--backend',
      'cpu',
      '--json',
      ...(step === 'add-a'
        ? ['--add', addA]
        : step === 'add-b-remove-a1'
          ? ['--add', addB, '--remove', 'a1']
          : []),
    ];
    let started = performance.now();
    await runAndKill(argsOf('rebuild'), 120_000); // not killed: how long a whole run takes
    const whole = performance.now() - started;
    let current = await servedIds();
    expect(current).toEqual(after('rebuild', []));
    const steps: Step[] = ['add-a', 'rebuild', 'add-a', 'add-b-remove-a1', 'add-a'];
    const outcomes = { old: 0, new: 0 };
    for (const [round, step] of steps.entries()) {
      started = performance.now();
      const killed = await runAndKill(argsOf(step), rng.nextFloat() * whole * 1.1);
      const expected = after(step, current as string[]);
      const found = await servedIds();
      expect(
        [current, expected],
        `round ${round} (${step}), killed after ${killed.after.toFixed(0)} ms`,
      ).toContainEqual(found);
      if (killed.finished) expect(found).toEqual(expected);
      if (JSON.stringify(found) === JSON.stringify(expected)) outcomes.new++;
      else outcomes.old++;
      current = found;
    }
    if (process.env.MARS_REC_CRASH_STATS)
      console.info('index CLI rounds', outcomes, `whole run ${whole.toFixed(0)} ms`);
  });

  it('kills inside the writes: a child indexing over and over, killed after a random delay', async () => {
    const rng = new SeededRandom(23);
    const cycle: Step[] = ['rebuild', 'add-a', 'add-b-remove-a1'];
    const interrupted: string[] = [];
    for (let round = 0; round < 6; round++) {
      const before = await servedIds();
      // a command takes 50 to 150 ms here: a few of them, then the kill
      const delay = rng.nextFloat() * 600;
      const killed = await runAndKill(
        [join(repositoryRoot, 'test/cli/index-loop-child.ts'), run, addA, addB, 'a1'],
        delay,
        /ready/,
      );
      const saves = [...killed.output.matchAll(/saved (\d+)/g)].map((match) => Number(match[1]));
      // the states the child passed through: from `before`, one per finished command
      const states: (string[] | undefined)[] = [before];
      for (let n = 0; n <= saves.length; n++) states.push(after(cycle[n % 3], states[n] ?? []));
      const found = await servedIds();
      // the last printed save, or the command after it (killed between its save and the print)
      expect(
        states.slice(-2),
        `round ${round}, ${saves.length} saves, killed after ${delay.toFixed(0)} ms`,
      ).toContainEqual(found);
      const directory = indexDirectory(run);
      const current = readFileSync(join(directory, 'CURRENT'), 'utf8');
      const pieces = readdirSync(directory).filter((name) => name !== 'CURRENT' && name !== current);
      interrupted.push(pieces.join('+') || 'none');
    }
    // a finished command clears whatever the kills left beside the current generation
    await indexCommand({ model: run, add: addA, backend: 'cpu' });
    const entries = readdirSync(indexDirectory(run)).sort();
    expect(entries).toHaveLength(2);
    expect(entries[0]).toBe('CURRENT');
    expect(entries[1]).toMatch(/^gen-\d+$/);
    expect(await servedIds()).toContain('a1');
    if (process.env.MARS_REC_CRASH_STATS)
      console.info('index loop rounds: pieces left by the kills', interrupted);
  });
});
