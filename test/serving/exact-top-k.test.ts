import { describe, expect, it } from 'vitest';
import {
  approximateTopK,
  bruteForceTopK,
  createItemIndex,
  exactTopK,
  indexDimensions,
  indexVectorsOf,
  prepareMemoryQuery,
  ScoringTable,
  scoreRows,
} from '../../src/serving';
import type { ItemIndexEngine, TopKRequest } from '../../src/serving';
import { topK } from '../../src/metrics/top-k';
import { randomColumns, randomRows } from './fixtures';

async function indexedTable(
  engine: ItemIndexEngine,
  items: number,
  d: number,
  f: number,
  seed: number,
  levels?: number,
) {
  const table = new ScoringTable(d, f);
  table.append(randomColumns(items, d, f, seed, levels));
  const index = await createItemIndex(engine, indexDimensions(table), { threads: 1 });
  const rows = Int32Array.from({ length: items }, (_, row) => row);
  const vectors = indexVectorsOf(table, rows);
  await index.add(rows, vectors);
  let maxVectorNorm = 0;
  const width = indexDimensions(table);
  for (let row = 0; row < items; row++) {
    let sum = 0;
    for (let i = 0; i < width; i++) sum += vectors[row * width + i] ** 2;
    maxVectorNorm = Math.max(maxVectorNorm, Math.sqrt(sum));
  }
  return { table, index, maxVectorNorm };
}

describe.each(['brute-force', 'usearch'] as const)('exactTopK on %s', (engine) => {
  it('returns the brute-force list (rows, order, scores) with many exact ties', async () => {
    // 3 levels per number: scores repeat, so the lower-row-first tie order decides
    const { table, index, maxVectorNorm } = await indexedTable(engine, 400, 4, 2, 7, 3);
    for (const [user, k] of [
      [0, 1],
      [1, 10],
      [2, 57],
      [3, 400],
    ] as const) {
      const history = randomRows(400, user * 3, 40 + user);
      const query = prepareMemoryQuery(table, history, { userVector: [0.5, -1] });
      const request: TopKRequest = { k, exclude: new Set(history) };
      const expected = bruteForceTopK(table, query, request);
      const found = await exactTopK(table, index, query, request, { maxVectorNorm });
      expect(Array.from(found.rows)).toEqual(Array.from(expected.rows));
      expect(Array.from(found.scores)).toEqual(Array.from(expected.scores));
    }
    index.dispose();
  });

  it('the brute force agrees with topK of mars-rec/metrics over all scores', async () => {
    const { table, index } = await indexedTable(engine, 300, 5, 0, 9, 4);
    const history = randomRows(300, 6, 3);
    const query = prepareMemoryQuery(table, history);
    const all = new Float64Array(300);
    scoreRows(
      table,
      query,
      Array.from({ length: 300 }, (_, row) => row),
      all,
    );
    const expected = topK(all, 25, new Set(history));
    expect(Array.from(bruteForceTopK(table, query, { k: 25, exclude: new Set(history) }).rows)).toEqual(
      Array.from(expected),
    );
    index.dispose();
  });

  it('honours removed rows, exclusions and an allowed set, and scores only part of the catalogue', async () => {
    const items = 2000;
    const { table, index, maxVectorNorm } = await indexedTable(engine, items, 8, 4, 11);
    const removed = randomRows(items, 300, 2);
    table.remove(removed);
    await index.remove(Int32Array.from(removed));
    const allowed = new Set(randomRows(items, 1500, 4));
    const history = randomRows(items, 20, 6);
    const query = prepareMemoryQuery(table, history, { userVector: [1, 0, -0.5, 0.25] });
    for (const request of [
      { k: 30, exclude: new Set(history) },
      { k: 30, exclude: new Set(history), allowed },
    ]) {
      const expected = bruteForceTopK(table, query, request);
      const found = await exactTopK(table, index, query, request, { maxVectorNorm });
      expect(Array.from(found.rows)).toEqual(Array.from(expected.rows));
      for (const row of found.rows) {
        expect(table.isLive(row)).toBe(true);
        expect(history).not.toContain(row);
        if (request.allowed) expect(request.allowed.has(row)).toBe(true);
      }
      expect(found.scored).toBeLessThan(items);
    }
    index.dispose();
  });

  it('approximate search with a budget covering the catalogue is exact; smaller budgets score that many', async () => {
    const items = 500;
    const { table, index, maxVectorNorm } = await indexedTable(engine, items, 6, 3, 13);
    const history = randomRows(items, 10, 8);
    const query = prepareMemoryQuery(table, history, { userVector: [0.3, 0.2, -0.1] });
    const request = { k: 20, exclude: new Set(history) };
    const exact = await exactTopK(table, index, query, request, { maxVectorNorm });
    const whole = await approximateTopK(table, index, query, request, { candidates: items });
    expect(Array.from(whole.rows)).toEqual(Array.from(exact.rows));
    // scoring in decreasing bound with early stop: the same list from fewer scores
    const pruned = await approximateTopK(table, index, query, request, { candidates: items, maxVectorNorm });
    expect(Array.from(pruned.rows)).toEqual(Array.from(exact.rows));
    expect(pruned.scored).toBeLessThan(whole.scored);
    const small = await approximateTopK(table, index, query, request, { candidates: 50 });
    expect(small.scored).toBeLessThanOrEqual(60);
    expect(small.rows.length).toBe(20);
    index.dispose();
  });
});

describe('top-k input checks', () => {
  it('rejects k < 1 and a non-integer budget', async () => {
    const table = new ScoringTable(2, 0);
    table.append(randomColumns(5, 2, 0, 1));
    const index = await createItemIndex('brute-force', indexDimensions(table));
    const query = prepareMemoryQuery(table, [0]);
    expect(() => bruteForceTopK(table, query, { k: 0 })).toThrow(/k must be a positive integer, got 0/);
    await expect(exactTopK(table, index, query, { k: 1.5 }, { maxVectorNorm: 1 })).rejects.toThrow(/got 1.5/);
    await expect(approximateTopK(table, index, query, { k: 1 }, { candidates: 0 })).rejects.toThrow(
      /candidates must be a positive integer/,
    );
  });
});
