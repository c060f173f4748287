import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/random';

describe('SeededRandom', () => {
  it('gives the same stream for the same seed and different streams for nearby seeds', () => {
    const a = new SeededRandom(1);
    const b = new SeededRandom(1);
    const c = new SeededRandom(2);
    const streamA = Array.from({ length: 8 }, () => a.nextUint32());
    const streamB = Array.from({ length: 8 }, () => b.nextUint32());
    const streamC = Array.from({ length: 8 }, () => c.nextUint32());
    expect(streamA).toEqual(streamB);
    expect(streamA).not.toEqual(streamC);
  });

  it('nextInt is uniform (chi-square over 10 bins, 100k draws)', () => {
    const rng = new SeededRandom(42);
    const bins = new Array<number>(10).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) bins[rng.nextInt(10)]++;
    const expected = draws / 10;
    const chiSquare = bins.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: the 99.9% quantile is 27.88.
    expect(chiSquare).toBeLessThan(27.88);
  });

  it('nextInt stays in range for large bounds and rejects bad bounds', () => {
    const rng = new SeededRandom(7);
    for (let i = 0; i < 1000; i++) {
      const x = rng.nextInt(3_000_000_000);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(3_000_000_000);
    }
    expect(() => rng.nextInt(0)).toThrow(RangeError);
    expect(() => rng.nextInt(2.5)).toThrow(RangeError);
    expect(() => new SeededRandom(Number.NaN)).toThrow(TypeError);
  });

  it('shuffle is a permutation', () => {
    const values = Int32Array.from({ length: 100 }, (_, i) => i);
    new SeededRandom(3).shuffle(values);
    expect(Array.from(values).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(values)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
