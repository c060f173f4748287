import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CsrMatrix } from '../../src/data/csr';
import { evaluateRanking } from '../../src/metrics/evaluate-ranking';
import { summarize } from '../../src/metrics/summary';
import { SeededRandom } from '../../src/random';
import {
  close,
  csrFromRows,
  fullRanking,
  referenceAuc,
  referenceAveragePrecision,
  referenceHit,
  referenceNdcg,
  referencePrecision,
  referenceRecall,
  referenceReciprocalRank,
} from './reference';

const allMetrics = [
  'recall@3',
  'recall@50',
  'precision@3',
  'hit@2',
  'ndcg@4',
  'map@5',
  'mrr',
  'mrr@2',
  'auc',
  'coverage@3',
];

/** Brute force: full sort of every user's non-excluded items, then the textbook formulas. */
function referenceEvaluation(
  scores: Float32Array,
  itemCount: number,
  targets: number[][],
  exclude: number[][],
  normalization: 'min(k,|R|)' | '|R|',
) {
  const users: number[] = [];
  const values: Record<string, number[]> = {};
  const covered = new Set<number>();
  for (const name of allMetrics) values[name] = [];
  targets.forEach((targetRow, user) => {
    const excluded = new Set(exclude[user]);
    const relevant = new Set(targetRow.filter((item) => !excluded.has(item)));
    if (relevant.size === 0) return;
    users.push(user);
    const row = scores.subarray(user * itemCount, (user + 1) * itemCount);
    const ranking = fullRanking(row, excluded);
    const candidates = ranking.slice().sort((a, b) => a - b);
    values['recall@3'].push(referenceRecall(ranking, relevant, 3));
    values['recall@50'].push(referenceRecall(ranking, relevant, 50));
    values['precision@3'].push(referencePrecision(ranking, relevant, 3));
    values['hit@2'].push(referenceHit(ranking, relevant, 2));
    values['ndcg@4'].push(referenceNdcg(ranking, relevant, 4));
    values['map@5'].push(referenceAveragePrecision(ranking, relevant, 5, normalization));
    values['mrr'].push(referenceReciprocalRank(ranking, relevant));
    values['mrr@2'].push(referenceReciprocalRank(ranking, relevant, 2));
    values['auc'].push(referenceAuc(row, relevant, candidates));
    ranking.slice(0, 3).forEach((item) => covered.add(item));
  });
  return { users, values, coverage: covered.size / itemCount };
}

const scenario = fc.integer({ min: 1, max: 25 }).chain((itemCount) =>
  fc.record({
    itemCount: fc.constant(itemCount),
    users: fc.array(
      fc.record({
        targets: fc.array(fc.integer({ min: 0, max: itemCount - 1 }), { maxLength: 6 }),
        exclude: fc.array(fc.integer({ min: 0, max: itemCount - 1 }), { maxLength: itemCount }),
      }),
      { minLength: 1, maxLength: 12 },
    ),
    seed: fc.integer(),
    batchSize: fc.integer({ min: 1, max: 5 }),
    normalization: fc.constantFrom<'min(k,|R|)' | '|R|'>('min(k,|R|)', '|R|'),
  }),
);

function tiedScores(userCount: number, itemCount: number, seed: number): Float32Array {
  const random = new SeededRandom(seed);
  const scores = new Float32Array(userCount * itemCount);
  for (let i = 0; i < scores.length; i++) scores[i] = random.nextInt(5); // many ties
  return scores;
}

function rowsScorer(scores: Float32Array, itemCount: number) {
  return (users: Int32Array): Float32Array => {
    const out = new Float32Array(users.length * itemCount);
    users.forEach((user, b) =>
      out.set(scores.subarray(user * itemCount, (user + 1) * itemCount), b * itemCount),
    );
    return out;
  };
}

describe('evaluateRanking', () => {
  it('matches a full-sort brute force on random users, ties, exclusions and batch sizes', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ itemCount, users, seed, batchSize, normalization }) => {
        const targetRows = users.map((user) => user.targets);
        const excludeRows = users.map((user) => user.exclude);
        const scores = tiedScores(users.length, itemCount, seed);
        const result = await evaluateRanking({
          itemCount,
          targets: csrFromRows(targetRows, itemCount),
          exclude: csrFromRows(excludeRows, itemCount),
          score: async (batch) => rowsScorer(scores, itemCount)(batch),
          metrics: allMetrics,
          userBatchSize: batchSize,
          averagePrecisionNormalization: normalization,
        });
        const expected = referenceEvaluation(scores, itemCount, targetRows, excludeRows, normalization);
        expect(Array.from(result.users)).toEqual(expected.users);
        for (const name of allMetrics) {
          if (name === 'coverage@3') continue;
          const actual = Array.from(result.perUser[name]);
          expected.values[name].forEach((value, index) => {
            if (!close(actual[index], value)) {
              throw new Error(`${name} user ${expected.users[index]}: ${actual[index]} != ${value}`);
            }
          });
          const summary = summarize(expected.values[name]);
          expect(close(result.mean[name], summary.mean, 1e-9)).toBe(true);
          expect(close(result.standardError[name], summary.standardError, 1e-9)).toBe(true);
        }
        expect(result.mean['coverage@3']).toBeCloseTo(expected.coverage, 12);
        expect(result.usersEvaluated + result.usersSkipped).toBe(users.length);
      }),
      { numRuns: 150 },
    );
  });

  it('matches the brute force on a larger catalogue (pre-filtered top-k), with NaN on excluded items', async () => {
    const itemCount = 2000;
    const userCount = 6;
    const random = new SeededRandom(11);
    const targetRows = Array.from({ length: userCount }, () =>
      Array.from({ length: 1 + random.nextInt(30) }, () => random.nextInt(itemCount)),
    );
    const excludeRows = Array.from({ length: userCount }, () =>
      Array.from({ length: random.nextInt(200) }, () => random.nextInt(itemCount)),
    );
    const scores = new Float32Array(userCount * itemCount);
    for (let i = 0; i < scores.length; i++)
      scores[i] = random.nextInt(50) + random.nextFloat() * (i % 3 === 0 ? 0 : 1);
    const withNaN = Float32Array.from(scores);
    excludeRows.forEach((row, user) => row.forEach((item) => (withNaN[user * itemCount + item] = NaN)));
    const metrics = ['recall@50', 'ndcg@40', 'map@100', 'mrr', 'auc'];
    const result = await evaluateRanking({
      itemCount,
      targets: csrFromRows(targetRows, itemCount),
      exclude: csrFromRows(excludeRows, itemCount),
      score: rowsScorer(withNaN, itemCount),
      metrics,
    });
    targetRows.forEach((targetRow, user) => {
      const excluded = new Set(excludeRows[user]);
      const relevant = new Set(targetRow.filter((item) => !excluded.has(item)));
      const row = scores.subarray(user * itemCount, (user + 1) * itemCount);
      const ranking = fullRanking(row, excluded);
      const index = Array.from(result.users).indexOf(user);
      expect(close(result.perUser['recall@50'][index], referenceRecall(ranking, relevant, 50))).toBe(true);
      expect(close(result.perUser['ndcg@40'][index], referenceNdcg(ranking, relevant, 40))).toBe(true);
      expect(close(result.perUser['map@100'][index], referenceAveragePrecision(ranking, relevant, 100))).toBe(
        true,
      );
      expect(close(result.perUser['mrr'][index], referenceReciprocalRank(ranking, relevant))).toBe(true);
      const candidates = ranking.slice().sort((a, b) => a - b);
      expect(close(result.perUser['auc'][index], referenceAuc(row, relevant, candidates))).toBe(true);
    });
  });

  it('skips users without relevant items and says why', async () => {
    // user 0: fine; 1: no targets; 2: its only target is a training item; 3: one of two excluded
    const targets = csrFromRows([[1], [], [2], [0, 3]], 4);
    const exclude = csrFromRows([[0], [1], [2], [3]], 4);
    let scoredUsers: number[] = [];
    const result = await evaluateRanking({
      itemCount: 4,
      targets,
      exclude,
      score: (users) => {
        scoredUsers = scoredUsers.concat(Array.from(users));
        return new Float32Array(users.length * 4).fill(1);
      },
      metrics: ['recall@1'],
    });
    expect(Array.from(result.users)).toEqual([0, 3]);
    expect(scoredUsers).toEqual([0, 3]); // skipped users are never scored
    expect(Array.from(result.skipped.users)).toEqual([1, 2]);
    expect(result.skipped.reasons).toEqual(['no-relevant-items', 'all-relevant-items-excluded']);
    expect(result.skippedByReason).toEqual({ 'no-relevant-items': 1, 'all-relevant-items-excluded': 1 });
    expect(result.droppedTargets).toBe(2);
    // all scores tie: user 0 ranks 1,2,3 (0 excluded) => item 1 first; user 3 ranks 0,1,2 => item 0 first
    expect(Array.from(result.perUser['recall@1'])).toEqual([1, 1]);
  });

  it('handles k larger than the catalogue and all relevant items on top', async () => {
    const scores = new Float32Array([
      9,
      8,
      1,
      0, // user 0: relevant 0 and 1 on top
      0,
      1,
      2,
      3, // user 1: relevant 0 last
    ]);
    const result = await evaluateRanking({
      itemCount: 4,
      targets: csrFromRows([[0, 1], [0]], 4),
      score: rowsScorer(scores, 4),
      metrics: ['recall@100', 'precision@100', 'ndcg@100', 'map@100', 'mrr', 'auc', 'coverage@100'],
    });
    expect(Array.from(result.perUser['recall@100'])).toEqual([1, 1]);
    expect(Array.from(result.perUser['precision@100'])).toEqual([2 / 100, 1 / 100]);
    expect(result.perUser['ndcg@100'][0]).toBeCloseTo(1, 15);
    expect(result.perUser['ndcg@100'][1]).toBeCloseTo(1 / Math.log2(5), 15);
    expect(result.perUser['map@100'][0]).toBeCloseTo(1, 15);
    expect(result.perUser['map@100'][1]).toBeCloseTo(1 / 4, 15);
    expect(Array.from(result.perUser['mrr'])).toEqual([1, 1 / 4]);
    expect(Array.from(result.perUser['auc'])).toEqual([1, 0]);
    expect(result.mean['coverage@100']).toBe(1);
    expect(result.standardError['coverage@100']).toBeNaN();
    expect(result.mean['mrr']).toBeCloseTo(5 / 8, 15);
  });

  it('finds the full-ranking rank for mrr when the first hit is beyond every cutoff', async () => {
    const itemCount = 50;
    const scores = new Float32Array(itemCount).map((_, item) => itemCount - item); // item 0 best
    const result = await evaluateRanking({
      itemCount,
      targets: csrFromRows([[40, 45]], itemCount),
      exclude: csrFromRows([[3, 7, 41]], itemCount),
      score: rowsScorer(scores, itemCount),
      metrics: ['recall@5', 'mrr', 'mrr@5'],
    });
    // 40 items beat item 40, of which 3 and 7 are excluded: rank 39
    expect(result.perUser['mrr'][0]).toBeCloseTo(1 / 39, 15);
    expect(result.perUser['mrr@5'][0]).toBe(0);
  });

  it('reports auc as NaN for a user whose every non-excluded item is relevant, and leaves it out of the mean', async () => {
    const result = await evaluateRanking({
      itemCount: 3,
      targets: csrFromRows([[0, 1], [0]], 3),
      exclude: csrFromRows([[2], []], 3),
      score: () => new Float32Array([1, 2, 3, 3, 2, 1]),
      metrics: ['auc'],
    });
    expect(result.perUser['auc'][0]).toBeNaN();
    expect(result.perUser['auc'][1]).toBe(1);
    expect(result.mean['auc']).toBe(1);
    expect(result.count['auc']).toBe(1);
  });

  it('uses the default metric list and reports progress per batch', async () => {
    const progress: number[] = [];
    const result = await evaluateRanking({
      itemCount: 3,
      targets: csrFromRows([[0], [1], [2]], 3),
      score: (users) => new Float32Array(users.length * 3),
      userBatchSize: 2,
      onProgress: (done, total) => progress.push(done, total),
    });
    expect(result.metrics).toEqual([
      'recall@10',
      'recall@50',
      'precision@10',
      'ndcg@10',
      'map@500',
      'hit@10',
      'mrr',
    ]);
    expect(progress).toEqual([2, 3, 3, 3]);
  });

  it('rejects malformed inputs with messages that say what and where', async () => {
    const targets = csrFromRows([[0], [1]], 3);
    const score = (users: Int32Array) => new Float32Array(users.length * 3);
    const run = (changes: Record<string, unknown>) =>
      evaluateRanking({ itemCount: 3, targets, score, metrics: ['recall@1'], ...changes });
    await expect(run({ score: () => new Float32Array(5) })).rejects.toThrow(
      /returned 5 values for 2 users; expected 2 x 3 = 6/,
    );
    await expect(run({ score: () => [0, 0, 0, 0, 0, 0] })).rejects.toThrow(/must return a Float32Array/);
    await expect(run({ score: () => new Float32Array([0, 0, 0, 0, NaN, 0]) })).rejects.toThrow(
      /NaN for user 1, item 1/,
    );
    await expect(run({ metrics: ['recal@10'] })).rejects.toThrow(/did you mean 'recall@10'/);
    await expect(run({ metrics: [] })).rejects.toThrow(/non-empty array/);
    await expect(run({ itemCount: 4 })).rejects.toThrow(/targets.columnCount is 3 but itemCount is 4/);
    await expect(run({ exclude: csrFromRows([[0]], 3) })).rejects.toThrow(
      /exclude has 1 rows but targets has 2/,
    );
    const unsorted: CsrMatrix = {
      rowCount: 1,
      columnCount: 3,
      offsets: new Int32Array([0, 2]),
      indices: new Int32Array([2, 0]),
    };
    await expect(run({ targets: unsorted })).rejects.toThrow(
      /targets: row 0 is not sorted ascending \(item 0 at indices\[1\] follows 2\)/,
    );
    const outside: CsrMatrix = {
      rowCount: 1,
      columnCount: 3,
      offsets: new Int32Array([0, 1]),
      indices: new Int32Array([3]),
    };
    await expect(run({ targets: outside })).rejects.toThrow(
      /row 0 holds item 3 \(indices\[0\]\), outside \[0, 3\)/,
    );
    const badOffsets: CsrMatrix = {
      rowCount: 2,
      columnCount: 3,
      offsets: new Int32Array([0, 1]),
      indices: new Int32Array([1]),
    };
    await expect(run({ targets: badOffsets })).rejects.toThrow(/offsets must have rowCount \+ 1 = 3 entries/);
    await expect(run({ users: new Int32Array([5]) })).rejects.toThrow(
      /users\[0\] = 5 is not a row of targets/,
    );
    await expect(run({ userBatchSize: 0 })).rejects.toThrow(/userBatchSize must be an integer >= 1/);
    await expect(run({ itemCount: 0 })).rejects.toThrow(/itemCount must be an integer >= 1/);
  });

  it('evaluates only the users asked for, in their order', async () => {
    const scores = new Float32Array([1, 0, 0, 1, 1, 0]);
    const result = await evaluateRanking({
      itemCount: 2,
      targets: csrFromRows([[0], [0], [1]], 2),
      score: rowsScorer(scores, 2),
      users: new Int32Array([2, 0]),
      metrics: ['hit@1'],
    });
    expect(Array.from(result.users)).toEqual([2, 0]);
    expect(Array.from(result.perUser['hit@1'])).toEqual([0, 1]);
  });
});
