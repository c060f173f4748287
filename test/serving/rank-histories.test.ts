import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/random/seeded-random';
import { rankHistories } from '../../src/serving/rank-histories';
import type { RankedItem } from '../../src/serving/rank-histories';

const itemCount = 40;
const ids = Array.from({ length: itemCount }, (_, item) => `item-${item}`);

/** A score per (history, item) that depends only on the history's contents. */
function scoreOf(history: Int32Array, item: number): number {
  const rng = new SeededRandom(history.reduce((sum, h) => sum * 31 + h + 1, 7) + item * 1009);
  return Math.round(rng.nextFloat() * 8) / 8; // few levels: many exact ties
}

/** The reference: every eligible item, sorted by score then index, the first k. */
function bruteForce(
  history: Int32Array,
  k: number,
  exclude: number[],
  allowed?: ReadonlySet<number>,
): RankedItem[] {
  const skip = new Set([...history, ...exclude]);
  return ids
    .map((id, item) => ({ item, id, score: Math.fround(scoreOf(history, item)) }))
    .filter(({ item }) => !skip.has(item) && (!allowed || allowed.has(item)))
    .sort((a, b) => b.score - a.score || a.item - b.item)
    .slice(0, k)
    .map(({ id, score }) => ({ id, score }));
}

describe('rankHistories', () => {
  const rng = new SeededRandom(3);
  const histories = Array.from({ length: 9 }, (_, user) =>
    Int32Array.from(rng.shuffle(Array.from({ length: itemCount }, (_, item) => item)).slice(0, user + 1)),
  );
  const calls: { size: number; start: number }[] = [];
  const score = async (batch: readonly Int32Array[], start: number): Promise<Float32Array> => {
    calls.push({ size: batch.length, start });
    const scores = new Float32Array(batch.length * itemCount);
    batch.forEach((history, row) => {
      for (let item = 0; item < itemCount; item++) scores[row * itemCount + item] = scoreOf(history, item);
    });
    return scores;
  };

  it('gives each history the best items outside itself and the exclusions, as brute force', async () => {
    calls.length = 0;
    const ranked = await rankHistories(ids, histories, score, { k: 7, exclude: [0, 1], batchSize: 4 });
    expect(ranked).toEqual(histories.map((history) => bruteForce(history, 7, [0, 1])));
    expect(calls).toEqual([
      { size: 4, start: 0 },
      { size: 4, start: 4 },
      { size: 1, start: 8 },
    ]);
  });

  it('ranks only allowed items, and returns fewer than k when fewer remain', async () => {
    const allowed = new Set([2, 3, 5, 8, 13, 21, 34]);
    const ranked = await rankHistories(ids, histories, score, { k: 100, allowed });
    expect(ranked).toEqual(histories.map((history) => bruteForce(history, 100, [], allowed)));
    expect(ranked.every((list) => list.length <= allowed.size)).toBe(true);
  });
});
