import { SeededRandom } from '../../random/index';

/**
 * An exact inner-product or squared-L2 kernel over row-major float32 matrices, in the shape of
 * usearch's `exactSearch`: for each query row, the `count` dataset rows of smallest distance
 * (`'ip'`: 1 - x . y; `'l2sq'`: |x - y|^2). Both arrays must start at their buffer's first byte.
 */
export type ExactSearchKernel = (
  dataset: Float32Array,
  queries: Float32Array,
  dimensions: number,
  count: number,
  metric: 'ip' | 'l2sq',
  threads: number,
) => { keys: BigUint64Array; distances: Float32Array };

/**
 * What receives a scan's vectors: `offer` is called for each vector whose inner product with the
 * query exceeds `floor` (read before each vector; a top-k heap raises it as it fills).
 */
export interface ScanSink {
  /** Products at or below it are not offered. */
  readonly floor: number;
  offer(key: number, product: number): void;
}

/** Settings of {@link PartitionScan.train}. */
export interface PartitionTraining {
  /** Cells (k-means centroids). */
  cells: number;
  /** Seed of the sample and the initial centroids. Default 1. */
  seed?: number;
  /** Lloyd iterations over the sample. Default 10. */
  iterations?: number;
  /** Vectors sampled per cell to train on. Default 64. */
  samplePerCell?: number;
  /** Threads of the kernel while training; 0 = all cores. Default 0. */
  threads?: number;
}

/** One cell: its vectors, row-major `[length, dimensions]` in a buffer with spare capacity, and their keys. */
interface Cell {
  vectors: Float32Array;
  keys: Int32Array;
  length: number;
}

/**
 * A partition scan over item vectors (an inverted file, as in IVF indexes): k-means splits the
 * vectors into cells; a query ranks the cells by the inner product with their centroid and
 * scans the vectors of the best `probes` cells exactly. It finds what a graph search misses: an
 * inner-product HNSW graph has regions that a query never reaches (at 1M items of the serving
 * bench it returned almost none of some users' top-100 whatever its budget), while a probed
 * cell returns every vector in it. Cells take new vectors (the nearest centroid) and drop
 * removed ones without retraining; the kernel (usearch's SIMD `exactSearch`) is given in, so
 * this file imports no engine.
 */
export class PartitionScan {
  readonly dimensions: number;
  private readonly kernel: ExactSearchKernel;
  /** `[cells, dimensions]` the centroids. */
  private centroids: Float32Array = new Float32Array(0);
  private cells: Cell[] = [];
  /** Cell and slot of each key, -1 for none. */
  private cellOfKey = new Int32Array(0);
  private slotOfKey = new Int32Array(0);
  private held = 0;

  constructor(dimensions: number, kernel: ExactSearchKernel) {
    this.dimensions = dimensions;
    this.kernel = kernel;
  }

  /** Cells, 0 before training. */
  get cellCount(): number {
    return this.cells.length;
  }

  /** Vectors held in cells. */
  get size(): number {
    return this.held;
  }

  /**
   * Trains the centroids by k-means (Lloyd) on a seeded sample of the vectors, then puts every
   * vector into the cell of its nearest centroid (replacing what the cells held).
   * @param keys - keys of the vectors; a key < 0 marks a row to skip.
   * @param vectors - row-major `[keys.length, dimensions]`, starting at its buffer's first byte.
   */
  train(keys: Int32Array, vectors: Float32Array, options: PartitionTraining): void {
    const d = this.dimensions;
    if (vectors.byteOffset !== 0) vectors = vectors.slice();
    const rows: number[] = [];
    keys.forEach((key, row) => {
      if (key >= 0) rows.push(row);
    });
    if (rows.length === 0) {
      // nothing to train on: back to no cells (searches use the graph alone)
      this.reset(new Float32Array(0));
      return;
    }
    const cells = Math.min(options.cells, rows.length);
    const threads = options.threads ?? 0;
    const random = new SeededRandom(options.seed ?? 1);
    const sampleSize = Math.min(rows.length, cells * (options.samplePerCell ?? 64));
    random.shuffle(rows);
    const sample = new Float32Array(sampleSize * d);
    for (let s = 0; s < sampleSize; s++) sample.set(vectors.subarray(rows[s] * d, (rows[s] + 1) * d), s * d);
    let centroids = sample.slice(0, cells * d); // the sample is shuffled: its first rows are random
    for (let iteration = 0; iteration < (options.iterations ?? 10); iteration++) {
      const nearest = this.kernel(centroids, sample, d, 1, 'l2sq', threads).keys;
      const sums = new Float64Array(cells * d);
      const counts = new Int32Array(cells);
      for (let s = 0; s < sampleSize; s++) {
        const cell = Number(nearest[s]);
        counts[cell]++;
        for (let i = 0; i < d; i++) sums[cell * d + i] += sample[s * d + i];
      }
      const next = new Float32Array(cells * d);
      for (let cell = 0; cell < cells; cell++) {
        if (counts[cell] === 0) {
          // an empty cell restarts from a random sample vector
          const s = random.nextInt(sampleSize);
          next.set(sample.subarray(s * d, (s + 1) * d), cell * d);
        } else for (let i = 0; i < d; i++) next[cell * d + i] = sums[cell * d + i] / counts[cell];
      }
      centroids = next;
    }
    this.reset(centroids);
    const nearest = this.kernel(centroids, vectors, d, 1, 'l2sq', threads).keys;
    const assigned = new Int32Array(keys.length);
    for (let row = 0; row < keys.length; row++) assigned[row] = Number(nearest[row]);
    this.place(keys, vectors, assigned);
  }

  /**
   * Adds vectors (or moves keys already held) to the cells of their nearest centroids. Untrained,
   * it does nothing.
   * @param vectors - row-major `[keys.length, dimensions]`.
   */
  assign(keys: Int32Array, vectors: Float32Array): void {
    if (this.cells.length === 0 || keys.length === 0) return;
    this.remove(keys);
    const own = vectors.byteOffset === 0 ? vectors : vectors.slice();
    const nearest = this.kernel(this.centroids, own, this.dimensions, 1, 'l2sq', 1).keys;
    this.place(keys, own, Int32Array.from(nearest, Number));
  }

  /** Drops keys from their cells (keys not held are ignored). */
  remove(keys: Int32Array): void {
    for (const key of keys) {
      if (key < 0 || key >= this.cellOfKey.length || this.cellOfKey[key] < 0) continue;
      const cell = this.cells[this.cellOfKey[key]];
      const slot = this.slotOfKey[key];
      // the cell's last vector takes the freed slot
      const last = --cell.length;
      if (slot !== last) {
        const moved = cell.keys[last];
        cell.keys[slot] = moved;
        cell.vectors.copyWithin(slot * this.dimensions, last * this.dimensions, (last + 1) * this.dimensions);
        this.slotOfKey[moved] = slot;
      }
      this.cellOfKey[key] = -1;
      this.slotOfKey[key] = -1;
      this.held--;
    }
  }

  /**
   * Offers the vectors of the `probes` cells whose centroids have the highest inner product with
   * `query` to `sink` (float32 inner products; only those above its floor).
   * @param query - `[dimensions]`.
   */
  scan(query: Float32Array, probes: number, sink: ScanSink): void {
    if (this.cells.length === 0 || probes < 1) return;
    const d = this.dimensions;
    const own = query.byteOffset === 0 && query.length === d ? query : query.slice(0, d);
    const ranked = this.kernel(this.centroids, own, d, Math.min(probes, this.cells.length), 'ip', 1).keys;
    for (let p = 0; p < ranked.length; p++) {
      const cell = this.cells[Number(ranked[p])];
      if (cell.length === 0) continue;
      // the query as a one-row dataset: one distance per cell vector, in slot order, no sorting
      const { distances } = this.kernel(own, cell.vectors.subarray(0, cell.length * d), d, 1, 'ip', 1);
      const keys = cell.keys;
      for (let slot = 0; slot < cell.length; slot++) {
        const product = 1 - distances[slot];
        if (product > sink.floor) sink.offer(keys[slot], product);
      }
    }
  }

  /** The centroids and each held key's cell, to {@link PartitionScan.restore} later. */
  serialize(): { centroids: Float32Array; keys: Int32Array; cells: Int32Array } {
    const keys = new Int32Array(this.held);
    const cells = new Int32Array(this.held);
    let n = 0;
    this.cells.forEach((cell, index) => {
      for (let slot = 0; slot < cell.length; slot++) {
        keys[n] = cell.keys[slot];
        cells[n++] = index;
      }
    });
    return { centroids: this.centroids.slice(), keys, cells };
  }

  /**
   * Restores what {@link PartitionScan.serialize} gave, with the vectors of the keys (a key
   * without a saved cell goes to its nearest centroid).
   * @param vectors - row-major `[keys.length, dimensions]` for `keys`.
   */
  restore(
    saved: { centroids: Float32Array; keys: Int32Array; cells: Int32Array },
    keys: Int32Array,
    vectors: Float32Array,
  ): void {
    const d = this.dimensions;
    const cellCount = saved.centroids.length / d;
    if (!Number.isInteger(cellCount) || cellCount < 1 || saved.keys.length !== saved.cells.length)
      throw new RangeError('PartitionScan.restore: the saved partitions are malformed');
    // the kernel reads from the buffer's first byte: a view into a larger buffer must be copied
    this.reset(saved.centroids.slice());
    let maxKey = -1;
    for (const key of saved.keys) maxKey = Math.max(maxKey, key);
    const savedCell = new Int32Array(maxKey + 1).fill(-1);
    saved.keys.forEach((key, n) => {
      if (key >= 0) savedCell[key] = saved.cells[n];
    });
    const assigned = Int32Array.from(keys, (key) => {
      const cell = key >= 0 && key <= maxKey ? savedCell[key] : -1;
      return cell >= 0 && cell < cellCount ? cell : -1;
    });
    this.place(keys, vectors, assigned);
    const missing = Int32Array.from(keys.keys()).filter((k) => assigned[k] < 0);
    if (missing.length > 0) {
      const missingVectors = new Float32Array(missing.length * d);
      missing.forEach((k, n) => missingVectors.set(vectors.subarray(k * d, (k + 1) * d), n * d));
      this.assign(
        Int32Array.from(missing, (k) => keys[k]),
        missingVectors,
      );
    }
  }

  /** New centroids (`[cells, dimensions]`) with one empty cell each; no key held. */
  private reset(centroids: Float32Array): void {
    this.centroids = centroids;
    this.cells = Array.from({ length: centroids.length / this.dimensions }, () => ({
      vectors: new Float32Array(0),
      keys: new Int32Array(0),
      length: 0,
    }));
    this.cellOfKey.fill(-1);
    this.slotOfKey.fill(-1);
    this.held = 0;
  }

  /** Appends vectors to given cells (-1: skip), growing the cells and the key maps. */
  private place(keys: Int32Array, vectors: Float32Array, assigned: Int32Array): void {
    const d = this.dimensions;
    let maxKey = -1;
    const added = new Int32Array(this.cells.length);
    keys.forEach((key, row) => {
      if (key < 0 || assigned[row] < 0) return;
      maxKey = Math.max(maxKey, key);
      added[assigned[row]]++;
    });
    if (maxKey >= this.cellOfKey.length) {
      const capacity = Math.max(maxKey + 1, Math.ceil(this.cellOfKey.length * 1.5));
      const cellOfKey = new Int32Array(capacity).fill(-1);
      cellOfKey.set(this.cellOfKey);
      const slotOfKey = new Int32Array(capacity).fill(-1);
      slotOfKey.set(this.slotOfKey);
      this.cellOfKey = cellOfKey;
      this.slotOfKey = slotOfKey;
    }
    this.cells.forEach((cell, index) => {
      const needed = cell.length + added[index];
      if (needed <= cell.keys.length) return;
      const capacity = Math.max(needed, Math.ceil(cell.keys.length * 1.5), 8);
      const grownVectors = new Float32Array(capacity * d);
      grownVectors.set(cell.vectors.subarray(0, cell.length * d));
      const grownKeys = new Int32Array(capacity);
      grownKeys.set(cell.keys.subarray(0, cell.length));
      cell.vectors = grownVectors;
      cell.keys = grownKeys;
    });
    keys.forEach((key, row) => {
      if (key < 0 || assigned[row] < 0) return;
      const cell = this.cells[assigned[row]];
      const slot = cell.length++;
      cell.keys[slot] = key;
      cell.vectors.set(vectors.subarray(row * d, (row + 1) * d), slot * d);
      this.cellOfKey[key] = assigned[row];
      this.slotOfKey[key] = slot;
      this.held++;
    });
  }
}
