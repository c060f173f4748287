import { Tokenizer } from '../text/tokenizer';
import { InteractionDataset } from './interaction-dataset';
import { loadItemTokens } from './load-items';
import { ARROW_FILE } from './column-batches';
import { readInteractionsCsv } from './streaming-csv';
import type { StreamedInteractions } from './streaming-csv';

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** `items.jsonl`, `.parquet` or Arrow IPC (`.arrow`, `.feather`; columns `id`, `text`). */
  items: string;
  /**
   * `interactions.csv`, `.parquet` or Arrow IPC (`.arrow`, `.feather`; columns `user`, `item`,
   * optional `rating`, `timestamp`).
   */
  interactions: string;
  /** Tokenizer of the item texts (for MARS: the model's settings). Default `new Tokenizer()`. */
  tokenizer?: Tokenizer;
  /** Token cache of the items: see `LoadItemTokensOptions.cache`. Default the user's cache folder. */
  tokenCache?: string | false;
  /** Keep only interactions rated at least this, while reading (unrated ones are kept). */
  minRating?: number;
  /** Keep a rating column when the source has one (8 bytes an interaction). Default true. */
  keepRatings?: boolean;
  /** Called with progress: the stage and, for interactions, the bytes (CSV) or rows (Parquet) read. */
  onProgress?: (stage: 'items' | 'interactions' | 'index', done: number, total: number) => void;
}

/** What {@link loadDataset} did, stage by stage. */
export interface LoadReport {
  /** Interaction rows read. */
  rows: number;
  /** Rows whose item is not among the items (skipped). */
  unknownItemInteractions: number;
  /** Rows below `minRating` (skipped). */
  belowMinRating: number;
  /** Rows merged into an earlier (user, item) pair. */
  duplicates: number;
  /** Whether the items came from the token cache. */
  itemsFromCache: boolean;
  /** Seconds spent: items (read + tokenise, or cache), interactions (read), index (CSR build). */
  seconds: { items: number; interactions: number; index: number };
}

/**
 * Loads a dataset from files in bounded memory, with no object per interaction: items are
 * tokenised once into a {@link TokenStore} (cached across runs), interactions are streamed
 * into typed-array columns (CSV parsed from bytes, Parquet through DuckDB, Arrow IPC through Apache
 * Arrow) with ids interned on
 * the fly, and the CSR matrix is built in place. About 12 bytes an interaction (user, item,
 * timestamp) plus ~20 bytes a user at the peak, plus the items.
 *
 * @param options - see {@link LoadDatasetOptions}.
 * @throws DataFormatError naming the file and line (row) of the first problem; an Error naming
 *   `@duckdb/node-api` (Parquet) or `apache-arrow` (Arrow IPC) when the input needs it and it is
 *   not installed.
 *
 * @example
 * ```ts
 * import { loadDataset } from 'mars-rec/data';
 *
 * const { dataset, report } = await loadDataset({
 *   items: 'data/movies/items.jsonl', // or .parquet
 *   interactions: 'data/movies/interactions.csv', // or .parquet
 *   minRating: 4,
 *   onProgress: (stage, done, total) => console.error(stage, done, total),
 * });
 * console.log(dataset.userCount, dataset.itemCount, report.seconds);
 * ```
 */
export async function loadDataset(
  options: LoadDatasetOptions,
): Promise<{ dataset: InteractionDataset; report: LoadReport }> {
  let started = performance.now();
  const { store, fromCache } = await loadItemTokens(options.items, {
    tokenizer: options.tokenizer ?? new Tokenizer(),
    ...(options.tokenCache === undefined ? {} : { cache: options.tokenCache }),
    onProgress: (items) => options.onProgress?.('items', items, 0),
  });
  const itemSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const streamed = await readInteractions(options.interactions, {
    items: store.itemIds,
    minRating: options.minRating,
    keepRatings: options.keepRatings,
    onProgress: (done, total) => options.onProgress?.('interactions', done, total),
  });
  const interactionSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const added = streamed.columns.length;
  const { matrix, ratings } = streamed.columns.toCsr(streamed.users.size, store.size);
  const dataset = InteractionDataset.fromParts({
    users: streamed.users,
    itemIds: store.itemIds.toArray(),
    itemTokens: store,
    interactions: matrix,
    ratings,
    unknownItemInteractions: streamed.unknownItemInteractions,
  });
  return {
    dataset,
    report: {
      rows: streamed.rows,
      unknownItemInteractions: streamed.unknownItemInteractions,
      belowMinRating: streamed.belowMinRating,
      duplicates: added - matrix.indices.length,
      itemsFromCache: fromCache,
      seconds: {
        items: itemSeconds,
        interactions: interactionSeconds,
        index: (performance.now() - started) / 1000,
      },
    },
  };
}

/**
 * Streams interactions from a `.csv`, a `.parquet` or an Arrow IPC file (`.arrow`, `.feather`;
 * chosen by the extension) into compact columns; see {@link readInteractionsCsv},
 * `readInteractionsParquet` and `readInteractionsArrow`.
 */
export async function readInteractions(
  path: string,
  options: Parameters<typeof readInteractionsCsv>[1] = {},
): Promise<StreamedInteractions> {
  if (/\.parquet$/i.test(path)) {
    const { readInteractionsParquet } = await import('./parquet-source');
    return readInteractionsParquet(path, options);
  }
  if (ARROW_FILE.test(path)) {
    const { readInteractionsArrow } = await import('./arrow-source');
    return readInteractionsArrow(path, options);
  }
  return readInteractionsCsv(path, options);
}
