import { describe, expect, it } from 'vitest';
import { BprMatrixFactorization } from '../../src/collaborative/bpr-mf';
import type { CsrMatrix } from '../../src/data/csr';
import {
  addCollaborativeScores,
  collaborativePairScores,
  collaborativeUserVectors,
  fitCollaborativePart,
  foldInUser,
} from '../../src/collaborative';

/** Ten items on two axes: items 0-4 point along (1, 0), items 5-9 along (0, 1); no biases. */
function twoTopicPart(): BprMatrixFactorization {
  const itemFactors = new Float32Array(20);
  for (let item = 0; item < 10; item++) itemFactors[item * 2 + (item < 5 ? 0 : 1)] = 1;
  return BprMatrixFactorization.fromFactors({
    factors: 2,
    userFactors: Float32Array.of(2, -1, -1, 2),
    itemFactors,
    itemBiases: new Float32Array(10),
  });
}

describe('collaborative part', () => {
  it('folds in a new user towards the axis of their history', () => {
    const part = twoTopicPart();
    const user = foldInUser(part, [0, 1, 2]);
    expect(user[0]).toBeGreaterThan(0);
    expect(user[1]).toBeLessThan(0);
    // the same history always gives the same vector; an empty history gives zero
    expect(Array.from(foldInUser(part, [0, 1, 2]))).toEqual(Array.from(user));
    expect(Array.from(foldInUser(part, []))).toEqual([0, 0]);
    expect(() => foldInUser(part, [0, 10])).toThrow(/history item 10 \(position 1\) out of range \[0, 10\)/);
  });

  it('scores known users with p_u and anonymous histories with their fold-in, by hand', () => {
    const part = twoTopicPart();
    const vectors = collaborativeUserVectors(part, [1, -1], (row) => (row === 1 ? [5, 6] : []));
    expect(Array.from(vectors.subarray(0, 2))).toEqual([-1, 2]); // user 1's p_u
    expect(vectors[3]).toBeGreaterThan(0); // folded in towards items 5-9
    const scores = new Float32Array(20).fill(1);
    addCollaborativeScores(part, vectors, scores);
    expect(scores[0]).toBeCloseTo(1 - 1, 6); // user 1 . item 0 = -1, plus the 1 already there
    expect(scores[7]).toBeCloseTo(1 + 2, 6);
    expect(scores[10 + 7]).toBeGreaterThan(scores[10 + 0]);
    expect(Array.from(collaborativePairScores(part, [0, 1, -1], [0, 0, 0]))).toEqual([2, -1, 0]);
    expect(() => addCollaborativeScores(part, vectors, new Float32Array(7))).toThrow(
      /7 scores for 2 user vectors/,
    );
  });

  it('gives items unseen in training zero factors and a bias below every seen item', () => {
    const rows = [
      [0, 1, 2],
      [1, 2, 3],
      [0, 3],
      [2, 3, 1],
    ];
    const train: CsrMatrix = {
      rowCount: rows.length,
      columnCount: 6,
      offsets: Int32Array.from([0, 3, 6, 8, 11]),
      indices: Int32Array.from(rows.flatMap((row) => [...row].sort((a, b) => a - b))),
    };
    const part = fitCollaborativePart(train, 4, { epochs: 50, seed: 2 });
    const seenBiases = [0, 1, 2, 3].map((item) => part.itemBiases[item]);
    for (const cold of [4, 5]) {
      expect(Array.from(part.itemFactors.subarray(cold * 4, cold * 4 + 4))).toEqual([0, 0, 0, 0]);
      expect(part.itemBiases[cold]).toBe(Math.min(...seenBiases));
    }
    // seen items keep exactly BPR-MF's fit
    const reference = BprMatrixFactorization.fit(train, { factors: 4, epochs: 50, seed: 2 });
    expect(Array.from(part.userFactors)).toEqual(Array.from(reference.userFactors));
    expect(Array.from(part.itemFactors.subarray(0, 16))).toEqual(
      Array.from(reference.itemFactors.subarray(0, 16)),
    );
  });
});
