import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRunDirectory } from '../../src/cli/run-directory';
import { MarsModel } from '../../src/model/mars-model';
import { SeededRandom } from '../../src/sampling/random';
import { generateSyntheticCorpus } from '../../src/synthetic';
import { repositoryRoot, runAndKill } from './run-and-kill';
import { writeCorpusFiles } from '../helpers/corpus-files';

// SIGKILL at random points of `mars-rec train` and of `MarsModel.save` over an existing model:
// afterwards the directory must always hold the old or the new version, complete and loadable
// (reading it settles an interrupted swap), never a mix. Seeded kill times; small enough for CI.

const cli = join(repositoryRoot, 'src/cli/main.ts');

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('crash safety: SIGKILL never leaves a mixed or broken model', () => {
  const folder = mkdtempSync(join(tmpdir(), 'mars-crash-'));
  const items = join(folder, 'items.jsonl');
  const interactions = join(folder, 'interactions.csv');
  const out = join(folder, 'runs', 'current');
  const steps = 4;
  const trainArgs = (seed: number, trainFraction: number): string[] => [
    cli,
    'train',
    '--items',
    items,
    '--interactions',
    interactions,
    '--out',
    out,
    '--seed',
    `${seed}`,
    '--train-fraction',
    `${trainFraction}`,
    '--steps',
    `${steps}`,
    '--batch-size',
    '8',
    '--backend',
    'cpu',
    '--max-doc-length',
    '12',
    '--config',
    '{"embeddingDim":8,"filters":8,"outputDim":8,"collaborativeFactors":4}',
  ];

  beforeAll(() => {
    const corpus = generateSyntheticCorpus({ seed: 6, itemCount: 40, userCount: 24, clicksPerUser: [4, 8] });
    writeCorpusFiles(folder, corpus);
  });

  /** The run in `out`, checked: loadable, and trained on the split it holds. */
  async function currentRun(): Promise<{ seed: number; trainFraction: number }> {
    const { directory, run, split } = await readRunDirectory(out);
    const model = await MarsModel.load(join(directory, 'model'));
    expect(model.catalog?.ids).toEqual(split.itemIds);
    model.dispose();
    const seed = run.options.seed as number;
    const trainFraction = run.options.trainFraction as number;
    // the split is the one this run made (a crash in the old layout kept old weights with a new split)
    expect(split.options).toMatchObject({ seed, trainFraction });
    expect(readdirSync(dirname(out))).toEqual(['current']); // nothing left beside it
    return { seed, trainFraction };
  }

  it('train: killed at random points of 10 retrains, DIR holds the old or the new run', async () => {
    const rng = new SeededRandom(2024);
    const lastStep = new RegExp(`step ${steps}/${steps}`);
    let started = performance.now();
    const first = await runAndKill(trainArgs(1, 0.3), 120_000, lastStep);
    const fullRun = performance.now() - started;
    const ending = first.triggerToExit; // the last step, validation, the save and the swap
    expect(await currentRun()).toEqual({ seed: 1, trainFraction: 0.3 });
    let current = { seed: 1, trainFraction: 0.3 };
    const outcomes = { old: 0, new: 0 };
    let leftovers = 0; // rounds killed mid-write: pieces beside the directory before it was read
    for (let round = 0; round < 10; round++) {
      const next = { seed: round + 2, trainFraction: round % 2 === 0 ? 0.5 : 0.3 };
      started = performance.now();
      // even rounds: anywhere in the run; odd rounds: in the last step, the save and the swap
      const killed =
        round % 2 === 0
          ? await runAndKill(trainArgs(next.seed, next.trainFraction), rng.nextFloat() * fullRun * 1.1)
          : await runAndKill(trainArgs(next.seed, next.trainFraction), rng.nextFloat() * ending, lastStep);
      leftovers += readdirSync(dirname(out)).length > 1 ? 1 : 0;
      const found = await currentRun();
      expect([current, next], `round ${round}, killed after ${killed.after.toFixed(0)} ms`).toContainEqual(
        found,
      );
      if (found.seed === next.seed) outcomes.new++;
      else outcomes.old++;
      current = found;
    }
    if (process.env.MARS_REC_CRASH_STATS)
      console.info(
        'train rounds',
        outcomes,
        'interrupted writes',
        leftovers,
        `full run ${fullRun.toFixed(0)} ms, ending ${ending.toFixed(0)} ms`,
      );
  });

  it('save: killed while saving two models in turn over one directory, it holds one of them', async () => {
    const rng = new SeededRandom(7);
    const versions: string[] = [];
    for (const seed of [11, 12]) {
      const model = MarsModel.create({
        embeddingDim: 8,
        filters: 8,
        outputDim: 8,
        maxDocumentLength: 12,
        collaborativeFactors: 0,
      });
      const corpus = generateSyntheticCorpus({
        seed: 6,
        itemCount: 40,
        userCount: 24,
        clicksPerUser: [4, 8],
      });
      const index = new Map(corpus.items.map((item, i) => [item.id, i]));
      const rows = new Map<string, number[]>();
      for (const c of corpus.interactions)
        rows.set(
          c.user,
          [...new Set([...(rows.get(c.user) ?? []), index.get(c.item) as number])].sort((a, b) => a - b),
        );
      const sorted = [...rows.values()];
      const offsets = Int32Array.from([0, ...sorted.map((row, u) => sorted.slice(0, u + 1).flat().length)]);
      await model.fit(
        {
          itemIds: corpus.items.map((item) => item.id),
          itemTexts: corpus.items.map((item) => item.text),
          train: {
            rowCount: sorted.length,
            columnCount: corpus.items.length,
            offsets,
            indices: Int32Array.from(sorted.flat()),
          },
        },
        { steps: 2, batchSize: 8, seed },
      );
      const directory = join(folder, `model-${seed}`);
      await model.save(directory);
      model.dispose();
      versions.push(directory);
    }
    const weightsOf = new Map(
      versions.map((directory) => [sha256(join(directory, 'weights.bin')), directory]),
    );
    expect(weightsOf.size).toBe(2);
    const target = join(folder, 'saved', 'model');
    const seen = new Set<string>();
    const interrupted: string[] = [];
    for (let round = 0; round < 4; round++) {
      await runAndKill(
        [join(repositoryRoot, 'test/cli/save-loop-child.ts'), target, ...versions],
        rng.nextFloat() * 300,
        /ready/,
      );
      interrupted.push(
        readdirSync(dirname(target))
          .filter((name) => name !== 'model')
          .map((name) => name.replace(/.*mars-rec-/, '').replace(/-.*/, ''))
          .join('+') || 'none',
      );
      const model = await MarsModel.load(target); // settles an interrupted swap, checks the checksums
      model.dispose();
      const found = weightsOf.get(sha256(join(target, 'weights.bin')));
      expect(found, `round ${round}`).toBeDefined();
      seen.add(found as string);
      expect(readdirSync(dirname(target))).toEqual(['model']);
    }
    if (process.env.MARS_REC_CRASH_STATS)
      console.info('save rounds saw', seen.size, 'versions; pieces left by the kills:', interrupted);
  });
});
