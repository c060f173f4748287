// Sampler throughput on movies_tmdb_small positives (rating >= 4), one core. Targets from issue #4.
import { join } from 'node:path';
import { InteractionDataset, loadInteractionsCsv, loadItemsJsonl, preprocess } from '../../src/data';
import type { CsrMatrix } from '../../src/data/csr';
import { BprTripletSampler } from '../../src/sampling';
import { sharedDatasetPath } from '../shared-data';
import type { BenchRow } from '../types';

async function positives(): Promise<{ matrix: CsrMatrix; source: string }> {
  const folder = sharedDatasetPath('movies_tmdb_small');
  if (!folder) throw new Error('bench sampling: ../shared/data/movies_tmdb_small is absent');
  const raw = InteractionDataset.build(
    await loadItemsJsonl(join(folder, 'items.jsonl')),
    await loadInteractionsCsv(join(folder, 'interactions.csv')),
  );
  return {
    matrix: preprocess(raw, { minRating: 4 }).dataset.interactions,
    source: 'movies_tmdb_small, rating >= 4',
  };
}

function measure(sampler: BprTripletSampler, seconds: number): number {
  for (let k = 0; k < 20; k++) sampler.nextBatch(); // warm up
  let triplets = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    for (let k = 0; k < 20; k++) triplets += sampler.nextBatch().users.length;
  }
  return triplets / ((performance.now() - started) / 1000);
}

export default async function samplingBench(): Promise<BenchRow[]> {
  const { matrix, source } = await positives();
  const notes = `${source}: ${matrix.rowCount} users, ${matrix.columnCount} items, ${matrix.indices.length} positives; batch 1024`;
  const withoutHistory = measure(
    new BprTripletSampler(matrix, { batchSize: 1024, includeHistory: false, seed: 1 }),
    2,
  );
  const withHistory = measure(
    new BprTripletSampler(matrix, { batchSize: 1024, maxHistory: 50, historyStrategy: 'random', seed: 1 }),
    2,
  );
  const withRecentHistory = measure(
    new BprTripletSampler(matrix, { batchSize: 1024, maxHistory: 50, historyStrategy: 'recent', seed: 1 }),
    2,
  );
  const popularity = measure(
    new BprTripletSampler(matrix, {
      batchSize: 1024,
      includeHistory: false,
      negativeSampling: { popularityExponent: 0.75 },
      seed: 1,
    }),
    2,
  );
  return [
    {
      suite: 'sampling',
      name: 'triplets without history',
      value: withoutHistory,
      unit: 'triplets/s',
      target: '>= 1e6',
      pass: withoutHistory >= 1e6,
      notes,
    },
    {
      suite: 'sampling',
      name: 'triplets with history <= 50 (random subset)',
      value: withHistory,
      unit: 'triplets/s',
      target: '>= 2e5',
      pass: withHistory >= 2e5,
      notes,
    },
    {
      suite: 'sampling',
      name: 'triplets with history <= 50 (most recent)',
      value: withRecentHistory,
      unit: 'triplets/s',
      target: '>= 2e5',
      pass: withRecentHistory >= 2e5,
      notes,
    },
    {
      suite: 'sampling',
      name: 'popularity-weighted negatives (alpha 0.75), no history',
      value: popularity,
      unit: 'triplets/s',
      notes,
    },
  ];
}
