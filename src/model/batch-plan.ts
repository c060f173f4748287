import type { EncodedCorpus } from '../text/encode-corpus';

/** One BPR batch as the sampler gives it (see `mars-rec/sampling`). */
export interface TripletBatchLike {
  /** `[batch]` user indices. */
  readonly users: Int32Array;
  /** `[batch]` positive item indices j. */
  readonly positives: Int32Array;
  /** `[batch]` negative item indices j'. */
  readonly negatives: Int32Array;
  /** `[batch + 1]` offsets of each triplet's history in `historyItems`. */
  readonly historyOffsets: Int32Array;
  /** History item indices, concatenated. */
  readonly historyItems: Int32Array;
}

/** Documents to encode for one side of the model, in bucket order. */
export interface DocumentGroups {
  /** Unique item indices, sorted by (token length, item index): the row order of the encoded output. */
  items: Int32Array;
  /** Buckets, consecutive ranges of `items`, each padded only to its own longest document. */
  buckets: DocumentBucket[];
}

/** One length bucket: `rows x width` token ids, every row at most `width` long. */
export interface DocumentBucket {
  /** First row of the bucket in {@link DocumentGroups.items}. */
  start: number;
  /** Rows (documents) in the bucket. */
  rows: number;
  /** Padded width, in tokens: the longest document of the bucket (at least 1). */
  width: number;
  /** `[rows * width]` token ids, row-major, padded with 0 after each document. */
  ids: Int32Array;
  /** `[rows]` token counts. */
  lengths: Int32Array;
}

/**
 * Groups unique documents by length under a token budget: documents are sorted by length and cut
 * into consecutive buckets such that rows x width <= tokenBudget, so padding stays close to the
 * real token count whatever the longest document of the batch (the report's padding blow-up).
 * @param items - item indices, duplicates allowed (each is encoded once).
 * @param tokens - the catalogue's encoded texts.
 * @param tokenBudget - most padded tokens per bucket; a single longer document forms its own bucket.
 */
export function groupDocuments(
  items: Int32Array,
  tokens: EncodedCorpus,
  tokenBudget: number,
): DocumentGroups {
  const splits = tokens.rowSplits;
  const unique = Int32Array.from(new Set(items));
  const lengthOf = (item: number): number => splits[item + 1] - splits[item];
  unique.sort((a, b) => lengthOf(a) - lengthOf(b) || a - b);
  const buckets: DocumentBucket[] = [];
  let start = 0;
  while (start < unique.length) {
    let end = start + 1;
    // sorted ascending: the last row of a bucket is its longest
    while (end < unique.length && (end + 1 - start) * Math.max(1, lengthOf(unique[end])) <= tokenBudget)
      end++;
    const rows = end - start;
    const width = Math.max(1, lengthOf(unique[end - 1]));
    const ids = new Int32Array(rows * width);
    const lengths = new Int32Array(rows);
    for (let row = 0; row < rows; row++) {
      const item = unique[start + row];
      const document = tokens.values.subarray(splits[item], splits[item + 1]);
      ids.set(document, row * width);
      lengths[row] = document.length;
    }
    buckets.push({ start, rows, width, ids, lengths });
    start = end;
  }
  return { items: unique, buckets };
}

/** Maps item indices to their rows in a {@link DocumentGroups}. */
export function rowsOf(groups: DocumentGroups, items: Int32Array): Int32Array {
  const rowByItem = new Map<number, number>();
  groups.items.forEach((item, row) => rowByItem.set(item, row));
  return items.map((item) => rowByItem.get(item) as number);
}

/** The padded history of a batch: rows into the memory documents, and a mask. */
export interface HistoryMatrix {
  /** Padded width: the batch's longest history (at least 1). */
  width: number;
  /** `[batch * width]` rows into the memory documents; padding points at row 0 (masked). */
  rows: Int32Array;
  /** `[batch * width]` 1 for a real slot, 0 for padding. */
  mask: Float32Array;
}

/**
 * Builds the `[batch, width]` history matrix of a batch, width = its longest history, with a
 * mask; the caller has already capped histories (the sampler's `maxHistory`).
 */
export function historyMatrix(batch: TripletBatchLike, memoryGroups: DocumentGroups): HistoryMatrix {
  const size = batch.users.length;
  let width = 1;
  for (let b = 0; b < size; b++)
    width = Math.max(width, batch.historyOffsets[b + 1] - batch.historyOffsets[b]);
  const memoryRows = rowsOf(memoryGroups, batch.historyItems);
  const rows = new Int32Array(size * width);
  const mask = new Float32Array(size * width);
  for (let b = 0; b < size; b++) {
    const start = batch.historyOffsets[b];
    const length = batch.historyOffsets[b + 1] - start;
    rows.set(memoryRows.subarray(start, start + length), b * width);
    mask.fill(1, b * width, b * width + length);
  }
  return { width, rows, mask };
}
