import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uniqueRows } from '../../src/ragged/unique-rows';

describe('uniqueRows', () => {
  it('keeps first-seen order and maps every entry (hand-worked)', () => {
    const { ids, inverse } = uniqueRows([[4, 2, 4], [2, 9], [9]]);
    expect(Array.from(ids)).toEqual([4, 2, 9]);
    expect(inverse.map((part) => Array.from(part))).toEqual([[0, 1, 0], [1, 2], [2]]);
  });

  it('dedupe then gather reproduces every part, and the ids are distinct (dense table and Map paths)', () => {
    for (const maxId of [40, 2 ** 31 - 1]) {
      fc.assert(
        fc.property(
          fc.array(fc.array(fc.integer({ min: 0, max: maxId }), { maxLength: 30 }), { maxLength: 4 }),
          (parts) => {
            const { ids, inverse } = uniqueRows(parts.map((part) => Int32Array.from(part)));
            expect(new Set(ids).size).toBe(ids.length);
            expect(new Set(ids)).toEqual(new Set(parts.flat()));
            parts.forEach((part, p) => expect(Array.from(inverse[p], (slot) => ids[slot])).toEqual(part));
          },
        ),
      );
    }
  });

  it('skips the ignored pad value with inverse -1', () => {
    const { ids, inverse } = uniqueRows([[3, -1, 3, -1]], { ignore: -1 });
    expect(Array.from(ids)).toEqual([3]);
    expect(Array.from(inverse[0])).toEqual([0, -1, 0, -1]);
  });

  it('rejects negative or fractional ids, naming part and position, and hints at ignore', () => {
    expect(() => uniqueRows([[1], [2, -1]])).toThrow(/part 1, position 1 holds -1.*ignore: padValue/);
    expect(() => uniqueRows([[1.5]])).toThrow(/part 0, position 0 holds 1.5/);
  });

  it('handles no parts and empty parts', () => {
    expect(uniqueRows([]).ids.length).toBe(0);
    const { ids, inverse } = uniqueRows([[], []]);
    expect(ids.length).toBe(0);
    expect(inverse).toHaveLength(2);
  });
});
