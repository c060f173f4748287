import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capHistory, chronologicalPositions, historyOfRow } from '../../src/ragged/cap-history';
import { historyMatrix } from '../../src/ragged/history-matrix';
import { raggedFromRows } from '../../src/ragged/ragged-rows';

const rows = {
  offsets: Int32Array.of(0, 4, 5, 5),
  indices: Int32Array.of(2, 5, 7, 9, 3),
  timestamps: Float64Array.of(40, 10, NaN, 10, 8),
};

describe('capHistory and historyOfRow', () => {
  it('keeps the last maxHistory items of a history, the most recent (hand-worked)', () => {
    expect(Array.from(capHistory(Int32Array.of(4, 8, 15, 16, 23), 2))).toEqual([16, 23]);
    expect(Array.from(capHistory(Int32Array.of(4, 8), 5))).toEqual([4, 8]);
    expect(Array.from(capHistory(Int32Array.of(4, 8), 0))).toEqual([]);
    expect(() => capHistory(Int32Array.of(1), -1)).toThrow(/maxHistory must be an integer/);
  });

  it('reads a row oldest first by timestamp: unknown times first, ties in row order (hand-worked)', () => {
    expect(Array.from(chronologicalPositions(rows, 0))).toEqual([2, 1, 3, 0]);
    expect(Array.from(historyOfRow(rows, 0))).toEqual([7, 5, 9, 2]);
    expect(Array.from(historyOfRow(rows, 0, 2))).toEqual([9, 2]);
    expect(Array.from(historyOfRow(rows, 2, 2))).toEqual([]);
    const untimed = { offsets: rows.offsets, indices: rows.indices };
    expect(Array.from(historyOfRow(untimed, 0, 3))).toEqual([5, 7, 9]);
  });

  it('agrees with historyMatrix, which pads the same capped histories', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 12 }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 10 }),
        (histories, maxHistory) => {
          const matrix = historyMatrix(raggedFromRows(histories), { maxHistory });
          histories.forEach((history, row) => {
            const capped = Array.from(capHistory(Int32Array.from(history), maxHistory));
            const start = row * matrix.width;
            expect(Array.from(matrix.ids.subarray(start, start + capped.length))).toEqual(capped);
            expect(matrix.lengths[row]).toBe(capped.length);
          });
        },
      ),
    );
  });
});
