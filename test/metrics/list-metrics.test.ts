import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auc } from '../../src/metrics/auc';
import { catalogueCoverage } from '../../src/metrics/coverage';
import {
  averagePrecisionAtK,
  hitAtK,
  ndcgAtK,
  precisionAtK,
  recallAtK,
  reciprocalRank,
} from '../../src/metrics/list-metrics';
import {
  close,
  referenceAuc,
  referenceAveragePrecision,
  referenceHit,
  referenceNdcg,
  referencePrecision,
  referenceRecall,
  referenceReciprocalRank,
} from './reference';

const ranked = new Int32Array([3, 1, 4, 5, 9]);
const relevant = new Int32Array([1, 5, 7]);

describe('per-list ranking metrics, hand-worked', () => {
  it('count the relevant items in the top k (recall, precision, hit)', () => {
    expect(recallAtK(ranked, relevant, 5)).toBeCloseTo(2 / 3, 15);
    expect(recallAtK(ranked, relevant, 1)).toBe(0);
    expect(precisionAtK(ranked, relevant, 5)).toBeCloseTo(2 / 5, 15);
    expect(precisionAtK(ranked, relevant, 2)).toBeCloseTo(1 / 2, 15);
    expect(hitAtK(ranked, relevant, 1)).toBe(0);
    expect(hitAtK(ranked, relevant, 2)).toBe(1);
  });

  it('average precision divides by min(k,|R|) by default and by |R| on request', () => {
    // relevant at ranks 2 and 4: P(2) = 1/2, P(4) = 2/4
    expect(averagePrecisionAtK(ranked, relevant, 5)).toBeCloseTo((1 / 2 + 2 / 4) / 3, 15);
    expect(averagePrecisionAtK(ranked, relevant, 2)).toBeCloseTo(1 / 2 / 2, 15);
    expect(averagePrecisionAtK(ranked, relevant, 2, { normalization: '|R|' })).toBeCloseTo(1 / 2 / 3, 15);
  });

  it('ndcg uses 1/log2(rank+1) discounts and an ideal list of min(|R|,k) hits', () => {
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
    expect(ndcgAtK(ranked, relevant, 5)).toBeCloseTo(dcg / (1 + 1 / Math.log2(3) + 1 / 2), 15);
    expect(ndcgAtK(ranked, relevant, 2)).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 15);
  });

  it('reciprocal rank is 1/rank of the first relevant item, 0 beyond the cutoff', () => {
    expect(reciprocalRank(ranked, relevant)).toBe(1 / 2);
    expect(reciprocalRank(ranked, relevant, 1)).toBe(0);
    expect(reciprocalRank(new Int32Array(0), relevant)).toBe(0);
  });

  it('a user with no relevant items has undefined recall, AP and NDCG, and zero hits', () => {
    const none = new Int32Array(0);
    expect(recallAtK(ranked, none, 3)).toBeNaN();
    expect(averagePrecisionAtK(ranked, none, 3)).toBeNaN();
    expect(ndcgAtK(ranked, none, 3)).toBeNaN();
    expect(precisionAtK(ranked, none, 3)).toBe(0);
    expect(hitAtK(ranked, new Set(), 3)).toBe(0);
    expect(reciprocalRank(ranked, none)).toBe(0);
  });

  it('k larger than the list: recall is complete, precision still divides by k', () => {
    const all = new Int32Array([2, 0, 1]);
    const wanted = new Set([0, 2]);
    expect(recallAtK(all, wanted, 100)).toBe(1);
    expect(precisionAtK(all, wanted, 100)).toBeCloseTo(2 / 100, 15);
    expect(ndcgAtK(all, wanted, 100)).toBeCloseTo(1, 15);
    expect(averagePrecisionAtK(all, wanted, 100)).toBeCloseTo(1, 15);
  });

  it('all relevant items on top give perfect scores; AP with |R| > k reaches 1 only by default', () => {
    const list = new Int32Array([7, 8, 9, 1, 2]);
    const wanted = new Int32Array([7, 8, 9]);
    expect(recallAtK(list, wanted, 3)).toBe(1);
    expect(ndcgAtK(list, wanted, 3)).toBeCloseTo(1, 15);
    expect(ndcgAtK(list, wanted, 2)).toBeCloseTo(1, 15);
    expect(averagePrecisionAtK(list, wanted, 2)).toBeCloseTo(1, 15);
    expect(averagePrecisionAtK(list, wanted, 2, { normalization: '|R|' })).toBeCloseTo(2 / 3, 15);
    expect(reciprocalRank(list, wanted)).toBe(1);
  });

  it('rejects unsorted relevant arrays, repeated items, bad cutoffs and options', () => {
    expect(() => recallAtK(ranked, new Int32Array([5, 1]), 3)).toThrow(
      /sorted ascending.*item 1 at position 1 follows 5/,
    );
    expect(() => recallAtK(ranked, new Int32Array([1, 1]), 3)).toThrow(/without duplicates/);
    expect(() => recallAtK(new Int32Array([1, 2, 1]), relevant, 3)).toThrow(
      /item 1 twice \(second time at position 2\)/,
    );
    expect(() => precisionAtK(ranked, relevant, 0)).toThrow(/k must be an integer >= 1/);
    expect(() => ndcgAtK(ranked, relevant, 2.5)).toThrow(/k must be an integer >= 1/);
    expect(() => hitAtK([1, 2] as unknown as Int32Array, relevant, 1)).toThrow(
      /ranked must be an Int32Array/,
    );
    expect(() => hitAtK(ranked, [1] as unknown as Int32Array, 1)).toThrow(
      /Int32Array \(sorted ascending\) or a Set/,
    );
    expect(() =>
      averagePrecisionAtK(ranked, relevant, 3, { normalization: 'k' as unknown as '|R|' }),
    ).toThrow(/normalization must be 'min\(k,\|R\|\)' or '\|R\|', got "k"/);
  });
});

const listAndRelevant = fc.integer({ min: 1, max: 60 }).chain((itemCount) =>
  fc.record({
    ranked: fc.shuffledSubarray(
      Array.from({ length: itemCount }, (_, i) => i),
      { minLength: 0, maxLength: itemCount },
    ),
    relevant: fc.uniqueArray(fc.integer({ min: 0, max: itemCount - 1 }), { maxLength: itemCount }),
    k: fc.integer({ min: 1, max: itemCount + 5 }),
  }),
);

describe('per-list ranking metrics against the textbook formulas', () => {
  it('agree on random lists, with sorted arrays and sets alike', () => {
    fc.assert(
      fc.property(listAndRelevant, ({ ranked: list, relevant: wanted, k }) => {
        const rankedArray = Int32Array.from(list);
        const set = new Set(wanted);
        const sorted = Int32Array.from(wanted).sort();
        for (const form of [set, sorted]) {
          expect(close(recallAtK(rankedArray, form, k), referenceRecall(list, set, k))).toBe(true);
          expect(close(precisionAtK(rankedArray, form, k), referencePrecision(list, set, k))).toBe(true);
          expect(hitAtK(rankedArray, form, k)).toBe(referenceHit(list, set, k));
          expect(close(ndcgAtK(rankedArray, form, k), referenceNdcg(list, set, k))).toBe(true);
          expect(
            close(averagePrecisionAtK(rankedArray, form, k), referenceAveragePrecision(list, set, k)),
          ).toBe(true);
          expect(
            close(
              averagePrecisionAtK(rankedArray, form, k, { normalization: '|R|' }),
              referenceAveragePrecision(list, set, k, '|R|'),
            ),
          ).toBe(true);
          expect(reciprocalRank(rankedArray, form, k)).toBe(referenceReciprocalRank(list, set, k));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('auc', () => {
  it('is the share of relevant/non-relevant pairs ordered right, ties one half', () => {
    const scores = new Float32Array([0.9, 0.1, 0.5, 0.5, 0.3]);
    // relevant 2 (0.5) vs 0 (0.9): 0, vs 1: 1, vs 3 (tie): 0.5, vs 4: 1 => 2.5 / 4
    expect(auc(scores, new Int32Array([2]))).toBeCloseTo(2.5 / 4, 15);
    expect(auc(scores, new Set([0]))).toBe(1);
    expect(auc(scores, new Set([1]))).toBe(0);
    // candidates leave items 0 and 3 out: relevant 2 beats 1 and 4
    expect(auc(scores, new Set([2, 3]), new Int32Array([1, 2, 4]))).toBe(1);
  });

  it('is undefined without a relevant or a non-relevant candidate', () => {
    const scores = new Float32Array([1, 2]);
    expect(auc(scores, new Set())).toBeNaN();
    expect(auc(scores, new Set([0, 1]))).toBeNaN();
    expect(auc(scores, new Set([0]), new Int32Array([0]))).toBeNaN();
  });

  it('equals the all-pairs count on random scores with ties', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 80 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.boolean(),
        (values, rawRelevant, useCandidates) => {
          const scores = Float64Array.from(values);
          const set = new Set(rawRelevant.map((x) => x % values.length));
          const candidates = useCandidates
            ? values.map((_, i) => i).filter((i) => i % 3 !== 1)
            : values.map((_, i) => i);
          const actual = auc(scores, set, useCandidates ? Int32Array.from(candidates) : undefined);
          expect(close(actual, referenceAuc(scores, set, candidates))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stays exact with many relevant items, clustered ties and infinite scores', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 6, arbitrary: fc.double({ min: -1, max: 1, noNaN: true }) },
            { weight: 3, arbitrary: fc.constantFrom(0.25, 0.5, 0.5000001) },
            { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity, 1e300) },
          ),
          { minLength: 2, maxLength: 150 },
        ),
        fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
        (values, rawRelevant) => {
          const scores = Float64Array.from(values);
          const set = new Set(rawRelevant.map((x) => x % values.length));
          const candidates = values.map((_, i) => i);
          expect(close(auc(scores, set), referenceAuc(scores, set, candidates))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects NaN scores, repeated and out-of-range candidates', () => {
    expect(() => auc(new Float32Array([1, NaN]), new Set([0]))).toThrow(/candidate item 1 is NaN/);
    expect(() => auc(new Float32Array([1, 2]), new Set([0]), new Int32Array([0, 0]))).toThrow(
      /item 0 is listed twice/,
    );
    expect(() => auc(new Float32Array([1, 2]), new Set([0]), new Int32Array([2]))).toThrow(
      /candidates\[0\] = 2 is outside/,
    );
  });
});

describe('catalogueCoverage', () => {
  it('is the share of the catalogue in at least one list, cut at k', () => {
    const lists = [new Int32Array([0, 1, 2]), new Int32Array([2, 3, 9])];
    expect(catalogueCoverage(lists, 10)).toBeCloseTo(5 / 10, 15);
    expect(catalogueCoverage(lists, 10, 1)).toBeCloseTo(2 / 10, 15);
    expect(catalogueCoverage([], 4)).toBe(0);
  });

  it('rejects items outside the catalogue and bad sizes', () => {
    expect(() => catalogueCoverage([new Int32Array([1]), new Int32Array([0, 4])], 4)).toThrow(
      /list 1 position 1 holds item 4, outside \[0, 4\)/,
    );
    expect(() => catalogueCoverage([], 0)).toThrow(/itemCount must be an integer >= 1/);
    expect(() => catalogueCoverage([], 3, 0)).toThrow(/k must be an integer >= 1/);
  });
});
