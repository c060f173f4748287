// Data at scale (issue #16): for 10M, 50M and 100M generated page views (MARS_SCALE_SIZES to
// change), as CSV and as Parquet, the load time, rows/s, peak RSS and bytes per interaction, each
// in its own process; on the CSV load also sampling and BPR-MF triplets/s and evaluation ms per
// user. Writes bench/results/scale.json and the plot bench/results/scale.svg. The corpora are
// generated once into $TMPDIR/mars-rec-scale (several GB at 100M).
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadItemTokens } from '../../src/data/load-items';
import { Tokenizer } from '../../src/text/tokenizer';
import { generateScaleCorpus } from '../scale/generate';
import type { ScaleCorpus } from '../scale/generate';
import { plotScale } from '../scale/plot';
import type { ScaleMeasurement } from '../scale/plot';
import type { BenchRow } from '../types';

const run = promisify(execFile);
const benchFolder = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bytes of peak RSS allowed per interaction, beyond the item store (issue #16). */
const BYTES_PER_INTERACTION = 16;

async function measure(
  corpus: ScaleCorpus,
  format: 'csv' | 'parquet',
  train: boolean,
): Promise<Record<string, number>> {
  const args = [
    '--import',
    'tsx',
    join(benchFolder, 'scale', 'load-worker.ts'),
    '--items',
    corpus.items,
    '--interactions',
    format === 'csv' ? corpus.csv : corpus.parquet,
    '--token-cache',
    `${corpus.items}.tokens`,
    ...(train ? ['--train'] : []),
  ];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 20, timeout: 3_600_000 });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, number>;
}

export default async function scaleBench(): Promise<BenchRow[]> {
  const sizes = (process.env.MARS_SCALE_SIZES ?? '10000000,50000000,100000000').split(',').map(Number);
  const rows: BenchRow[] = [];
  const measurements: ScaleMeasurement[] = [];
  for (const size of sizes) {
    console.error(`bench scale: generating ${size} interactions (cached) ...`);
    const corpus = await generateScaleCorpus({ interactions: size });
    // tokenise the items once, outside the measured processes (they read the token cache)
    await loadItemTokens(corpus.items, { tokenizer: new Tokenizer(), cache: `${corpus.items}.tokens` });
    for (const format of ['csv', 'parquet'] as const) {
      console.error(`bench scale: loading ${size} from ${format} ...`);
      const m = await measure(corpus, format, format === 'csv');
      measurements.push({ size, format, ...m } as ScaleMeasurement);
      const label = `${(size / 1e6).toFixed(0)}M ${format}`;
      const notes = `${m.users} users, ${m.items} items (${m.itemTokens} tokens), ${m.interactions} distinct pairs`;
      const budget = BYTES_PER_INTERACTION * size + m.itemStoreBytes;
      rows.push(
        { suite: 'scale', name: `${label}: load (read + index)`, value: m.loadSeconds, unit: 's', notes },
        {
          suite: 'scale',
          name: `${label}: read rows/s (wall)`,
          value: m.rowsPerSecond,
          unit: 'rows/s',
          target: format === 'csv' ? '>= 2e6' : '>= 5e6',
          pass: m.rowsPerSecond >= (format === 'csv' ? 2e6 : 5e6),
          notes: 'wall clock on a shared 2-core machine',
        },
        {
          suite: 'scale',
          name: `${label}: read rows per CPU-second`,
          value: m.rowsPerCpuSecond,
          unit: 'rows/cpu-s',
          notes: `process CPU time (${format === 'parquet' ? "DuckDB's threads included" : 'one thread'})`,
        },
        {
          suite: 'scale',
          name: `${label}: peak RSS`,
          value: m.loadPeakRss / 2 ** 30,
          unit: 'GiB',
          target: `<= ${(budget / 2 ** 30).toFixed(2)} (16 B x rows + item store)`,
          pass: m.loadPeakRss <= budget,
          notes: `item store ${(m.itemStoreBytes / 2 ** 20).toFixed(0)} MiB`,
        },
        {
          suite: 'scale',
          name: `${label}: peak bytes per interaction beyond the item store`,
          value: m.bytesPerInteractionBeyondItems,
          unit: 'B',
          target: '<= 16',
          pass: m.bytesPerInteractionBeyondItems <= BYTES_PER_INTERACTION,
        },
      );
      if (format === 'csv') {
        rows.push(
          {
            suite: 'scale',
            name: `${label}: split (preprocess + per-user split)`,
            value: m.splitSeconds,
            unit: 's',
          },
          {
            suite: 'scale',
            name: `${label}: BPR triplets with histories (sampler)`,
            value: m.samplerTripletsPerSecond,
            unit: 'triplets/s',
          },
          {
            suite: 'scale',
            name: `${label}: BPR-MF SGD`,
            value: m.bprMfTripletsPerSecond,
            unit: 'triplets/s',
            notes: '64 factors',
          },
          {
            suite: 'scale',
            name: `${label}: evaluation, popularity`,
            value: m.popularityEvalMsPerUser,
            unit: 'ms/user',
            notes: '1,000 sampled users, full ranking',
          },
          {
            suite: 'scale',
            name: `${label}: evaluation, BPR-MF`,
            value: m.bprMfEvalMsPerUser,
            unit: 'ms/user',
            notes: '1,000 sampled users, full ranking',
          },
        );
      }
    }
  }
  // linear growth: cost exponent between the smallest and the largest size (1 = linear)
  for (const format of ['csv', 'parquet'] as const) {
    const own = measurements.filter((m) => m.format === format);
    if (own.length < 2) continue;
    const first = own[0];
    const last = own[own.length - 1];
    const ratio = Math.log(last.size / first.size);
    // CPU seconds, not wall: on a shared machine the wall clock follows the neighbours' load
    const cost = {
      'load CPU time': (m: ScaleMeasurement): number => Number(m.readCpuSeconds) + Number(m.indexCpuSeconds),
      'peak RSS beyond the items': (m: ScaleMeasurement): number => m.loadPeakRss - m.itemStoreBytes,
    };
    for (const [what, value] of Object.entries(cost)) {
      const exponent = Math.log(value(last) / value(first)) / ratio;
      rows.push({
        suite: 'scale',
        name: `${format}: growth exponent of ${what}, ${first.size / 1e6}M to ${last.size / 1e6}M`,
        value: exponent,
        unit: 'exponent',
        target: '<= 1.1 (linear)',
        pass: exponent <= 1.1,
      });
    }
  }
  const results = join(benchFolder, 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'scale.json'), JSON.stringify(measurements, null, 2));
  writeFileSync(join(results, 'scale.svg'), plotScale(measurements));
  console.error(`bench scale: wrote ${join(results, 'scale.json')} and scale.svg`);
  return rows;
}
