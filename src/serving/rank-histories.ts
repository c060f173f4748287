import { topK } from '../metrics/top-k';

/** One ranked item: its id and score. */
export interface RankedItem {
  /** Item id. */
  id: string;
  /** Its score; higher is better. */
  score: number;
}

/** Histories scored per call of the scorer by {@link rankHistories} unless told otherwise. */
export const RANK_HISTORIES_BATCH = 64;

/** Options of {@link rankHistories}. */
export interface RankHistoriesOptions {
  /** Items per list, an integer >= 1 (at most the catalogue's size are returned). */
  k: number;
  /** Item indices never ranked for any history (each history's own items never are either). */
  exclude?: ArrayLike<number>;
  /** Rank only these item indices. Default: every item. */
  allowed?: ReadonlySet<number>;
  /** Histories per call of the scorer. Default {@link RANK_HISTORIES_BATCH} (64 histories). */
  batchSize?: number;
}

/**
 * The top `k` items of each history by brute force: the scorer scores every item for a batch of
 * histories, and each history's best items outside itself and `exclude` (within `allowed`) are
 * kept, best first (`topK`: higher score, then lower index). The histories are not capped here:
 * the whole history is excluded even when the scorer reads only its most recent items.
 * @param ids - item ids by index (the catalogue); the scorer scores `ids.length` items.
 * @param histories - item indices of each history, oldest first.
 * @param score - row-major `[batch.length, ids.length]` scores of `batch`, the histories from
 *   position `start` on.
 * @returns one list per history, in history order.
 */
export async function rankHistories(
  ids: readonly string[],
  histories: readonly Int32Array[],
  score: (batch: readonly Int32Array[], start: number) => Promise<Float32Array>,
  options: RankHistoriesOptions,
): Promise<RankedItem[][]> {
  const { k, exclude = [], allowed, batchSize = RANK_HISTORIES_BATCH } = options;
  const itemCount = ids.length;
  // what every history skips (`exclude`, items outside `allowed`), built once, not per history
  const shared: number[] = Array.from(exclude);
  if (allowed) for (let i = 0; i < itemCount; i++) if (!allowed.has(i)) shared.push(i);
  const results: RankedItem[][] = [];
  for (let start = 0; start < histories.length; start += batchSize) {
    const batch = histories.slice(start, start + batchSize);
    const scores = await score(batch, start);
    batch.forEach((history, row) => {
      const rowScores = scores.subarray(row * itemCount, (row + 1) * itemCount);
      const skip = new Int32Array(history.length + shared.length);
      skip.set(history);
      skip.set(shared, history.length);
      const top = topK(rowScores, Math.min(k, itemCount), skip);
      results.push(Array.from(top, (item) => ({ id: ids[item], score: rowScores[item] })));
    });
  }
  return results;
}
