// Attention against uniform and against its mean ablation (issue #18), per data set and model
// variant, with the defaults of bench/attention.ts (about 11 minutes on 2 shared cores); the
// markdown tables of docs/quality.md go to stderr. Options through the environment:
// MARS_BENCH_ATTENTION_DATASETS (default amazon_office,movies_tmdb_small,mind_small_sample),
// MARS_BENCH_ATTENTION_VARIANTS (default mars,mars-text), MARS_BENCH_ATTENTION_SEED (default 1).
// For the other options (users explained, budget, JSON output): `npm run attention -- ...`.
import { selectBackend } from '../../src/backend';
import {
  ATTENTION_DATASETS,
  ATTENTION_VARIANTS,
  formatAttentionTables,
  runAttentionReport,
} from '../attention';
import type { BenchRow } from '../types';

export default async function attentionSuite(): Promise<BenchRow[]> {
  const backend = await selectBackend('wasm');
  const reports = await runAttentionReport({
    datasets: (process.env.MARS_BENCH_ATTENTION_DATASETS ?? ATTENTION_DATASETS.join(',')).split(','),
    variants: (process.env.MARS_BENCH_ATTENTION_VARIANTS ?? Object.keys(ATTENTION_VARIANTS).join(',')).split(
      ',',
    ),
    seed: Number(process.env.MARS_BENCH_ATTENTION_SEED ?? 1),
    splitSeed: 1,
    users: 100,
  });
  console.error(`\n${formatAttentionTables(reports)}\n`);
  const rows: BenchRow[] = [];
  for (const report of reports) {
    const name = `${report.dataset} ${report.variant}`;
    const top = report.explained.find((row) => row.candidates === 'top-10');
    if (top) {
      const notes = `${top.count} explanations of top-10 candidates, ${backend.name}`;
      rows.push(
        {
          suite: 'attention',
          name: `${name}: mean H(a)/log n`,
          value: top.normalizedEntropy.mean,
          unit: 'ratio',
          notes,
        },
        {
          suite: 'attention',
          name: `${name}: near uniform`,
          value: top.nearUniformShare,
          unit: 'share',
          notes,
        },
      );
    }
    const [attention, mean] = ['attention', 'mean'].map((kind) =>
      report.runs.find((run) => run.aggregation === kind),
    );
    if (attention && mean)
      rows.push(
        {
          suite: 'attention',
          name: `${name}: test recall@50 attention - mean`,
          value: attention.test.recall50 - mean.test.recall50,
          unit: 'difference',
          notes: `${attention.test.recall50.toFixed(4)} vs ${mean.test.recall50.toFixed(4)}`,
        },
        {
          suite: 'attention',
          name: `${name}: test MAP@500 attention - mean`,
          value: attention.test.map500 - mean.test.map500,
          unit: 'difference',
          notes: `${attention.test.map500.toFixed(4)} vs ${mean.test.map500.toFixed(4)}`,
        },
      );
  }
  return rows;
}
