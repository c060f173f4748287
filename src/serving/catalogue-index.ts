import { writeFileAtomically } from '../data/write-file-atomically';
import { approximateTopK, bruteForceTopK, exactTopK } from './exact-top-k';
import type { TopKRequest, TopKResult } from './exact-top-k';
import { createItemIndex, openItemIndex } from './item-index/open-item-index';
import type { ItemIndex, ItemIndexEngine, ItemIndexOptions } from './item-index/item-index';
import { indexDimensions, indexVectorsOf, prepareMemoryQuery } from './memory-query';
import type { MemoryQuery } from './memory-query';
import { ScoringTable } from './scoring-table';
import type { ScoringColumns } from './scoring-table';

/** How a top-k is searched. */
export type ServingSearch =
  /** Score every item (the reference). */
  | { mode: 'brute-force' }
  /** The threshold algorithm: the brute force's exact list, from a fraction of the work. */
  | { mode: 'exact' }
  /**
   * A fixed budget of engine candidates scored exactly; `candidates` default 300, `probes` (cells
   * of the partition scan) default the index's setting (32).
   */
  | { mode: 'approximate'; candidates?: number; probes?: number };

/** Options of {@link CatalogueIndex.build}. */
export interface CatalogueIndexOptions extends ItemIndexOptions {
  /** The vector engine. Default `'usearch'`. */
  engine?: ItemIndexEngine;
  /** How the model reads the memory. Default `'attention'`. */
  aggregation?: 'attention' | 'mean';
}

/** The format tag of a saved {@link CatalogueIndex}. */
export const CATALOGUE_INDEX_FORMAT = 'mars-rec/index';
/** The format version this mars-rec writes and reads. */
export const CATALOGUE_INDEX_VERSION = 1;

interface CatalogueManifest {
  format: typeof CATALOGUE_INDEX_FORMAT;
  version: number;
  engine: ItemIndexEngine;
  aggregation: 'attention' | 'mean';
  textDim: number;
  collaborativeDim: number;
  maxVectorNorm: number;
  ids: string[];
}

/**
 * A served catalogue: item ids, the {@link ScoringTable} that scores them and the
 * {@link ItemIndex} that finds them, kept in step. Items can be added, edited and removed without
 * retraining (the model's encoder gives a new item its vectors from its text; see
 * `MarsModel.indexItems`), and the whole is saved crash-safely beside the model.
 *
 * @example
 * ```ts
 * import { CatalogueIndex, MarsModel } from 'mars-rec';
 *
 * const model = await MarsModel.load('./my-model');
 * const index = await model.buildIndex({ engine: 'usearch' }); // attached: recommend can search it
 * await index.save('./my-model/index'); // crash-safe; CatalogueIndex.load('./my-model/index') later
 * const top = await model.recommend(['1', '34'], { k: 10, exact: true }); // the same list as brute force
 * await model.indexItems([{ id: 'new-1', text: 'A lighthouse keeper and the sea' }]); // no retraining
 * await model.removeItems(['34']);
 * model.useIndex(await CatalogueIndex.load('./my-model/index')); // back to the saved catalogue
 * ```
 */
export class CatalogueIndex {
  /** The scoring columns, by row. */
  readonly table: ScoringTable;
  /** The vector engine over the rows' index vectors. */
  readonly itemIndex: ItemIndex;
  /** How the model reads the memory. */
  readonly aggregation: 'attention' | 'mean';
  private readonly idOfRow: string[];
  private readonly rowById: Map<string, number>;
  private maxNorm: number;

  private constructor(
    table: ScoringTable,
    itemIndex: ItemIndex,
    aggregation: 'attention' | 'mean',
    ids: string[],
    maxNorm: number,
  ) {
    this.table = table;
    this.itemIndex = itemIndex;
    this.aggregation = aggregation;
    this.idOfRow = ids;
    this.rowById = new Map();
    ids.forEach((id, row) => {
      if (this.rowById.has(id))
        throw new RangeError(
          `CatalogueIndex: item id '${id}' appears twice (rows ${this.rowById.get(id)} and ${row})`,
        );
      this.rowById.set(id, row);
    });
    this.maxNorm = maxNorm;
  }

  /**
   * Indexes a catalogue: row `i` is item `ids[i]` with the columns' item `i`.
   * @param textDim - size d of the text vectors.
   * @param collaborativeDim - size F of the collaborative factors (0 for none).
   */
  static async build(
    ids: readonly string[],
    columns: ScoringColumns,
    textDim: number,
    collaborativeDim: number,
    options: CatalogueIndexOptions = {},
  ): Promise<CatalogueIndex> {
    const { engine = 'usearch', aggregation = 'attention', ...indexOptions } = options;
    if (columns.biases.length !== ids.length)
      throw new RangeError(
        `CatalogueIndex.build: ${ids.length} ids for ${columns.biases.length} items of columns`,
      );
    const table = new ScoringTable(textDim, collaborativeDim, Math.max(1, ids.length));
    table.append(columns);
    const itemIndex = await createItemIndex(engine, indexDimensions(table), indexOptions);
    const catalogue = new CatalogueIndex(table, itemIndex, aggregation, [...ids], 0);
    await catalogue.indexRows(Int32Array.from(ids.keys()));
    return catalogue;
  }

  /** Item ids by row (removed items keep their row and id). */
  get ids(): readonly string[] {
    return this.idOfRow;
  }

  /** Items that can be recommended. */
  get size(): number {
    return this.table.liveSize;
  }

  /** The engine the index runs on. */
  get engine(): ItemIndexEngine {
    return this.itemIndex.engine;
  }

  /** The row of an item id, or undefined when the catalogue never held it. */
  rowOf(id: string): number | undefined {
    return this.rowById.get(id);
  }

  /** Rows of item ids; throws naming the first unknown id, its position and `what` it was. */
  rowsOf(ids: readonly string[], what = 'item'): Int32Array {
    return Int32Array.from(ids, (id, position) => {
      const row = this.rowById.get(id);
      if (row === undefined)
        throw new RangeError(
          `Unknown ${what} id '${id}' at position ${position}: the served catalogue does not hold it`,
        );
      return row;
    });
  }

  /**
   * Adds new items and replaces the columns of known ones (edited or re-added), in the table and
   * the engine.
   * @returns how many items were new and how many replaced.
   */
  async upsert(
    ids: readonly string[],
    columns: ScoringColumns,
  ): Promise<{ added: number; replaced: number }> {
    if (columns.biases.length !== ids.length)
      throw new RangeError(
        `CatalogueIndex.upsert: ${ids.length} ids for ${columns.biases.length} items of columns`,
      );
    if (new Set(ids).size !== ids.length) throw new RangeError('CatalogueIndex.upsert: an id appears twice');
    const { textDim: d, collaborativeDim: f } = this.table;
    const slice = (positions: number[]): ScoringColumns => ({
      itemVectors: gatherRows(columns.itemVectors, positions, d),
      memoryVectors: gatherRows(columns.memoryVectors, positions, d),
      itemFactors: gatherRows(columns.itemFactors, positions, f),
      biases: Float32Array.from(positions, (k) => columns.biases[k]),
    });
    const known: number[] = [];
    const fresh: number[] = [];
    ids.forEach((id, k) => (this.rowById.has(id) ? known : fresh).push(k));
    const knownRows = Int32Array.from(known, (k) => this.rowById.get(ids[k]) as number);
    if (known.length > 0) this.table.replace(knownRows, slice(known));
    let freshRows = new Int32Array(0);
    if (fresh.length > 0) {
      const first = this.table.append(slice(fresh));
      freshRows = Int32Array.from(fresh, (_, n) => first + n);
      fresh.forEach((k, n) => {
        this.idOfRow.push(ids[k]);
        this.rowById.set(ids[k], first + n);
      });
    }
    const rows = new Int32Array(knownRows.length + freshRows.length);
    rows.set(knownRows);
    rows.set(freshRows, knownRows.length);
    await this.indexRows(rows);
    return { added: fresh.length, replaced: known.length };
  }

  /**
   * Removes items: they leave the engine and are never recommended; a history may still name
   * them (their memory vectors stay).
   * @returns how many were live before.
   */
  async remove(ids: readonly string[]): Promise<number> {
    const rows = this.rowsOf(ids, 'removed item');
    const live = rows.filter((row) => this.table.isLive(row));
    this.table.remove(live);
    await this.itemIndex.remove(live);
    return live.length;
  }

  /**
   * The {@link MemoryQuery} of a history (its rows, the most recent `maxHistory` items) and
   * collaborative user vector.
   */
  query(history: ArrayLike<number>, userVector?: ArrayLike<number>): MemoryQuery {
    return prepareMemoryQuery(this.table, history, { userVector, aggregation: this.aggregation });
  }

  /** The top-k of a query, searched as `search` says (default exact). */
  async topK(
    query: MemoryQuery,
    request: TopKRequest,
    search: ServingSearch = { mode: 'exact' },
  ): Promise<TopKResult> {
    if (search.mode === 'brute-force') return bruteForceTopK(this.table, query, request);
    if (search.mode === 'exact')
      return exactTopK(this.table, this.itemIndex, query, request, { maxVectorNorm: this.maxNorm });
    if (search.mode === 'approximate')
      return approximateTopK(this.table, this.itemIndex, query, request, {
        candidates: search.candidates,
        probes: search.probes,
        maxVectorNorm: this.maxNorm,
      });
    throw new RangeError(
      `CatalogueIndex.topK: search mode must be 'brute-force', 'exact' or 'approximate', got '${String((search as { mode: unknown }).mode)}'`,
    );
  }

  /**
   * Saves the catalogue into `directory` crash-safely: everything is written to a new generation
   * folder, which the `CURRENT` file is then switched to by an atomic rename; a crash at any
   * point leaves the previous generation readable. Older generations are removed afterwards.
   */
  async save(directory: string): Promise<void> {
    const fs = await import('node:fs/promises');
    const { join } = await import('node:path');
    await fs.mkdir(directory, { recursive: true });
    // a number above every generation present, finished or not (a crash may have left one)
    let last = 0;
    for (const entry of await fs.readdir(directory)) {
      const match = /^gen-(\d+)/.exec(entry);
      if (match) last = Math.max(last, Number(match[1]));
    }
    const generation = `gen-${String(last + 1).padStart(6, '0')}`;
    const staging = join(directory, `${generation}.tmp-${process.pid}-${Date.now()}`);
    await fs.mkdir(staging);
    try {
      const { textDim, collaborativeDim } = this.table;
      const manifest: CatalogueManifest = {
        format: CATALOGUE_INDEX_FORMAT,
        version: CATALOGUE_INDEX_VERSION,
        engine: this.itemIndex.engine,
        aggregation: this.aggregation,
        textDim,
        collaborativeDim,
        maxVectorNorm: this.maxNorm,
        ids: this.idOfRow,
      };
      const view = this.table.view;
      await writeSynced(join(staging, 'columns.bin'), [
        view.itemVectors,
        view.memoryVectors,
        view.itemFactors,
        view.biases,
        this.table.liveRows,
      ]);
      await this.itemIndex.save(staging);
      await writeSynced(join(staging, 'manifest.json'), [new TextEncoder().encode(JSON.stringify(manifest))]);
      await fs.rename(staging, join(directory, generation));
    } catch (error) {
      await fs.rm(staging, { recursive: true, force: true });
      throw error;
    }
    await writeFileAtomically(join(directory, 'CURRENT'), generation);
    // older generations, and what interrupted saves left (staging folders, unswitched generations,
    // pointer files never renamed into place)
    for (const entry of await fs.readdir(directory))
      if ((entry.startsWith('gen-') && entry !== generation) || entry.startsWith('CURRENT.tmp-'))
        await fs.rm(join(directory, entry), { recursive: true, force: true });
  }

  /** Whether `directory` holds a saved catalogue index. */
  static async exists(directory: string): Promise<boolean> {
    return (await readCurrent(directory)) !== undefined;
  }

  /** Loads a catalogue saved by {@link CatalogueIndex.save}. */
  static async load(directory: string, options: ItemIndexOptions = {}): Promise<CatalogueIndex> {
    const fs = await import('node:fs/promises');
    const { join } = await import('node:path');
    const generation = await readCurrent(directory);
    if (!generation)
      throw new Error(
        `'${directory}' holds no mars-rec index (no CURRENT file); build one with 'mars-rec index'`,
      );
    const folder = join(directory, generation);
    const manifest = JSON.parse(
      await fs.readFile(join(folder, 'manifest.json'), 'utf8'),
    ) as CatalogueManifest;
    if (manifest.format !== CATALOGUE_INDEX_FORMAT)
      throw new Error(`${join(folder, 'manifest.json')} is not a mars-rec index`);
    if (manifest.version > CATALOGUE_INDEX_VERSION)
      throw new Error(
        `'${directory}' holds an index of format version ${manifest.version}, newer than this mars-rec reads (${CATALOGUE_INDEX_VERSION}); upgrade mars-rec`,
      );
    const { textDim: d, collaborativeDim: f, ids } = manifest;
    const n = ids.length;
    const bytes = await fs.readFile(join(folder, 'columns.bin'));
    const expected = 4 * n * (2 * d + f + 1) + n;
    if (bytes.byteLength !== expected)
      throw new Error(
        `${join(folder, 'columns.bin')} has ${bytes.byteLength} bytes, expected ${expected} for ${n} items`,
      );
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    let offset = 0;
    const floats = (count: number): Float32Array => {
      const values = new Float32Array(buffer, offset, count);
      offset += 4 * count;
      return values;
    };
    const columns: ScoringColumns = {
      itemVectors: floats(n * d),
      memoryVectors: floats(n * d),
      itemFactors: floats(n * f),
      biases: floats(n),
    };
    const live = new Uint8Array(buffer, offset, n);
    const table = ScoringTable.fromColumns(d, f, columns, live);
    const liveRows = Int32Array.from({ length: n }, (_, row) => row).filter((row) => live[row] === 1);
    const itemIndex = await openItemIndex(
      manifest.engine,
      folder,
      indexDimensions(table),
      liveRows,
      indexVectorsOf(table, liveRows),
      options,
    );
    return new CatalogueIndex(table, itemIndex, manifest.aggregation, ids, manifest.maxVectorNorm);
  }

  /** Frees the engine. */
  dispose(): void {
    this.itemIndex.dispose();
  }

  /**
   * Puts rows' current index vectors into the engine, in one batch (an engine may train on what
   * it is given, as usearch's partition scan does), and tracks the largest norm.
   */
  private async indexRows(rows: Int32Array): Promise<void> {
    const width = indexDimensions(this.table);
    const vectors = indexVectorsOf(this.table, rows);
    for (let k = 0; k < rows.length; k++) {
      let sum = 0;
      for (let i = 0; i < width; i++) sum += vectors[k * width + i] ** 2;
      this.maxNorm = Math.max(this.maxNorm, Math.sqrt(sum));
    }
    await this.itemIndex.add(rows, vectors);
  }
}

function gatherRows(values: Float32Array, positions: number[], width: number): Float32Array {
  const out = new Float32Array(positions.length * width);
  positions.forEach((k, n) => out.set(values.subarray(k * width, (k + 1) * width), n * width));
  return out;
}

async function readCurrent(directory: string): Promise<string | undefined> {
  const fs = await import('node:fs/promises');
  const { join } = await import('node:path');
  try {
    const generation = (await fs.readFile(join(directory, 'CURRENT'), 'utf8')).trim();
    return /^gen-\d+$/.test(generation) ? generation : undefined;
  } catch {
    return undefined;
  }
}

/** Writes byte arrays one after the other into a new file and flushes it to disk. */
async function writeSynced(path: string, parts: ArrayBufferView[]): Promise<void> {
  const fs = await import('node:fs/promises');
  const handle = await fs.open(path, 'w');
  try {
    for (const part of parts)
      await handle.write(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
    await handle.sync();
  } finally {
    await handle.close();
  }
}
