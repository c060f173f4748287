import type { ItemIndex, ItemIndexMatches } from './item-index';

/**
 * The exact reference {@link ItemIndex}: every search scans every vector (float64 sums) and
 * ranks by inner product, ties by lower key first. Nothing is written by `save`: the vectors
 * come back through `openItemIndex`.
 */
export class BruteForceItemIndex implements ItemIndex {
  readonly engine = 'brute-force' as const;
  readonly dimensions: number;
  private vectors: Float32Array;
  private present: Uint8Array;
  private count = 0;

  /** @param dimensions - vector width, in numbers. */
  constructor(dimensions: number) {
    if (!Number.isInteger(dimensions) || dimensions < 1)
      throw new RangeError(`BruteForceItemIndex: dimensions must be a positive integer, got ${dimensions}`);
    this.dimensions = dimensions;
    this.vectors = new Float32Array(0);
    this.present = new Uint8Array(0);
  }

  get size(): number {
    return this.count;
  }

  async add(keys: Int32Array, vectors: Float32Array): Promise<void> {
    checkBatch('BruteForceItemIndex.add', keys, vectors, this.dimensions);
    const d = this.dimensions;
    let maxKey = -1;
    for (const key of keys) maxKey = Math.max(maxKey, key);
    if (maxKey >= this.present.length) {
      const capacity = Math.max(maxKey + 1, Math.ceil(this.present.length * 1.5));
      const grown = new Float32Array(capacity * d);
      grown.set(this.vectors);
      const present = new Uint8Array(capacity);
      present.set(this.present);
      this.vectors = grown;
      this.present = present;
    }
    keys.forEach((key, k) => {
      this.vectors.set(vectors.subarray(k * d, (k + 1) * d), key * d);
      if (this.present[key] === 0) this.count++;
      this.present[key] = 1;
    });
  }

  async remove(keys: Int32Array): Promise<void> {
    for (const key of keys) {
      if (key >= 0 && key < this.present.length && this.present[key] === 1) {
        this.present[key] = 0;
        this.count--;
      }
    }
  }

  async search(query: Float32Array, count: number): Promise<ItemIndexMatches> {
    checkQuery('BruteForceItemIndex.search', query, count, this.dimensions);
    const d = this.dimensions;
    const scores = new Float64Array(this.present.length);
    const keys: number[] = [];
    for (let key = 0; key < this.present.length; key++) {
      if (this.present[key] === 0) continue;
      let sum = 0;
      for (let i = 0; i < d; i++) sum += query[i] * this.vectors[key * d + i];
      scores[key] = sum;
      keys.push(key);
    }
    keys.sort((a, b) => scores[b] - scores[a] || a - b);
    const best = Int32Array.from(keys.slice(0, count));
    return { keys: best, scores: Float32Array.from(best, (key) => scores[key]) };
  }

  async save(): Promise<void> {
    // the vectors are the whole index: openItemIndex gets them back from the caller
  }

  dispose(): void {
    this.vectors = new Float32Array(0);
    this.present = new Uint8Array(0);
    this.count = 0;
  }
}

/** Validates an add batch: integer keys >= 0, one vector of `dimensions` finite numbers each. */
export function checkBatch(
  operation: string,
  keys: Int32Array,
  vectors: Float32Array,
  dimensions: number,
): void {
  if (vectors.length !== keys.length * dimensions)
    throw new RangeError(
      `${operation}: ${vectors.length} numbers for ${keys.length} keys of ${dimensions} dimensions`,
    );
  keys.forEach((key, k) => {
    if (key < 0) throw new RangeError(`${operation}: key ${key} (position ${k}) is negative`);
  });
  for (let k = 0; k < vectors.length; k++)
    if (!Number.isFinite(vectors[k]))
      throw new RangeError(
        `${operation}: the vector of key ${keys[Math.floor(k / dimensions)]} holds ${vectors[k]} at ${k % dimensions}`,
      );
}

/** Validates a search: a query of `dimensions` finite numbers and an integer count >= 0. */
export function checkQuery(operation: string, query: Float32Array, count: number, dimensions: number): void {
  if (query.length !== dimensions)
    throw new RangeError(`${operation}: the query has ${query.length} numbers, the index ${dimensions}`);
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`${operation}: count must be an integer >= 0, got ${count}`);
  for (let i = 0; i < query.length; i++)
    if (!Number.isFinite(query[i])) throw new RangeError(`${operation}: query[${i}] is ${query[i]}`);
}
