import { describe, expect, it } from 'vitest';
import { BprMatrixFactorization, fitBprItemBiases, PopularityRecommender } from '../../src/baselines';
import type { CsrMatrix } from '../../src/data/csr';

function csrFromRows(rows: number[][], columnCount: number): CsrMatrix {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((row, u) => (offsets[u + 1] = offsets[u] + row.length));
  return {
    rowCount: rows.length,
    columnCount,
    offsets,
    indices: Int32Array.from(rows.flatMap((row) => [...row].sort((a, b) => a - b))),
  };
}

describe('PopularityRecommender', () => {
  it('scores each item by its number of training interactions, the same for every user', () => {
    const train = csrFromRows([[0, 2], [2], [1, 2], []], 4);
    const scores = PopularityRecommender.fit(train).scoreUsers(Int32Array.of(0, 3));
    expect(Array.from(scores)).toEqual([1, 1, 3, 0, 1, 1, 3, 0]);
  });
});

describe('BprMatrixFactorization', () => {
  // Two communities: users 0-9 like items 0-9, users 10-19 like items 10-19; each user has seen
  // half of their community's items. BPR-MF must rank the unseen in-community items above the
  // other community's items (random scores would order half of such pairs correctly).
  const rows = Array.from({ length: 20 }, (_, u) => {
    const base = u < 10 ? 0 : 10;
    return Array.from({ length: 5 }, (_, k) => base + ((u + k) % 10));
  });
  const train = csrFromRows(rows, 20);

  it('learns planted communities: unseen in-community items outrank the other community', () => {
    const model = BprMatrixFactorization.fit(train, {
      factors: 8,
      epochs: 400,
      l2: 0.01,
      learningRate: 0.05,
      seed: 3,
    });
    const scores = model.scoreUsers(Int32Array.from({ length: 20 }, (_, u) => u));
    let correctPairs = 0;
    let pairs = 0;
    for (let u = 0; u < 20; u++) {
      const seen = new Set(rows[u]);
      const base = u < 10 ? 0 : 10;
      const other = u < 10 ? 10 : 0;
      for (let i = base; i < base + 10; i++) {
        if (seen.has(i)) continue;
        for (let j = other; j < other + 10; j++) {
          pairs++;
          if (scores[u * 20 + i] > scores[u * 20 + j]) correctPairs++;
        }
      }
    }
    expect(correctPairs / pairs).toBeGreaterThan(0.9);
  });

  it('is reproducible for a seed and reports a falling loss', () => {
    const losses: number[] = [];
    const a = BprMatrixFactorization.fit(train, {
      factors: 4,
      epochs: 50,
      seed: 9,
      onEpochEnd: (_, loss) => losses.push(loss),
    });
    const b = BprMatrixFactorization.fit(train, { factors: 4, epochs: 50, seed: 9 });
    expect(Array.from(a.itemFactors)).toEqual(Array.from(b.itemFactors));
    expect(losses).toHaveLength(50);
    expect(losses[49]).toBeLessThan(losses[0]);
  });

  it('computes scores as p_u . q_i + b_i', () => {
    const model = BprMatrixFactorization.fit(train, { factors: 3, epochs: 2, seed: 1 });
    const scores = model.scoreUsers(Int32Array.of(4));
    for (const item of [0, 7, 19]) {
      let expected = model.itemBiases[item];
      for (let f = 0; f < 3; f++) expected += model.userFactors[4 * 3 + f] * model.itemFactors[item * 3 + f];
      expect(scores[item]).toBeCloseTo(expected, 5);
    }
    // any vector scores the same way: a user's own p_u gives their scores
    const own = model.scoreUserVectors(model.userFactors.slice(4 * 3, 5 * 3));
    expect(Array.from(own)).toEqual(Array.from(scores));
    expect(() => model.scoreUserVectors(new Float32Array(4))).toThrow(/4 values are not rows of 3 factors/);
  });

  it('rejects bad options and out-of-range users with the name of the problem', () => {
    expect(() => BprMatrixFactorization.fit(train, { factors: 0 })).toThrow(/factors/);
    expect(() => BprMatrixFactorization.fit(train, { l2: -1 })).toThrow(/l2/);
    const model = BprMatrixFactorization.fit(train, { factors: 2, epochs: 1 });
    expect(() => model.scoreUsers(Int32Array.of(20))).toThrow(/user index 20/);
  });

  it('skips users with no possible negative instead of looping forever', () => {
    const full = csrFromRows([[0, 1, 2], [0]], 3);
    const model = BprMatrixFactorization.fit(full, { factors: 2, epochs: 5 });
    expect(model.scoreUsers(Int32Array.of(0, 1))).toHaveLength(6);
  });
});

describe('fitBprItemBiases', () => {
  it('orders items by popularity (the bias-only BPR optimum), reproducibly for a seed', () => {
    // item i < 8 is liked by 8 - i of 8 users, item 8 by nobody, so every user has a negative
    const rows = Array.from({ length: 8 }, (_, user) =>
      Array.from({ length: 8 }, (_, item) => item).filter((item) => user < 8 - item),
    );
    const train = csrFromRows(rows, 9);
    const biases = fitBprItemBiases(train, { epochs: 400, seed: 3 });
    for (let item = 0; item < 8; item++) expect(biases[item]).toBeGreaterThan(biases[item + 1]);
    expect(Array.from(fitBprItemBiases(train, { epochs: 400, seed: 3 }))).toEqual(Array.from(biases));
    expect(() => fitBprItemBiases(train, { l2: -1 })).toThrow(/l2/);
  });
});
