import { describe, expect, it } from 'vitest';
import { rowsToCsr } from '../../src/data/split';
import { historiesOfRows } from '../../src/ragged/cap-history';

describe('historiesOfRows', () => {
  it("gives each listed user's row oldest first, capped to the most recent items", () => {
    // user 0: items 5 (t 300), 2 (t 100), 9 (t 200); user 1: nothing; user 2: 1 (t 5), 4 (t 1)
    const train = rowsToCsr([[5, 2, 9], [], [1, 4]], 10, [[300, 100, 200], [], [5, 1]]);
    expect(historiesOfRows(train, Int32Array.of(2, 0, 1)).map((h) => Array.from(h))).toEqual([
      [4, 1],
      [2, 9, 5],
      [],
    ]);
    expect(historiesOfRows(train, [0, 2], 1).map((h) => Array.from(h))).toEqual([[5], [1]]);
  });
});
