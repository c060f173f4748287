import type { HistoryMatrix } from './history-matrix';
import { historyMatrix, DEFAULT_MAX_HISTORY } from './history-matrix';
import type { LengthBuckets } from './length-buckets';
import { bucketRows, DEFAULT_TOKEN_BUDGET } from './length-buckets';
import type { RaggedRows } from './ragged-rows';
import { checkRaggedRows, raggedRowCount } from './ragged-rows';
import type { Side } from './side';
import { uniqueRows } from './unique-rows';

/** The item indices of one BPR batch of triplets (u, j, j') with each triplet's history. */
export interface TripletBatchItems {
  /** One row per triplet: the history (memory) item indices of its user, j excluded. */
  readonly histories: RaggedRows;
  /** `[batch]` positive item indices j. */
  readonly positives: ArrayLike<number>;
  /** `[batch]` negative item indices j'. */
  readonly negatives: ArrayLike<number>;
}

/** How one batch's documents are encoded and gathered back into the model's inputs. */
export interface TripletDocumentPlan {
  /**
   * The history documents, deduplicated and length-bucketed: encode with f_user (the memory
   * CNN). Has no buckets when no triplet has a history (and `sharedEncoder` is off): skip the
   * memory encoder then; every mask slot is 0.
   */
  readonly memory: LengthBuckets;
  /**
   * The positive and negative documents, deduplicated and bucketed: encode with f_item. The same
   * object as `memory` (documents of both sides deduplicated together) when `sharedEncoder`.
   */
  readonly candidates: LengthBuckets;
  /**
   * The `[batch, width]` history: `ids` are rows of the encoded memory (the concatenated bucket
   * outputs), 0 on padding; `mask` is 1 on real slots. Gather `[batch, width, d]` with `ids`.
   */
  readonly history: HistoryMatrix;
  /** `[batch]` rows of the encoded candidates holding each positive j. */
  readonly positiveRows: Int32Array;
  /** `[batch]` rows of the encoded candidates holding each negative j'. */
  readonly negativeRows: Int32Array;
}

/** Options of {@link planTripletDocuments}. */
export interface TripletDocumentOptions {
  /** One encoder for both sides: deduplicate memory and candidate documents together. Default false (the paper's two CNNs). */
  sharedEncoder?: boolean;
  /** Most padded tokens per bucket. Default {@link DEFAULT_TOKEN_BUDGET} (4,096). */
  tokenBudget?: number;
  /** Longest history kept, in items. Default {@link DEFAULT_MAX_HISTORY} (50). */
  maxHistory?: number;
  /** Which end a longer history loses. Default `'pre'` (keep the last `maxHistory` items). */
  historyTruncating?: Side;
  /** Longest document kept, in tokens. Default Infinity (documents are usually capped when encoded). */
  maxDocumentLength?: number;
  /** Which end a longer document loses. Default `'post'` (keep its beginning). */
  documentTruncating?: Side;
}

/**
 * Plans the documents of one triplet batch: caps the histories, deduplicates the documents each
 * encoder needs (each unique document is encoded once per batch), groups them into length buckets
 * under the token budget, and gives the indices that gather the encoded rows back into the
 * model's inputs: memory `[batch, width, d]` with its mask, and candidates `[batch, d]` for j and j'.
 * @param batch - the triplets' item indices, all in `[0, documents rows)`.
 * @param documents - the token ids of every item (an encoded corpus), row = item index.
 * @throws RangeError when the batch parts disagree in size or an item index is not a document row.
 */
export function planTripletDocuments(
  batch: TripletBatchItems,
  documents: RaggedRows,
  options: TripletDocumentOptions = {},
): TripletDocumentPlan {
  const where = 'planTripletDocuments';
  checkRaggedRows(batch.histories, `${where}: batch.histories`);
  checkRaggedRows(documents, `${where}: documents`);
  const size = raggedRowCount(batch.histories);
  if (batch.positives.length !== size || batch.negatives.length !== size) {
    throw new RangeError(
      `${where}: ${size} histories but ${batch.positives.length} positives and ${batch.negatives.length} negatives; give one of each per triplet`,
    );
  }
  const itemCount = raggedRowCount(documents);
  const parts = [batch.positives, batch.negatives];
  for (let part = 0; part < 2; part++) {
    const items = parts[part];
    for (let b = 0; b < size; b++) {
      const item = items[b];
      if (!Number.isInteger(item) || item < 0 || item >= itemCount) {
        throw new RangeError(
          `${where}: ${part === 0 ? 'positives' : 'negatives'}[${b}] = ${String(item)} is not an item index in [0, ${itemCount})`,
        );
      }
    }
  }
  const slots = historyMatrix(batch.histories, {
    maxHistory: options.maxHistory ?? DEFAULT_MAX_HISTORY,
    truncating: options.historyTruncating ?? 'pre',
    padValue: -1,
  });
  for (let slot = 0; slot < slots.ids.length; slot++) {
    const item = slots.ids[slot];
    if (item !== -1 && item >= itemCount) {
      const b = Math.floor(slot / slots.width);
      throw new RangeError(
        `${where}: history of triplet ${b} holds item ${item}, not an item index in [0, ${itemCount})`,
      );
    }
  }
  const bucketOptions = {
    tokenBudget: options.tokenBudget ?? DEFAULT_TOKEN_BUDGET,
    maxLength: options.maxDocumentLength ?? Infinity,
    truncating: options.documentTruncating ?? 'post',
  };

  let memory: LengthBuckets;
  let candidates: LengthBuckets;
  let historyRows: Int32Array;
  let positiveRows: Int32Array;
  let negativeRows: Int32Array;
  if (options.sharedEncoder === true) {
    const unique = uniqueRows([slots.ids, batch.positives, batch.negatives], { ignore: -1 });
    memory = bucketRows(documents, { ...bucketOptions, select: unique.ids });
    candidates = memory;
    historyRows = rowsOf(memory, unique.inverse[0]);
    positiveRows = rowsOf(memory, unique.inverse[1]);
    negativeRows = rowsOf(memory, unique.inverse[2]);
  } else {
    const memoryItems = uniqueRows([slots.ids], { ignore: -1 });
    const candidateItems = uniqueRows([batch.positives, batch.negatives]);
    memory = bucketRows(documents, { ...bucketOptions, select: memoryItems.ids });
    candidates = bucketRows(documents, { ...bucketOptions, select: candidateItems.ids });
    historyRows = rowsOf(memory, memoryItems.inverse[0]);
    positiveRows = rowsOf(candidates, candidateItems.inverse[0]);
    negativeRows = rowsOf(candidates, candidateItems.inverse[1]);
  }
  return {
    memory,
    candidates,
    history: { ...slots, ids: historyRows, padValue: 0 },
    positiveRows,
    negativeRows,
  };
}

/** Output rows of the buckets for unique-id slots; -1 (padding) becomes row 0, which the mask hides. */
function rowsOf(buckets: LengthBuckets, inverse: Int32Array): Int32Array {
  const rows = new Int32Array(inverse.length);
  for (let i = 0; i < inverse.length; i++) rows[i] = inverse[i] < 0 ? 0 : buckets.positions[inverse[i]];
  return rows;
}
