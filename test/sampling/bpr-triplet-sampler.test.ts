import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CsrMatrix } from '../../src/data/csr';
import { BprTripletSampler } from '../../src/sampling/bpr-triplet-sampler';

function csrFromRows(rows: number[][], columnCount: number, timestamps?: number[][]): CsrMatrix {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((row, u) => (offsets[u + 1] = offsets[u] + row.length));
  const order = rows.map((row) => row.map((item, k) => [item, k] as const).sort((a, b) => a[0] - b[0]));
  return {
    rowCount: rows.length,
    columnCount,
    offsets,
    indices: Int32Array.from(order.flatMap((row) => row.map(([item]) => item))),
    timestamps: timestamps
      ? Float64Array.from(order.flatMap((row, u) => row.map(([, k]) => timestamps[u][k])))
      : undefined,
  };
}

/** Pearson chi-square statistic of observed counts against a uniform expectation. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
}

// 99.9% quantiles of the chi-square distribution by degrees of freedom.
const chiSquare999: Record<number, number> = { 4: 18.47, 9: 27.88, 19: 43.82 };

describe('BprTripletSampler', () => {
  const rows = [[0, 1, 2], [3], [4, 5, 6, 7, 8], [], [1, 9], [0, 2, 4, 6, 8]];
  const matrix = csrFromRows(rows, 20);

  it('draws users uniformly among users with positives (chi-square)', () => {
    const sampler = new BprTripletSampler(matrix, { batchSize: 1000, includeHistory: false, seed: 3 });
    const counts = new Array<number>(6).fill(0);
    for (let k = 0; k < 20; k++) for (const user of sampler.nextBatch().users) counts[user]++;
    expect(counts[3]).toBe(0);
    counts.splice(3, 1);
    expect(chiSquare(counts)).toBeLessThan(chiSquare999[4]);
    expect(sampler.exclusions.withoutPositives).toBe(1);
  });

  it('draws positives uniformly within a user and negatives uniformly among non-positives (chi-square)', () => {
    const single = csrFromRows([[2, 5, 7, 11, 13, 17, 19, 23, 29, 31]], 40);
    const sampler = new BprTripletSampler(single, { batchSize: 2000, includeHistory: false, seed: 5 });
    const positiveCounts = new Map<number, number>();
    const negativeCounts = new Map<number, number>();
    for (let k = 0; k < 10; k++) {
      const batch = sampler.nextBatch();
      batch.positives.forEach((item) => positiveCounts.set(item, (positiveCounts.get(item) ?? 0) + 1));
      batch.negatives.forEach((item) => negativeCounts.set(item, (negativeCounts.get(item) ?? 0) + 1));
    }
    expect([...positiveCounts.keys()].sort((a, b) => a - b)).toEqual([2, 5, 7, 11, 13, 17, 19, 23, 29, 31]);
    expect(chiSquare([...positiveCounts.values()])).toBeLessThan(chiSquare999[9]);
    expect(negativeCounts.size).toBe(30);
    // 30 categories: 29 degrees of freedom, 99.9% quantile 58.30
    expect(chiSquare([...negativeCounts.values()])).toBeLessThan(58.3);
  });

  it('draws negatives uniformly from the complement for a user who likes most of the catalogue', () => {
    const dense = csrFromRows([Array.from({ length: 95 }, (_, i) => i).filter((i) => i % 19 !== 0)], 95);
    // non-positives: 0, 19, 38, 57, 76
    const sampler = new BprTripletSampler(dense, { batchSize: 5000, includeHistory: false, seed: 2 });
    const counts = new Map<number, number>();
    for (const item of sampler.nextBatch().negatives) counts.set(item, (counts.get(item) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([0, 19, 38, 57, 76]);
    expect(chiSquare([...counts.values()])).toBeLessThan(chiSquare999[4]);
  });

  it('reports users with no possible negative instead of looping on them', () => {
    const full = csrFromRows([[0, 1, 2], [1]], 3);
    const sampler = new BprTripletSampler(full, { batchSize: 50, seed: 1 });
    expect(Array.from(sampler.exclusions.withoutNegatives)).toEqual([0]);
    expect(sampler.nextBatch().users.every((user) => user === 1)).toBe(true);
    expect(() => new BprTripletSampler(csrFromRows([[0, 1]], 2))).toThrow(/no user can be sampled/);
  });

  it('keeps its invariants on random matrices (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 30 }),
        fc.array(fc.uniqueArray(fc.nat(29), { maxLength: 29 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer(),
        (columnCount, rawRows, maxHistory, seed) => {
          const rowsInRange = rawRows.map((row) => row.filter((item) => item < columnCount));
          if (!rowsInRange.some((row) => row.length > 0 && row.length < columnCount)) return;
          const random = csrFromRows(rowsInRange, columnCount);
          const sampler = new BprTripletSampler(random, { batchSize: 16, maxHistory, seed });
          const batch = sampler.nextBatch();
          for (let b = 0; b < 16; b++) {
            const positives = new Set(rowsInRange[batch.users[b]]);
            expect(positives.has(batch.positives[b])).toBe(true);
            expect(positives.has(batch.negatives[b])).toBe(false);
            const history = Array.from(
              batch.historyItems.subarray(batch.historyOffsets[b], batch.historyOffsets[b + 1]),
            );
            expect(history.length).toBe(Math.min(maxHistory, positives.size - 1));
            expect(history).not.toContain(batch.positives[b]);
            expect(new Set(history).size).toBe(history.length);
            for (const item of history) expect(positives.has(item)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("caps histories to the latest items with 'recent'", () => {
    const timed = csrFromRows([[10, 11, 12, 13, 14, 15]], 30, [[6, 5, 4, 3, 2, 1]]);
    const sampler = new BprTripletSampler(timed, {
      batchSize: 200,
      maxHistory: 2,
      historyStrategy: 'recent',
      seed: 4,
    });
    const batch = sampler.nextBatch();
    for (let b = 0; b < 200; b++) {
      const history = Array.from(
        batch.historyItems.subarray(batch.historyOffsets[b], batch.historyOffsets[b + 1]),
      );
      // latest = highest timestamps = items 10 and 11, unless one of them is the positive
      const expected = [10, 11, 12].filter((item) => item !== batch.positives[b]).slice(0, 2);
      expect(history).toEqual(expected);
    }
  });

  it('gives the same batches for the same seed', () => {
    const a = new BprTripletSampler(matrix, { batchSize: 32, maxHistory: 2, seed: 8 });
    const b = new BprTripletSampler(matrix, { batchSize: 32, maxHistory: 2, seed: 8 });
    for (let k = 0; k < 3; k++) expect(a.nextBatch()).toEqual(b.nextBatch());
  });

  it('defines an epoch as a fraction of the positives and iterates one epoch', async () => {
    const sampler = new BprTripletSampler(matrix, { batchSize: 1, epochFraction: 0.5, seed: 1 });
    // 16 positives x 0.5 = 8 triplets = 8 batches of 1
    expect(sampler.stepsPerEpoch).toBe(8);
    expect([...sampler]).toHaveLength(8);
    let count = 0;
    for await (const batch of sampler) count += batch.users.length;
    expect(count).toBe(8);
  });

  it('favours popular negatives with a popularity exponent', () => {
    // item 0 is liked by 9 users, the rest by one user each
    const skewed = csrFromRows([...Array.from({ length: 9 }, (_, u) => [0, u + 1]), [15]], 16);
    const sampler = new BprTripletSampler(skewed, {
      batchSize: 5000,
      includeHistory: false,
      negativeSampling: { popularityExponent: 1 },
      seed: 6,
    });
    const batch = sampler.nextBatch();
    let zeros = 0;
    let eligible = 0;
    batch.users.forEach((user, b) => {
      if (user !== 9) return;
      eligible++;
      if (batch.negatives[b] === 0) zeros++;
    });
    // for user 9 the weights are count + 1: item 0 has 10 of 10 + 9x2 (items 1-9) + 5x1 (items 10-14) = 33
    expect(zeros / eligible).toBeGreaterThan(0.25);
    expect(zeros / eligible).toBeLessThan(0.42);
  });

  it('rejects malformed matrices and options with the offending value', () => {
    expect(() => new BprTripletSampler(matrix, { batchSize: 0 })).toThrow(/batchSize/);
    expect(() => new BprTripletSampler(matrix, { historyStrategy: 'recent' })).toThrow(/timestamps/);
    const unsorted = { ...matrix, indices: Int32Array.from(matrix.indices).reverse() };
    expect(() => new BprTripletSampler(unsorted)).toThrow(/not sorted|outside/);
    expect(() => new BprTripletSampler({ ...matrix, columnCount: 5 })).toThrow(/item \d+, outside \[0, 5\)/);
  });
});
