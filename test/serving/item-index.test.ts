import { describe, expect, it } from 'vitest';
import { createItemIndex } from '../../src/serving';
import { importUsearch } from '../../src/serving/item-index/usearch-index';
import { SeededRandom } from '../../src/sampling/index';

const d = 6;
function vectorsOf(count: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  return Float32Array.from({ length: count * d }, () => rng.nextFloat() * 2 - 1);
}

/** Keys by inner product with the query, best first, lower key on ties: the contract's exact order. */
function reference(held: Map<number, Float32Array>, query: Float32Array, count: number): number[] {
  const score = (vector: Float32Array): number => vector.reduce((sum, x, i) => sum + x * query[i], 0);
  return [...held]
    .map(([key, vector]) => ({ key, score: score(vector) }))
    .sort((a, b) => b.score - a.score || a.key - b.key)
    .slice(0, count)
    .map(({ key }) => key);
}

describe.each(['brute-force', 'usearch'] as const)('ItemIndex on %s', (engine) => {
  it('adds, replaces and removes keys; exact search ranks like the reference', async () => {
    const index = await createItemIndex(engine, d, { threads: 1 });
    const held = new Map<number, Float32Array>();
    const put = async (keys: number[], seed: number): Promise<void> => {
      const vectors = vectorsOf(keys.length, seed);
      await index.add(Int32Array.from(keys), vectors);
      keys.forEach((key, k) => held.set(key, vectors.slice(k * d, (k + 1) * d)));
    };
    await put(
      Array.from({ length: 300 }, (_, k) => k * 2),
      1,
    ); // sparse keys
    await put([4, 10, 601, 700], 2); // two replaced, two new
    await index.remove(Int32Array.from([0, 2, 601, 9999]));
    for (const key of [0, 2, 601]) held.delete(key);
    expect(index.size).toBe(held.size);
    const query = vectorsOf(1, 3);
    for (const count of [1, 17, held.size + 5]) {
      const found = await index.search(query, count, { exact: true });
      expect(Array.from(found.keys)).toEqual(reference(held, query, count));
      const expectedScores = Array.from(found.keys, (key) =>
        (held.get(key) as Float32Array).reduce((sum, x, i) => sum + x * query[i], 0),
      );
      found.scores.forEach((score, k) => expect(score).toBeCloseTo(expectedScores[k], 5));
    }
    const approximate = await index.search(query, 10);
    expect(approximate.keys.length).toBeGreaterThan(0);
    for (const key of approximate.keys) expect(held.has(key)).toBe(true);
    index.dispose();
  });

  it('rejects vectors of the wrong width, non-finite numbers and negative keys', async () => {
    const index = await createItemIndex(engine, d);
    await expect(index.add(Int32Array.of(1), new Float32Array(d - 1))).rejects.toThrow(
      /5 numbers for 1 keys of 6/,
    );
    const bad = new Float32Array(d);
    bad[3] = NaN;
    await expect(index.add(Int32Array.of(7), bad)).rejects.toThrow(/key 7 holds NaN at 3/);
    await expect(index.add(Int32Array.of(-1), new Float32Array(d))).rejects.toThrow(
      /key -1 \(position 0\) is negative/,
    );
    await expect(index.search(new Float32Array(d + 1), 3)).rejects.toThrow(
      /the query has 7 numbers, the index 6/,
    );
    index.dispose();
  });
});

describe('the usearch adapter', () => {
  it('names the package to install when it is missing', async () => {
    await expect(importUsearch('mars-rec-no-such-engine')).rejects.toThrow(
      /needs the optional package 'mars-rec-no-such-engine'.*npm install usearch@/,
    );
  });

  it('finds the true best key by approximate search on a small catalogue (ef covers it)', async () => {
    const index = await createItemIndex('usearch', d, { threads: 1, expansionSearch: 512 });
    const vectors = vectorsOf(200, 5);
    await index.add(
      Int32Array.from({ length: 200 }, (_, k) => k),
      vectors,
    );
    const held = new Map(Array.from({ length: 200 }, (_, k) => [k, vectors.slice(k * d, (k + 1) * d)]));
    for (let seed = 10; seed < 15; seed++) {
      const query = vectorsOf(1, seed);
      const found = await index.search(query, 5);
      expect(found.keys[0]).toBe(reference(held, query, 1)[0]);
    }
    index.dispose();
  });
});
