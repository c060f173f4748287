import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketRows, DEFAULT_TOKEN_BUDGET } from '../../src/ragged/length-buckets';
import { unpadRows } from '../../src/ragged/pad';
import { raggedFromRows, raggedToArrays } from '../../src/ragged/ragged-rows';
import { rowsArbitrary, sideArbitrary } from './arbitraries';

describe('bucketRows', () => {
  it('sorts by length and cuts under the budget, each bucket padded to its own longest (hand-worked)', () => {
    // lengths 1, 5, 2, 2, 0 with a budget of 6 tokens
    const rows = raggedFromRows([[1], [2, 2, 2, 2, 2], [3, 3], [4, 4], []]);
    const result = bucketRows(rows, { tokenBudget: 6 });
    // sorted: row 4 (0), row 0 (1), row 2 (2), row 3 (2), row 1 (5)
    expect(Array.from(result.order)).toEqual([4, 0, 2, 3, 1]);
    expect(result.buckets.map((b) => [b.start, b.lengths.length, b.width])).toEqual([
      [0, 3, 2], // rows 4, 0, 2: 3 x 2 = 6 <= 6; adding row 3 gives 4 x 2 = 8
      [3, 1, 2],
      [4, 1, 5],
    ]);
    expect(Array.from(result.buckets[0].ids)).toEqual([0, 0, 1, 0, 3, 3]);
    expect(Array.from(result.positions)).toEqual([1, 4, 2, 3, 0]);
    expect(result.realTokens).toBe(10);
    expect(result.paddedTokens).toBe(6 + 2 + 5);
  });

  it('every bucket respects the budget, and no row is lost or duplicated', () => {
    fc.assert(
      fc.property(
        rowsArbitrary(40, 60),
        fc.integer({ min: 1, max: 200 }),
        fc.option(fc.integer({ min: 0, max: 70 }), { nil: undefined }),
        sideArbitrary,
        sideArbitrary,
        (rows, tokenBudget, maxLength, padding, truncating) => {
          const result = bucketRows(raggedFromRows(rows), { tokenBudget, maxLength, padding, truncating });
          const cap = Math.min(tokenBudget, maxLength ?? Infinity);
          let covered = 0;
          for (const bucket of result.buckets) {
            expect(bucket.start).toBe(covered);
            expect(bucket.lengths.length * bucket.width).toBeLessThanOrEqual(tokenBudget);
            expect(bucket.ids.length).toBe(bucket.lengths.length * bucket.width);
            // padded only to its own longest row
            expect(bucket.width).toBe(Math.max(1, ...bucket.lengths));
            // the bucket's rows are its source rows, truncated
            const expected = Array.from(bucket.sourceRows, (row) => {
              const source = rows[row];
              if (source.length <= cap) return source;
              return truncating === 'post' ? source.slice(0, cap) : source.slice(source.length - cap);
            });
            expect(raggedToArrays(unpadRows(bucket))).toEqual(expected);
            covered += bucket.lengths.length;
          }
          expect(covered).toBe(rows.length);
          expect(Array.from(result.order).sort((a, b) => a - b)).toEqual(rows.map((_, i) => i));
          rows.forEach((_, i) => expect(result.order[result.positions[i]]).toBe(i));
          const realTokens = rows.reduce((sum, row) => sum + Math.min(row.length, cap), 0);
          expect(result.realTokens).toBe(realTokens);
          expect(result.truncatedRows).toBe(rows.filter((row) => row.length > cap).length);
          expect(result.paddedTokens).toBe(result.buckets.reduce((sum, b) => sum + b.ids.length, 0));
        },
      ),
    );
  });

  it('scatter back: bucket outputs concatenated then gathered by positions give the selection order', () => {
    fc.assert(
      fc.property(
        rowsArbitrary(20, 30).filter((rows) => rows.length > 0),
        fc.array(fc.nat(), { maxLength: 25 }),
        (rows, picks) => {
          const select = picks.map((pick) => pick % rows.length);
          const result = bucketRows(raggedFromRows(rows), { tokenBudget: 40, select });
          // a stand-in encoder: each row encodes to the sum of its ids
          const encoded = result.buckets.flatMap((bucket) =>
            Array.from(bucket.lengths, (_, r) =>
              bucket.ids.subarray(r * bucket.width, (r + 1) * bucket.width).reduce((a, b) => a + b, 0),
            ),
          );
          const gathered = Array.from(result.positions, (row) => encoded[row]);
          expect(gathered).toEqual(select.map((row) => rows[row].reduce((a, b) => a + b, 0)));
        },
      ),
    );
  });

  it('a 30,000-token document is truncated to the budget and forms its own bucket', () => {
    const long = Array.from({ length: 30_000 }, (_, i) => (i % 97) + 2);
    const rows = raggedFromRows([[5, 6], long, [7]]);
    const result = bucketRows(rows);
    expect(result.truncatedRows).toBe(1);
    const last = result.buckets[result.buckets.length - 1];
    expect(Array.from(last.sourceRows)).toEqual([1]);
    expect(last.width).toBe(DEFAULT_TOKEN_BUDGET);
    expect(Array.from(last.ids)).toEqual(long.slice(0, DEFAULT_TOKEN_BUDGET));
    for (const bucket of result.buckets) expect(bucket.ids.length).toBeLessThanOrEqual(DEFAULT_TOKEN_BUDGET);
  });

  it('keeps padding near the real token count where padding to the batch maximum does not', () => {
    // 200 rows of length 10..49 and one of 300 tokens
    const rows = raggedFromRows([
      ...Array.from({ length: 200 }, (_, i) => new Array<number>(10 + (i % 40)).fill(2)),
      new Array<number>(300).fill(3),
    ]);
    const result = bucketRows(rows, { tokenBudget: 512 });
    const paddedToMaximum = 201 * 300;
    expect(result.paddedTokens / result.realTokens).toBeLessThan(1.15);
    expect(paddedToMaximum / result.realTokens).toBeGreaterThan(8);
  });

  it('rejects bad options and bad selections', () => {
    const rows = raggedFromRows([[1, 2]]);
    expect(() => bucketRows(rows, { tokenBudget: 0 })).toThrow(
      /tokenBudget must be an integer in \[1, 2\^31\)/,
    );
    expect(() => bucketRows(rows, { tokenBudget: 2, minWidth: 3 })).toThrow(
      /minWidth 3 exceeds tokenBudget 2/,
    );
    expect(() => bucketRows(rows, { select: [0, -1] })).toThrow(
      /select\[1\] = -1 is not a row index in \[0, 1\)/,
    );
    expect(() => bucketRows(rows, { padding: 'both' as 'pre' })).toThrow(/padding must be 'pre' or 'post'/);
  });

  it('gives no buckets for no rows', () => {
    const result = bucketRows(raggedFromRows([]));
    expect(result.buckets).toEqual([]);
    expect(result.paddedTokens).toBe(0);
  });
});
