// `npm run bench -- metrics`: top-k selection and the full-ranking evaluator on synthetic,
// precomputed scores (seeded), against the targets.
import type { CsrMatrix } from '../../src/data/csr';
import { evaluateRanking, topK } from '../../src/metrics/index';
import { SeededRandom } from '../../src/sampling/random';
import type { BenchRow } from '../types';

const suite = 'metrics';

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function randomRows(random: SeededRandom, rowCount: number, itemCount: number, perRow: number): CsrMatrix {
  const offsets = new Int32Array(rowCount + 1);
  const indices: number[] = [];
  for (let row = 0; row < rowCount; row++) {
    const items = new Set<number>();
    const size = 1 + random.nextInt(2 * perRow - 1);
    while (items.size < size) items.add(random.nextInt(itemCount));
    indices.push(...[...items].sort((a, b) => a - b));
    offsets[row + 1] = indices.length;
  }
  return { rowCount, columnCount: itemCount, offsets, indices: Int32Array.from(indices) };
}

function benchTopK(random: SeededRandom): BenchRow[] {
  const itemCount = 1_000_000;
  const k = 100;
  const scores = new Float32Array(itemCount);
  for (let i = 0; i < itemCount; i++) scores[i] = random.nextFloat();
  const exclude = new Int32Array(5_000);
  for (let i = 0; i < exclude.length; i++) exclude[i] = i * 200;
  const rows: BenchRow[] = [];
  const cases: { label: string; scores: Float32Array; exclude?: Int32Array; target: boolean }[] = [
    { label: 'uniform scores', scores, target: true },
    { label: 'uniform scores, 5k excluded', scores, exclude, target: false },
    {
      label: 'ascending scores (worst case: every item enters)',
      scores: Float32Array.from(scores).sort(),
      target: false,
    },
  ];
  for (const { label, scores: row, exclude: excluded, target } of cases) {
    for (let i = 0; i < 5; i++) topK(row, k, excluded); // warm-up
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      topK(row, k, excluded);
      times.push(performance.now() - started);
    }
    const value = median(times);
    rows.push({
      suite,
      name: `topK k=100 of 1M scores, ${label}`,
      value,
      unit: 'ms',
      ...(target ? { target: '<= 10', pass: value <= 10 } : {}),
      notes: `median of 30 runs, min ${Math.min(...times).toFixed(2)} ms`,
    });
  }
  return rows;
}

async function benchEvaluator(random: SeededRandom): Promise<BenchRow[]> {
  const userCount = 10_000;
  const itemCount = 10_000;
  const targets = randomRows(random, userCount, itemCount, 10);
  const exclude = randomRows(random, userCount, itemCount, 40);
  // precomputed scores, [users, items] row-major (400 MB); targets get a bonus so that hits occur
  const scores = new Float32Array(userCount * itemCount);
  for (let i = 0; i < scores.length; i++) scores[i] = random.nextFloat();
  for (let user = 0; user < userCount; user++) {
    for (let t = targets.offsets[user]; t < targets.offsets[user + 1]; t++) {
      scores[user * itemCount + targets.indices[t]] += 0.05 + 0.5 * random.nextFloat();
    }
  }
  const score = (users: Int32Array): Float32Array => {
    const first = users[0];
    if (users[users.length - 1] === first + users.length - 1) {
      return scores.subarray(first * itemCount, (first + users.length) * itemCount); // no copy
    }
    const out = new Float32Array(users.length * itemCount);
    users.forEach((user, b) =>
      out.set(scores.subarray(user * itemCount, (user + 1) * itemCount), b * itemCount),
    );
    return out;
  };
  const rows: BenchRow[] = [];
  const configurations: { label: string; metrics: string[]; target: boolean }[] = [
    {
      label: 'recall@10,@50, precision@10, ndcg@10, map@500, hit@10, mrr, auc',
      metrics: ['recall@10', 'recall@50', 'precision@10', 'ndcg@10', 'map@500', 'hit@10', 'mrr', 'auc'],
      target: true,
    },
    {
      label: 'same without auc',
      metrics: ['recall@10', 'recall@50', 'precision@10', 'ndcg@10', 'map@500', 'hit@10', 'mrr'],
      target: true,
    },
    { label: 'recall@50 only', metrics: ['recall@50'], target: false },
  ];
  for (const { label, metrics, target } of configurations) {
    const warmUpUsers = Int32Array.from({ length: 500 }, (_, user) => user);
    await evaluateRanking({ itemCount, targets, exclude, score, metrics, users: warmUpUsers });
    const started = performance.now();
    const result = await evaluateRanking({ itemCount, targets, exclude, score, metrics });
    const value = (performance.now() - started) / 1000;
    rows.push({
      suite,
      name: `evaluateRanking 10k users x 10k items, ${label}`,
      value,
      unit: 's',
      ...(target ? { target: '<= 2', pass: value <= 2 } : {}),
      notes:
        `precomputed Float32 scores; ~10 targets, ~40 excluded per user; ${result.usersEvaluated} users; ` +
        `recall@50 ${result.mean['recall@50']?.toFixed(3) ?? '-'}`,
    });
  }
  return rows;
}

export default async function metricsSuite(): Promise<BenchRow[]> {
  const random = new SeededRandom(4);
  return [...benchTopK(random), ...(await benchEvaluator(random))];
}
