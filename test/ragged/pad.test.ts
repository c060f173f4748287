import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskFromLengths } from '../../src/ragged/mask';
import { padRows, unpadRows } from '../../src/ragged/pad';
import { raggedFromRows, raggedToArrays } from '../../src/ragged/ragged-rows';
import { rowsArbitrary, sideArbitrary } from './arbitraries';

/** Independent reference: pad one plain row. */
function padReference(
  row: number[],
  width: number,
  padding: string,
  truncating: string,
  padValue: number,
): number[] {
  const kept =
    row.length <= width ? row : truncating === 'post' ? row.slice(0, width) : row.slice(row.length - width);
  const fill = new Array<number>(width - kept.length).fill(padValue);
  return padding === 'post' ? [...kept, ...fill] : [...fill, ...kept];
}

describe('padRows', () => {
  it('pads post and pre to the longest row (hand-worked)', () => {
    const rows = raggedFromRows([[1, 2, 3], [4], []]);
    const post = padRows(rows);
    expect(post.width).toBe(3);
    expect(Array.from(post.ids)).toEqual([1, 2, 3, 4, 0, 0, 0, 0, 0]);
    expect(Array.from(post.lengths)).toEqual([3, 1, 0]);
    const pre = padRows(rows, { padding: 'pre', padValue: -1 });
    expect(Array.from(pre.ids)).toEqual([1, 2, 3, -1, -1, 4, -1, -1, -1]);
  });

  it('truncates to a fixed width at either end and counts the truncated rows', () => {
    const rows = raggedFromRows([[1, 2, 3, 4], [5]]);
    const post = padRows(rows, { width: 2 });
    expect(Array.from(post.ids)).toEqual([1, 2, 5, 0]);
    expect(post.truncatedRows).toBe(1);
    const pre = padRows(rows, { width: 2, truncating: 'pre' });
    expect(Array.from(pre.ids)).toEqual([3, 4, 5, 0]);
    expect(Array.from(pre.lengths)).toEqual([2, 1]);
  });

  it('rows that are all empty still give width 1 (minWidth), or 0 when asked', () => {
    expect(padRows(raggedFromRows([[], []])).width).toBe(1);
    expect(padRows(raggedFromRows([[], []]), { minWidth: 0 }).width).toBe(0);
    expect(padRows(raggedFromRows([])).ids.length).toBe(0);
  });

  it('matches the row-by-row reference for any rows and options', () => {
    fc.assert(
      fc.property(
        rowsArbitrary(),
        fc.option(fc.integer({ min: 0, max: 25 }), { nil: undefined }),
        sideArbitrary,
        sideArbitrary,
        fc.integer({ min: -3, max: 3 }),
        (rows, maxWidth, padding, truncating, padValue) => {
          const padded = padRows(raggedFromRows(rows), { maxWidth, padding, truncating, padValue });
          const longest = Math.max(0, ...rows.map((row) => row.length));
          const width = Math.max(1, Math.min(maxWidth ?? Infinity, longest));
          expect(padded.width).toBe(width);
          const expected = rows.flatMap((row) => padReference(row, width, padding, truncating, padValue));
          expect(Array.from(padded.ids)).toEqual(expected);
          expect(padded.truncatedRows).toBe(rows.filter((row) => row.length > width).length);
        },
      ),
    );
  });

  it('padding then unpadding returns the rows (as truncated)', () => {
    fc.assert(
      fc.property(
        rowsArbitrary(),
        fc.option(fc.integer({ min: 0, max: 25 }), { nil: undefined }),
        sideArbitrary,
        sideArbitrary,
        (rows, width, padding, truncating) => {
          const padded = padRows(raggedFromRows(rows), { width, padding, truncating, padValue: 7 });
          const limit = width ?? Infinity;
          const expected = rows.map((row) =>
            row.length <= limit
              ? row
              : truncating === 'post'
                ? row.slice(0, limit)
                : row.slice(row.length - limit),
          );
          expect(raggedToArrays(unpadRows(padded))).toEqual(expected);
        },
      ),
    );
  });

  it('pads only the selected rows, in the order given', () => {
    const rows = raggedFromRows([[1], [2, 2], [3, 3, 3]]);
    const padded = padRows(rows, { select: [2, 0, 0] });
    expect(padded.width).toBe(3);
    expect(Array.from(padded.ids)).toEqual([3, 3, 3, 1, 0, 0, 1, 0, 0]);
    expect(() => padRows(rows, { select: [0, 3] })).toThrow(/select\[1\] = 3 is not a row index in \[0, 3\)/);
  });

  it('rejects bad options, naming the option', () => {
    const rows = raggedFromRows([[1]]);
    expect(() => padRows(rows, { padding: 'left' as 'pre' })).toThrow(
      /padding must be 'pre' or 'post', got "left"/,
    );
    expect(() => padRows(rows, { truncating: 'end' as 'post' })).toThrow(/truncating must be/);
    expect(() => padRows(rows, { width: -1 })).toThrow(/width must be an integer/);
    expect(() => padRows(rows, { width: 1.5 })).toThrow(/width must be an integer/);
    expect(() => padRows(rows, { padValue: 0.5 })).toThrow(/padValue must be an int32 integer/);
    expect(() => unpadRows({ ids: new Int32Array(3), lengths: new Int32Array(2), width: 2 })).toThrow(
      /ids has 3 values but 2 rows x width 2 = 4/,
    );
  });
});

describe('maskFromLengths', () => {
  it('marks real positions with 1 and padding with 0 (hand-worked)', () => {
    expect(Array.from(maskFromLengths([2, 0, 3], 3))).toEqual([1, 1, 0, 0, 0, 0, 1, 1, 1]);
    expect(Array.from(maskFromLengths([2, 0, 3], 3, 'pre'))).toEqual([0, 1, 1, 0, 0, 0, 1, 1, 1]);
  });

  it('matches the lengths and the padded positions of padRows', () => {
    fc.assert(
      fc.property(rowsArbitrary(), sideArbitrary, fc.integer({ min: 1, max: 25 }), (rows, padding, width) => {
        const padded = padRows(raggedFromRows(rows), { width, padding, padValue: -1 });
        const mask = maskFromLengths(padded.lengths, padded.width, padding);
        for (let row = 0; row < rows.length; row++) {
          let sum = 0;
          for (let position = 0; position < width; position++) {
            const slot = row * width + position;
            sum += mask[slot];
            // ids are non-negative, the pad value -1: the mask is 1 exactly on real ids
            expect(mask[slot]).toBe(padded.ids[slot] === -1 ? 0 : 1);
          }
          expect(sum).toBe(Math.min(rows[row].length, width));
        }
      }),
    );
  });

  it('rejects a length wider than the width, naming the row', () => {
    expect(() => maskFromLengths([1, 4], 3)).toThrow(/row 1 has length 4, outside \[0, width = 3\]/);
  });
});
