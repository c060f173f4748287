// `npm run bench -- serving` (issue #14): top-k at catalogue scale. Trains a default MARS on
// movies_tmdb_small, resamples its item and user geometry (bench/serving-geometry.ts) to
// generated catalogues of 100k and 1M items (d = 64, F = 64, history 50), and measures per user:
// today's brute force (scoreAllItems on the backend + collaborative term + topK), the exact
// threshold algorithm and the approximate search on the usearch index; recall@10 and @100 of
// approximate against exact; identity of exact with the serving brute force; index build time,
// disk and memory; adding 1,000 items encoded from their text to the smallest (100k) index.
//
// Environment: MARS_BENCH_SERVING_SIZES (default 100000,1000000), MARS_BENCH_SERVING_USERS
// (default 50), MARS_BENCH_SERVING_STEPS (training steps, default 200), MARS_BENCH_SERVING_APPROXIMATE
// (approximate settings, comma-separated: 'default' for no options, 'C' for C candidates, 'C:P' for
// C candidates and P probed cells of the partition scan (0: the graph alone); default
// 'default,1000,300:0'), MARS_BENCH_SERVING_ENGINE (usearch or brute-force, default usearch),
// MARS_BENCH_BACKEND (default wasm).
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../../src/backend';
import type { BackendPreference } from '../../src/backend';
import { topK } from '../../src/metrics/index';
import { MarsModel, scoreAllItems } from '../../src/index';
import { bruteForceTopK, CatalogueIndex, UsearchItemIndex } from '../../src/serving';
import type { ItemIndexEngine, MemoryQuery, TopKResult } from '../../src/serving';
import { loadExperimentData } from '../experiment';
import { resampleCatalogue, resampleUsers } from '../serving-geometry';
import type { GeneratedUser, SourceGeometry } from '../serving-geometry';
import { sharedDatasetPath } from '../shared-data';
import type { BenchRow } from '../types';

const suite = 'serving';
const sizes = (process.env.MARS_BENCH_SERVING_SIZES ?? '100000,1000000').split(',').map(Number);
const userCount = Number(process.env.MARS_BENCH_SERVING_USERS ?? 50);
const steps = Number(process.env.MARS_BENCH_SERVING_STEPS ?? 200);
/** The approximate settings compared: undefined fields take the library's defaults. */
const approximateSettings = (process.env.MARS_BENCH_SERVING_APPROXIMATE ?? 'default,1000,300:0')
  .split(',')
  .map((setting) => {
    if (setting === 'default') return { label: 'defaults: 300 candidates, 32 probes' };
    const [candidates, probes] = setting.split(':').map(Number);
    const label =
      probes === undefined
        ? `${candidates} candidates, 32 probes`
        : probes === 0
          ? `${candidates} candidates, graph only`
          : `${candidates} candidates, ${probes} probes`;
    return { candidates, probes, label };
  });
const loads = (): string =>
  loadavg()
    .map((load) => load.toFixed(1))
    .join(' / ');
const backend = (process.env.MARS_BENCH_BACKEND ?? 'wasm') as BackendPreference;
const engine = (process.env.MARS_BENCH_SERVING_ENGINE ?? 'usearch') as ItemIndexEngine;
const historyLength = 50;
const k = 100;

/** Trains the default MARS briefly and reads its serving geometry (and the model, for encoding). */
export async function trainedSource(): Promise<{
  model: MarsModel;
  source: SourceGeometry;
  texts: string[];
}> {
  const folder = sharedDatasetPath('movies_tmdb_small');
  if (!folder) throw new Error('bench serving: ../shared/data/movies_tmdb_small is absent');
  const data = await loadExperimentData({ data: folder, minRating: 4, splitSeed: 1 });
  const model = MarsModel.create({});
  await model.fit(data, { steps, seed: 1 });
  const index = await model.buildIndex({ engine: 'brute-force' });
  const { textDim, collaborativeDim } = index.table;
  const view = index.table.view;
  const columns = {
    itemVectors: view.itemVectors.slice(),
    memoryVectors: view.memoryVectors.slice(),
    itemFactors: view.itemFactors.slice(),
    biases: view.biases.slice(),
  };
  const users = Array.from({ length: data.train.rowCount }, (_, user) => {
    const history = data.train.indices.slice(data.train.offsets[user], data.train.offsets[user + 1]);
    const ids = Array.from(history, (item) => data.itemIds[item]);
    return { history, userVector: model.userVector(ids, { user }) };
  });
  index.dispose();
  return { model, source: { textDim, collaborativeDim, columns, users }, texts: [...data.itemTexts] };
}

/** Today's path for one user: all scores on the backend, the collaborative term, topK. */
async function todaysBruteForce(
  itemTensor: tf.Tensor2D,
  catalogue: CatalogueIndex,
  user: GeneratedUser,
): Promise<Int32Array> {
  const { textDim: d, collaborativeDim: f } = catalogue.table;
  const view = catalogue.table.view;
  // [1, history, d]: the memory vectors of the history
  const memoryValues = new Float32Array(user.history.length * d);
  user.history.forEach((row, h) =>
    memoryValues.set(view.memoryVectors.subarray(row * d, (row + 1) * d), h * d),
  );
  const memory = tf.tensor3d(memoryValues, [1, user.history.length, d]);
  const scores = await scoreAllItems(memory, [user.history.length], itemTensor);
  memory.dispose();
  const p = user.userVector;
  for (let j = 0; j < scores.length; j++) {
    let t = view.biases[j];
    for (let i = 0; i < f; i++) t += p[i] * view.itemFactors[j * f + i];
    scores[j] += t;
  }
  return topK(scores, k, new Set(user.history));
}

function partitionCountOf(catalogue: CatalogueIndex): number {
  const index = catalogue.itemIndex;
  return index instanceof UsearchItemIndex ? index.partitionCount : 0;
}

async function directorySize(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    total += entry.isDirectory() ? await directorySize(full) : (await stat(full)).size;
  }
  return total;
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const percentile = (values: number[], p: number): number =>
  values.slice().sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))];

/**
 * Wall time, and the process's CPU time (user + system, all threads): on a machine shared with
 * other jobs the wall time includes waiting for a core, the CPU time does not.
 */
async function timed<T>(run: () => Promise<T> | T): Promise<{ value: T; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await run();
  const used = process.cpuUsage(cpu);
  return { value, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

async function benchSize(
  size: number,
  source: SourceGeometry,
  model: MarsModel,
  texts: string[],
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const label = size >= 1e6 ? `${size / 1e6}M` : `${size / 1e3}k`;
  const geometry = `d=${source.textDim}, F=${source.collaborativeDim}, history ${historyLength}, k=${k}`;
  const generated = resampleCatalogue(source, size, 7);
  const users = resampleUsers(source, generated, userCount, historyLength, 11);
  const ids = Array.from({ length: size }, (_, row) => `item-${row}`);
  const loadAtStart = loads();
  const rssBefore = process.memoryUsage().rss;
  const build = await timed(() =>
    CatalogueIndex.build(ids, generated.columns, source.textDim, source.collaborativeDim, {
      engine: 'usearch',
    }),
  );
  const catalogue = build.value;
  const rssAfter = process.memoryUsage().rss;
  rows.push({
    suite,
    name: `index build ${label} (${engine})`,
    value: build.ms / 1000,
    unit: 's',
    notes: `${geometry}; CPU ${(build.cpuMs / 1000).toFixed(0)} s (graph + partition scan, ${partitionCountOf(catalogue)} cells); load average (1/5/15 min) ${loadAtStart} before`,
  });
  rows.push({
    suite,
    name: `index memory ${label}`,
    value: (rssAfter - rssBefore) / 2 ** 20,
    unit: 'MiB',
    notes: 'process RSS growth over the build (table + vectors + HNSW graph)',
  });
  const folder = await mkdtemp(join(tmpdir(), 'mars-rec-serving-bench-'));
  const saved = await timed(() => catalogue.save(folder));
  rows.push({
    suite,
    name: `index disk ${label}`,
    value: (await directorySize(folder)) / 2 ** 20,
    unit: 'MiB',
  });
  rows.push({ suite, name: `index save ${label}`, value: saved.ms / 1000, unit: 's' });
  await rm(folder, { recursive: true, force: true });

  const queries: MemoryQuery[] = users.map((user) => catalogue.query(user.history, user.userVector));
  const request = (user: GeneratedUser): { k: number; exclude: Set<number> } => ({
    k,
    exclude: new Set(user.history),
  });
  // alternate the paths user by user so that the shared machine's load falls on all of them
  const exact: TopKResult[] = [];
  const approximate: TopKResult[][] = approximateSettings.map(() => []);
  const exactMs: number[] = [];
  const exactCpuMs: number[] = [];
  const approximateMs: number[][] = approximateSettings.map(() => []);
  const approximateCpuMs: number[][] = approximateSettings.map(() => []);
  const loadBeforeQueries = loads();
  const bruteMs: number[] = [];
  const bruteCpuMs: number[] = [];
  const bruteUsers = Math.min(users.length, size >= 1e6 ? 2 : 10);
  const itemTensor = tf.tensor2d(catalogue.table.view.itemVectors, [size, source.textDim]);
  let sameAsToday = 0;
  for (let u = 0; u < users.length; u++) {
    const e = await timed(() => catalogue.topK(queries[u], request(users[u]), { mode: 'exact' }));
    exact.push(e.value);
    exactMs.push(e.ms);
    exactCpuMs.push(e.cpuMs);
    for (const [b, { candidates, probes }] of approximateSettings.entries()) {
      const a = await timed(() =>
        catalogue.topK(queries[u], request(users[u]), { mode: 'approximate', candidates, probes }),
      );
      approximate[b].push(a.value);
      approximateMs[b].push(a.ms);
      approximateCpuMs[b].push(a.cpuMs);
    }
    if (u < bruteUsers) {
      const b = await timed(() => todaysBruteForce(itemTensor, catalogue, users[u]));
      bruteMs.push(b.ms);
      bruteCpuMs.push(b.cpuMs);
      // today's float32 scores against the serving float64 ones: equal lists up to near-ties
      if (b.value.every((row, position) => row === e.value.rows[position])) sameAsToday++;
    }
  }
  itemTensor.dispose();
  const loadAfterQueries = loads();
  let identical = 0;
  const identityUsers = Math.min(users.length, 3);
  for (let u = 0; u < identityUsers; u++) {
    const reference = bruteForceTopK(catalogue.table, queries[u], request(users[u]));
    if (
      reference.rows.length === exact[u].rows.length &&
      reference.rows.every((row, position) => row === exact[u].rows[position])
    )
      identical++;
  }
  // tie-aware recall: an approximate item counts when it scores at least the exact at-th score
  // (equal scores are interchangeable; an untrained part gives many exact ties)
  const recallOf = (b: number, u: number, at: number): number => {
    const e = exact[u];
    if (e.rows.length < at) return 1;
    const threshold = e.scores[at - 1];
    return (
      Array.from(approximate[b][u].scores.subarray(0, at)).filter((score) => score >= threshold).length / at
    );
  };
  const recall = (b: number, at: number): number => mean(exact.map((_, u) => recallOf(b, u, at)));
  const bruteMean = mean(bruteMs);
  const exactMean = mean(exactMs);
  rows.push(
    {
      suite,
      name: `brute force (today's path, ${tf.getBackend()}) ${label}`,
      value: bruteMean,
      unit: 'ms/user',
      notes: `${bruteMs.length} users, CPU ${mean(bruteCpuMs).toFixed(1)} ms/user; lists equal to exact for ${sameAsToday}/${bruteMs.length} (float32 vs float64 scores)`,
    },
    {
      suite,
      name: `exact-pruned ${label}`,
      value: exactMean,
      unit: 'ms/user',
      notes: `${users.length} users, p95 ${percentile(exactMs, 0.95).toFixed(1)} ms, CPU ${mean(exactCpuMs).toFixed(1)} ms/user, ${mean(exact.map((e) => e.scored)).toFixed(0)} items scored per user`,
    },
    {
      suite,
      name: `exact-pruned speed-up over brute force ${label}`,
      value: bruteMean / exactMean,
      unit: 'x',
      target: size >= 1e6 ? '>= 5' : undefined,
      pass: size >= 1e6 ? bruteMean / exactMean >= 5 : undefined,
    },
    {
      suite,
      name: `exact-pruned identical to the serving brute force ${label}`,
      value: identical / identityUsers,
      unit: 'share of users',
      target: '1',
      pass: identical === identityUsers,
      notes: `${identityUsers} users, rows and order compared`,
    },
    ...approximateSettings.flatMap(({ label: setting }, b): BenchRow[] => [
      {
        suite,
        name: `approximate (${setting}) ${label}`,
        value: mean(approximateMs[b]),
        unit: 'ms/user',
        target: size >= 1e6 ? '<= 10' : undefined,
        pass: size >= 1e6 ? mean(approximateMs[b]) <= 10 : undefined,
        notes: `${users.length} users, p95 ${percentile(approximateMs[b], 0.95).toFixed(1)} ms, CPU ${mean(approximateCpuMs[b]).toFixed(1)} ms/user (p95 ${percentile(approximateCpuMs[b], 0.95).toFixed(1)}), ${mean(approximate[b].map((a) => a.scored)).toFixed(0)} items scored; load average ${loadBeforeQueries} before the queries, ${loadAfterQueries} after`,
      },
      {
        suite,
        name: `approximate (${setting}) recall@10 ${label}`,
        value: recall(b, 10),
        unit: 'of exact top-10',
      },
      {
        suite,
        name: `approximate (${setting}) recall@100 ${label}`,
        value: recall(b, 100),
        unit: 'of exact top-100',
        target: size >= 1e6 ? '>= 0.99' : undefined,
        pass: size >= 1e6 ? recall(b, 100) >= 0.99 : undefined,
        notes: `lowest user ${Math.min(...exact.map((_, u) => recallOf(b, u, 100))).toFixed(2)}`,
      },
    ]),
  );

  if (size === Math.min(...sizes)) {
    // 1,000 new items: vectors from their text alone (the model's encoders), into the index
    const newIds = Array.from({ length: 1000 }, (_, n) => `new-${n}`);
    const newTexts = Array.from({ length: 1000 }, (_, n) => texts[(n * 7) % texts.length]);
    const added = await timed(async () => catalogue.upsert(newIds, await model.encodeItems(newTexts)));
    rows.push({
      suite,
      name: `add 1,000 items from text to the ${label} index`,
      value: added.ms / 1000,
      unit: 's',
      notes: `encode + index, ${added.value.added} added, no retraining`,
    });
  }
  catalogue.dispose();
  return rows;
}

export default async function serving(): Promise<BenchRow[]> {
  await selectBackend(backend);
  const { model, source, texts } = await trainedSource();
  const rows: BenchRow[] = [];
  for (const size of sizes) rows.push(...(await benchSize(size, source, model, texts)));
  model.dispose();
  rows.push({
    suite,
    name: 'note',
    value: 0,
    unit: '',
    notes: 'measured on a 2-core machine shared with other jobs: compare rows of one run',
  });
  return rows;
}
