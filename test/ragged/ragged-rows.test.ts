import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkRaggedRows,
  gatherRagged,
  raggedFromLengths,
  raggedFromRows,
  raggedRow,
  raggedRowCount,
  raggedRowLength,
  raggedRowLengths,
  raggedToArrays,
  rowSplitsFromLengths,
} from '../../src/ragged/ragged-rows';
import { rowsArbitrary, sideArbitrary } from './arbitraries';

describe('RaggedRows', () => {
  it('raggedFromRows builds values and row splits (hand-worked)', () => {
    const rows = raggedFromRows([[5, 6], [], [7, 8, 9]]);
    expect(Array.from(rows.values)).toEqual([5, 6, 7, 8, 9]);
    expect(Array.from(rows.rowSplits)).toEqual([0, 2, 2, 5]);
    expect(raggedRowCount(rows)).toBe(3);
    expect(raggedRowLength(rows, 2)).toBe(3);
    expect(Array.from(raggedRowLengths(rows))).toEqual([2, 0, 3]);
  });

  it('round-trips any rows through raggedFromRows and raggedToArrays', () => {
    fc.assert(
      fc.property(rowsArbitrary(), (rows) => {
        const ragged = checkRaggedRows(raggedFromRows(rows));
        expect(raggedToArrays(ragged)).toEqual(rows);
        expect(raggedToArrays(raggedFromLengths(ragged.values, raggedRowLengths(ragged)))).toEqual(rows);
      }),
    );
  });

  it('raggedRow is a view: writing to it writes the rows', () => {
    const rows = raggedFromRows([[1, 2], [3]]);
    raggedRow(rows, 1)[0] = 30;
    expect(Array.from(rows.values)).toEqual([1, 2, 30]);
    expect(raggedRow(rows, 0).buffer).toBe(rows.values.buffer);
  });

  it('gatherRagged selects rows in order, with duplicates and truncation at either end', () => {
    fc.assert(
      fc.property(
        rowsArbitrary(8).filter((rows) => rows.length > 0),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 0, max: 25 }),
        sideArbitrary,
        (rows, picks, maxLength, truncating) => {
          const select = picks.map((pick) => pick % rows.length);
          const gathered = gatherRagged(raggedFromRows(rows), select, { maxLength, truncating });
          const expected = select.map((row) =>
            truncating === 'post'
              ? rows[row].slice(0, maxLength)
              : rows[row].slice(Math.max(0, rows[row].length - maxLength)),
          );
          expect(raggedToArrays(gathered)).toEqual(expected);
        },
      ),
    );
  });

  it('rejects malformed rows with the place and the fix', () => {
    const values = new Int32Array([1, 2, 3]);
    expect(() => checkRaggedRows({ values, rowSplits: new Int32Array([]) })).toThrow(/must start with 0/);
    expect(() => checkRaggedRows({ values, rowSplits: new Int32Array([1, 3]) })).toThrow(
      /rowSplits\[0\] = 1/,
    );
    expect(() => checkRaggedRows({ values, rowSplits: new Int32Array([0, 2, 1, 3]) })).toThrow(
      /row 1 ends at 1/,
    );
    expect(() => checkRaggedRows({ values, rowSplits: new Int32Array([0, 2]) })).toThrow(
      /ends at 2 but there are 3 values/,
    );
    expect(() => raggedFromRows([[1], [2, 2.5]])).toThrow(/row 1, position 1 holds 2.5/);
    expect(() => raggedFromRows([[2 ** 31]])).toThrow(/row 0, position 0/);
    expect(() => raggedFromLengths([1, 2, 3], [1, 1])).toThrow(/sum to 2 but there are 3 values/);
    expect(() => rowSplitsFromLengths([2, -1])).toThrow(/row 1 must be a non-negative integer/);
    expect(() => raggedRow(raggedFromRows([[1]]), 1)).toThrow(/row 1 is out of range; there are 1 rows/);
    expect(() => gatherRagged(raggedFromRows([[1]]), [0, 3])).toThrow(/select\[1\] = 3/);
  });
});
