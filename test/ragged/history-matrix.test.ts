import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { historyMatrix } from '../../src/ragged/history-matrix';
import { raggedFromRows } from '../../src/ragged/ragged-rows';
import { rowsArbitrary } from './arbitraries';

describe('historyMatrix', () => {
  it('pads to the batch longest history and keeps the last items of a capped one (hand-worked)', () => {
    const histories = raggedFromRows([[10, 11, 12, 13], [20], []]);
    const matrix = historyMatrix(histories, { maxHistory: 3 });
    expect(matrix.width).toBe(3);
    expect(Array.from(matrix.ids)).toEqual([11, 12, 13, 20, 0, 0, 0, 0, 0]);
    expect(Array.from(matrix.mask)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(matrix.lengths)).toEqual([3, 1, 0]);
    expect(matrix.truncatedRows).toBe(1);
  });

  it('width is the batch longest history capped at maxHistory, and the mask matches the lengths', () => {
    fc.assert(
      fc.property(rowsArbitrary(10, 40), fc.integer({ min: 1, max: 30 }), (rows, maxHistory) => {
        const matrix = historyMatrix(raggedFromRows(rows), { maxHistory, padValue: -1 });
        const longest = Math.max(0, ...rows.map((row) => row.length));
        expect(matrix.width).toBe(Math.max(1, Math.min(maxHistory, longest)));
        rows.forEach((row, b) => {
          const slots = Array.from(matrix.mask.subarray(b * matrix.width, (b + 1) * matrix.width));
          const kept = Math.min(row.length, maxHistory);
          expect(slots).toEqual([
            ...new Array<number>(kept).fill(1),
            ...new Array<number>(matrix.width - kept).fill(0),
          ]);
          expect(Array.from(matrix.ids.subarray(b * matrix.width, b * matrix.width + kept))).toEqual(
            row.slice(row.length - kept),
          );
        });
      }),
    );
  });

  it('a 5,000-item history is capped at maxHistory without error', () => {
    const long = Array.from({ length: 5000 }, (_, i) => i);
    const matrix = historyMatrix(raggedFromRows([long, [1, 2]]));
    expect(matrix.width).toBe(50);
    expect(matrix.ids.length).toBe(100);
    expect(Array.from(matrix.ids.subarray(0, 50))).toEqual(long.slice(4950));
  });

  it('rejects a bad cap', () => {
    expect(() => historyMatrix(raggedFromRows([[1]]), { maxHistory: -2 })).toThrow(
      /maxHistory must be an integer >= 0 or Infinity/,
    );
  });
});
