/** What {@link ItemIndex.search} returns: keys best first, with their inner products. */
export interface ItemIndexMatches {
  /** Item keys (table rows), highest inner product first. */
  keys: Int32Array;
  /**
   * The inner products of `keys`, in the same order. An exact search returns the engine's
   * float32 inner products; an approximate one may return NaN where the engine gives none.
   */
  scores: Float32Array;
}

/** Options of {@link ItemIndex.search}. */
export interface ItemIndexSearchOptions {
  /**
   * Scan every vector and return the true best `count` (ties: lower key first for the brute
   * force; an engine's order among equal products is its own). Default false: the engine's
   * approximate search (the brute force is exact either way).
   */
  exact?: boolean;
  /**
   * Cells of the partition scan probed by an approximate search (engines with one; see
   * {@link ItemIndexOptions.probes}). Default: the index's setting.
   */
  probes?: number;
}

/**
 * An inner-product index over item vectors, keyed by integer item keys (the rows of a
 * `ScoringTable`): the one place where serving talks to a vector engine. A key added twice
 * keeps its latest vector.
 *
 * Implementations: {@link BruteForceItemIndex} (exact, the reference) and the `usearch`
 * adapter ({@link UsearchItemIndex}; the default of `CatalogueIndex`).
 */
export interface ItemIndex {
  /** The engine's name, as `createItemIndex` takes it. */
  readonly engine: ItemIndexEngine;
  /** Vector width, in numbers. */
  readonly dimensions: number;
  /** Keys held, in items. */
  readonly size: number;
  /**
   * Adds or replaces vectors.
   * @param keys - item keys (integers >= 0).
   * @param vectors - row-major `[keys.length, dimensions]`.
   */
  add(keys: Int32Array, vectors: Float32Array): Promise<void>;
  /** Removes keys (keys not held are ignored). */
  remove(keys: Int32Array): Promise<void>;
  /**
   * The `count` keys of highest inner product with `query` (fewer when the index holds fewer).
   * @param query - `[dimensions]`.
   */
  search(query: Float32Array, count: number, options?: ItemIndexSearchOptions): Promise<ItemIndexMatches>;
  /**
   * Writes the engine's own files into `directory` (which exists); the vectors themselves are
   * given back to {@link openItemIndex}, so an engine may store only its graph.
   */
  save(directory: string): Promise<void>;
  /** Frees what the engine holds outside the JavaScript heap. */
  dispose(): void;
}

/** The engines an {@link ItemIndex} can run on. */
export type ItemIndexEngine = 'brute-force' | 'usearch';

/** Settings of an approximate engine's graph (HNSW); the brute force ignores them. */
export interface ItemIndexOptions {
  /** Graph degree M. Default 32. */
  connectivity?: number;
  /** Candidate list size while inserting (efConstruction). Default 128. */
  expansionAdd?: number;
  /** Candidate list size while searching (ef); a search asks for at least its `count`. Default 128. */
  expansionSearch?: number;
  /** Threads for inserts and searches; 0 = the engine's choice (all cores). Default 0. */
  threads?: number;
  /**
   * Cells of the partition scan that backs the graph (k-means over the vectors; an approximate
   * search also scans the `probes` cells nearest the query exactly): a number, 0 for none, or
   * `'auto'`: round(sqrt(items)) cells once the index holds 10,000 items, retrained each time it
   * doubles. Default `'auto'`.
   */
  partitions?: number | 'auto';
  /** Cells scanned by an approximate search (see `partitions`). Default 32. */
  probes?: number;
}
