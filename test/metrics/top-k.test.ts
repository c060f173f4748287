import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topK, TopKSelector } from '../../src/metrics/top-k';
import { SeededRandom } from '../../src/random';
import { fullRanking } from './reference';

// Small integer scores make ties frequent; infinities are ordinary scores.
const scoreArbitrary = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -4, max: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity) },
  { weight: 2, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true }) },
);

describe('topK', () => {
  it('ranks by score and breaks ties by the lower item index', () => {
    expect(Array.from(topK(new Float32Array([0.1, 0.9, 0.5, 0.9]), 3))).toEqual([1, 3, 2]);
    expect(Array.from(topK(new Float32Array([2, 2, 2, 2, 2]), 3))).toEqual([0, 1, 2]);
  });

  it('never returns an excluded item, whatever form the exclusion takes', () => {
    const scores = new Float32Array([0.1, 0.9, 0.5, 0.9]);
    expect(Array.from(topK(scores, 3, new Int32Array([1])))).toEqual([3, 2, 0]);
    expect(Array.from(topK(scores, 3, new Set([3, 1])))).toEqual([2, 0]);
    expect(Array.from(topK(scores, 4, new Int32Array([3, 1])))).toEqual([2, 0]);
  });

  it('returns every item, sorted, when k exceeds the catalogue', () => {
    expect(Array.from(topK(new Float64Array([3, -Infinity, 7, 3]), 10))).toEqual([2, 0, 3, 1]);
    expect(topK(new Float32Array(0), 5)).toHaveLength(0);
    expect(topK(new Float32Array([1, 2]), 0)).toHaveLength(0);
  });

  it('equals a full sort cut at k on random scores, ties and exclusions', () => {
    fc.assert(
      fc.property(
        fc.array(scoreArbitrary, { minLength: 0, maxLength: 300 }),
        fc.integer({ min: 0, max: 320 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.constantFrom('sorted', 'unsorted', 'set'),
        (values, k, rawExclude, form) => {
          const scores = Float32Array.from(values);
          const exclude = values.length === 0 ? [] : rawExclude.map((x) => x % values.length);
          const expected = fullRanking(scores, exclude).slice(0, k);
          const unique = [...new Set(exclude)];
          const argument =
            form === 'set'
              ? new Set(exclude)
              : form === 'sorted'
                ? Int32Array.from(unique.sort((a, b) => a - b))
                : Int32Array.from(exclude);
          expect(Array.from(topK(scores, k, argument))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same answers when one selector is reused with growing k', () => {
    const selector = new TopKSelector(1);
    fc.assert(
      fc.property(
        fc.array(scoreArbitrary, { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 0, max: 60 }),
        (values, k) => {
          const scores = Float64Array.from([99, ...values, -99]); // a row inside a larger block
          const out = new Int32Array(k);
          const count = selector.select(scores, 1, values.length, k, new Int32Array(0), 0, 0, out);
          expect(Array.from(out.subarray(0, count))).toEqual(
            fullRanking(Float64Array.from(values)).slice(0, k),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('stays exact on the pre-filtered path for large rows, skewed scores and heavy exclusion', () => {
    // rows of >= 1,024 items with k >= n / 256 take the sampled-threshold path; clustered
    // values and a tail of huge scores make the sample misjudge, which must fall back exactly
    fc.assert(
      fc.property(
        fc.integer({ min: 1024, max: 3000 }),
        fc.integer({ min: 4, max: 600 }),
        fc.integer(),
        fc.constantFrom('uniform', 'few values', 'huge tail', 'ascending'),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        (itemCount, k, seed, shape, excludedShare) => {
          const random = new SeededRandom(seed);
          const scores = new Float32Array(itemCount);
          for (let i = 0; i < itemCount; i++) {
            const u = random.nextFloat();
            scores[i] =
              shape === 'few values'
                ? random.nextInt(3)
                : shape === 'ascending'
                  ? i
                  : shape === 'huge tail' && i % 97 === 0
                    ? 1e30
                    : u;
          }
          const exclude = Int32Array.from(
            Array.from({ length: itemCount }, (_, i) => i).filter(() => random.nextFloat() < excludedShare),
          );
          const expected = fullRanking(scores, exclude).slice(0, k);
          expect(Array.from(topK(scores, k, exclude))).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects a NaN score and names the item, but ignores NaN in excluded items', () => {
    const scores = new Float32Array([1, 2, NaN, 4]);
    expect(() => topK(scores, 2)).toThrow(/item 2 is NaN/);
    expect(() => topK(new Float32Array([NaN, 1]), 1)).toThrow(/item 0 is NaN/);
    expect(Array.from(topK(scores, 2, new Int32Array([2])))).toEqual([3, 1]);
    const large = new Float32Array(2048).fill(1);
    large[1500] = NaN; // found on the pre-filtered path too
    expect(() => topK(large, 64)).toThrow(/item 1500 is NaN/);
  });

  it('rejects a bad k, out-of-range exclusions and non-float scores', () => {
    const scores = new Float32Array([1, 2, 3]);
    expect(() => topK(scores, -1)).toThrow(/k must be an integer >= 0/);
    expect(() => topK(scores, 1.5)).toThrow(/k must be an integer >= 0/);
    expect(() => topK(scores, 1, new Int32Array([3]))).toThrow(
      /exclude holds item 3, outside the 3 scored items/,
    );
    expect(() => topK(scores, 1, new Set([-1]))).toThrow(/exclude holds item -1/);
    expect(() => topK([1, 2, 3] as unknown as Float32Array, 1)).toThrow(
      /Float32Array or Float64Array, got Array/,
    );
  });
});
