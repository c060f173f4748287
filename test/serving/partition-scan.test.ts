import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { approximateTopK, CatalogueIndex, createItemIndex, UsearchItemIndex } from '../../src/serving';
import type { ItemIndex, ItemIndexMatches, ItemIndexSearchOptions } from '../../src/serving';
import { PartitionScan } from '../../src/serving/item-index/partition-scan';
import { importUsearch } from '../../src/serving/item-index/usearch-index';
import { SeededRandom } from '../../src/random/index';
import { randomColumns, randomRows } from './fixtures';

const d = 6;

function vectorsOf(count: number, seed: number, width = d): Float32Array {
  const rng = new SeededRandom(seed);
  return Float32Array.from({ length: count * width }, () => rng.nextFloat() * 2 - 1);
}

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((sum, x, i) => sum + x * b[i], 0);

async function scanWithUsearch(): Promise<PartitionScan> {
  const { exactSearch } = await importUsearch();
  return new PartitionScan(d, exactSearch);
}

/** Every (key, product) a scan offers, with a sink that takes everything. */
function offered(scan: PartitionScan, query: Float32Array, probes: number): Map<number, number> {
  const seen = new Map<number, number>();
  scan.scan(query, probes, {
    floor: -Infinity,
    offer: (key, product) => {
      expect(seen.has(key)).toBe(false); // each key once
      seen.set(key, product);
    },
  });
  return seen;
}

describe('PartitionScan', () => {
  it('files every vector in the cell of its nearest centroid and scans the cells of best centroid product', async () => {
    const scan = await scanWithUsearch();
    const keys = Int32Array.from({ length: 400 }, (_, k) => 3 * k); // sparse keys
    const vectors = vectorsOf(400, 1);
    scan.train(keys, vectors, { cells: 8, threads: 1 });
    expect(scan.cellCount).toBe(8);
    expect(scan.size).toBe(400);
    const { centroids, keys: savedKeys, cells } = scan.serialize();
    const centroid = (cell: number): Float32Array => centroids.subarray(cell * d, (cell + 1) * d);
    const cellOf = new Map<number, number>();
    savedKeys.forEach((key, n) => cellOf.set(key, cells[n]));
    keys.forEach((key, k) => {
      const vector = vectors.subarray(k * d, (k + 1) * d);
      const distance = (cell: number): number =>
        centroid(cell).reduce((sum, x, i) => sum + (x - vector[i]) ** 2, 0);
      const nearest = Math.min(...Array.from({ length: 8 }, (_, cell) => distance(cell)));
      expect(distance(cellOf.get(key) as number)).toBeCloseTo(nearest, 5);
    });
    const query = vectorsOf(1, 2);
    // one probe: exactly the keys of the cell whose centroid has the highest product
    const products = Array.from({ length: 8 }, (_, cell) => dot(centroid(cell), query));
    const best = products.indexOf(Math.max(...products));
    const one = offered(scan, query, 1);
    expect([...one.keys()].sort((a, b) => a - b)).toEqual(
      Array.from(keys)
        .filter((key) => cellOf.get(key) === best)
        .sort((a, b) => a - b),
    );
    // every cell: every key once, with its inner product
    const all = offered(scan, query, 8);
    expect(all.size).toBe(400);
    keys.forEach((key, k) =>
      expect(all.get(key)).toBeCloseTo(dot(vectors.subarray(k * d, (k + 1) * d), query), 5),
    );
  });

  it('takes new and moved vectors, drops removed ones, and restores what it saved', async () => {
    const scan = await scanWithUsearch();
    const keys = Int32Array.from({ length: 300 }, (_, k) => k);
    scan.train(keys, vectorsOf(300, 3), { cells: 6, threads: 1 });
    const moved = vectorsOf(2, 4);
    scan.assign(Int32Array.of(5, 400), moved); // 5 moves, 400 is new
    scan.remove(Int32Array.of(7, 8, 9999));
    expect(scan.size).toBe(300 + 1 - 2);
    const query = vectorsOf(1, 5);
    const all = offered(scan, query, 6);
    expect(all.size).toBe(299);
    expect(all.has(7) || all.has(8)).toBe(false);
    expect(all.get(5)).toBeCloseTo(dot(moved.subarray(0, d), query), 5);
    expect(all.get(400)).toBeCloseTo(dot(moved.subarray(d), query), 5);
    // restore from a view inside a larger buffer (the kernel reads from the buffer's first byte)
    const saved = scan.serialize();
    const padded = new Float32Array(saved.centroids.length + 3);
    padded.set(saved.centroids, 3);
    const liveKeys = Int32Array.from(all.keys());
    const liveVectors = new Float32Array(liveKeys.length * d);
    const original = vectorsOf(300, 3);
    liveKeys.forEach((key, n) => {
      const vector =
        key === 5
          ? moved.subarray(0, d)
          : key === 400
            ? moved.subarray(d)
            : original.subarray(key * d, (key + 1) * d);
      liveVectors.set(vector, n * d);
    });
    const restored = await scanWithUsearch();
    restored.restore({ ...saved, centroids: padded.subarray(3) }, liveKeys, liveVectors);
    for (const probes of [1, 3, 6])
      expect(offered(restored, query, probes)).toEqual(offered(scan, query, probes));
  });
});

describe('PartitionScan without vectors', () => {
  it('training on removed rows only leaves no cells, and a scan offers nothing', async () => {
    const scan = await scanWithUsearch();
    scan.train(Int32Array.of(0, 1), vectorsOf(2, 14), { cells: 2, threads: 1 });
    expect(scan.cellCount).toBe(2);
    scan.train(Int32Array.of(-1, -1), vectorsOf(2, 14), { cells: 2, threads: 1 });
    expect(scan.cellCount).toBe(0);
    expect(offered(scan, vectorsOf(1, 15), 4).size).toBe(0);
  });
});

describe('usearch with the partition scan', () => {
  it('probing every cell returns the exact best vectors, before and after a save and reopen', async () => {
    const index = await UsearchItemIndex.create(d, { threads: 1, partitions: 8, probes: 8 });
    const keys = Int32Array.from({ length: 600 }, (_, k) => k);
    const vectors = vectorsOf(600, 6);
    await index.add(keys, vectors);
    expect(index.partitionCount).toBe(8);
    await index.remove(Int32Array.of(10, 20, 30));
    const query = vectorsOf(1, 7);
    const exact = await index.search(query, 50, { exact: true });
    const expectSameAsExact = (found: ItemIndexMatches): void => {
      expect(new Set(found.keys)).toEqual(new Set(exact.keys));
      expect(found.keys.length).toBe(50);
    };
    expectSameAsExact(await index.search(query, 50));
    const folder = await mkdtemp(join(tmpdir(), 'mars-rec-partitions-'));
    try {
      await index.save(folder);
      const live = keys.filter((key) => key !== 10 && key !== 20 && key !== 30);
      const liveVectors = new Float32Array(live.length * d);
      live.forEach((key, n) => liveVectors.set(vectors.subarray(key * d, (key + 1) * d), n * d));
      const reopened = await UsearchItemIndex.open(folder, live, liveVectors, { threads: 1 });
      expect(reopened.partitionCount).toBe(8);
      expectSameAsExact(await reopened.search(query, 50));
      reopened.dispose();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    index.dispose();
  });

  it("trains round(sqrt(items)) cells once 'auto' reaches 10,000 items, and retrains when the index doubles", async () => {
    const width = 4;
    const index = await createItemIndex('usearch', width, { connectivity: 8, expansionAdd: 16 });
    const usearch = index as UsearchItemIndex;
    await index.add(
      Int32Array.from({ length: 9_999 }, (_, k) => k),
      vectorsOf(9_999, 8, width),
    );
    expect(usearch.partitionCount).toBe(0); // the graph alone below 10,000 items
    await index.add(Int32Array.of(9_999), vectorsOf(1, 9, width));
    expect(usearch.partitionCount).toBe(100);
    await index.add(
      Int32Array.from({ length: 10_000 }, (_, k) => 10_000 + k),
      vectorsOf(10_000, 10, width),
    );
    expect(usearch.partitionCount).toBe(141);
    index.dispose();
  });

  it('rejects bad partition settings', async () => {
    await expect(UsearchItemIndex.create(d, { partitions: -1 })).rejects.toThrow(
      /partitions must be 'auto' or an integer >= 0, got -1/,
    );
    await expect(UsearchItemIndex.create(d, { probes: 1.5 })).rejects.toThrow(
      /probes must be an integer >= 0, got 1.5/,
    );
  });
});

describe('approximate top-k with the partition scan', () => {
  it('uses 300 candidates and the index probes when given no options', async () => {
    const calls: { count: number; options?: ItemIndexSearchOptions }[] = [];
    const columns = randomColumns(2_000, 4, 2, 11);
    const catalogue = await CatalogueIndex.build(
      Array.from({ length: 2_000 }, (_, row) => `item-${row}`),
      columns,
      4,
      2,
      { engine: 'brute-force' },
    );
    const engine = catalogue.itemIndex;
    const spy: ItemIndex = {
      engine: engine.engine,
      dimensions: engine.dimensions,
      size: engine.size,
      add: (keys, vectors) => engine.add(keys, vectors),
      remove: (keys) => engine.remove(keys),
      search: (query, count, options) => {
        calls.push({ count, options });
        return engine.search(query, count, options);
      },
      save: () => Promise.resolve(),
      dispose: () => undefined,
    };
    const history = randomRows(2_000, 12, 12);
    const query = catalogue.query(history, [0.1, -0.2]);
    await approximateTopK(catalogue.table, spy, query, { k: 10, exclude: new Set(history) });
    expect(calls).toEqual([{ count: 300 + 12, options: { probes: undefined } }]);
    catalogue.dispose();
  });

  const build = (items: number, aggregation: 'attention' | 'mean'): Promise<CatalogueIndex> =>
    CatalogueIndex.build(
      Array.from({ length: items }, (_, row) => `item-${row}`),
      randomColumns(items, 8, 4, 13),
      8,
      4,
      // 2 of 16 cells probed by default: the graph and the scan each find part of the list
      {
        engine: 'usearch',
        aggregation,
        partitions: 16,
        probes: 2,
        threads: 1,
        connectivity: 8,
        expansionAdd: 32,
      },
    );

  it('recalls the exact top-20 of a generated catalogue with the default settings', async () => {
    // the mean's bound is its score: what the engine finds is all that decides the recall
    const catalogue = await build(4_000, 'mean');
    expect((catalogue.itemIndex as UsearchItemIndex).partitionCount).toBe(16);
    let found = 0;
    const users = 10;
    for (let user = 0; user < users; user++) {
      const history = randomRows(4_000, 20, 100 + user);
      const query = catalogue.query(history, [0.3, -0.1, 0.2, 0.05]);
      const request = { k: 20, exclude: new Set(history) };
      const exact = await catalogue.topK(query, request, { mode: 'exact' });
      const approximate = await catalogue.topK(query, request, { mode: 'approximate' });
      const threshold = exact.scores[19];
      found += Array.from(approximate.scores).filter((score) => score >= threshold).length;
    }
    expect(found / (20 * users)).toBeGreaterThanOrEqual(0.95);
    catalogue.dispose();
  });

  it('probing every cell with a budget that covers the bound gives the exact list (attention)', async () => {
    const catalogue = await build(4_000, 'attention');
    for (let user = 0; user < 5; user++) {
      const history = randomRows(4_000, 20, 200 + user);
      const query = catalogue.query(history, [0.3, -0.1, 0.2, 0.05]);
      const request = { k: 20, exclude: new Set(history) };
      const exact = await catalogue.topK(query, request, { mode: 'exact' });
      const everyCell = await catalogue.topK(query, request, {
        mode: 'approximate',
        candidates: 3_900, // below the catalogue: the engine is searched
        probes: 16,
      });
      expect(exact.scored).toBeLessThan(3_900); // the random columns give a loose bound
      expect(Array.from(everyCell.rows)).toEqual(Array.from(exact.rows));
    }
    catalogue.dispose();
  });
});
