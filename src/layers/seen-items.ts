/**
 * The positives of a users x items matrix, structurally (`CsrMatrix` of `mars-rec/data` fits):
 * every item listed in `indices` has a training positive.
 */
export interface ItemRows {
  /** Item indices of every row, concatenated. */
  readonly indices: Int32Array;
}

/**
 * `[items]` 1 for every item with a training positive, 0 for the others (cold items).
 * @throws RangeError naming the first item index outside `[0, itemCount)`.
 */
export function seenMask(train: ItemRows, itemCount: number): Float32Array {
  const seen = new Float32Array(itemCount);
  for (const item of train.indices) {
    if (!(item >= 0 && item < itemCount))
      throw new RangeError(`seenMask: item ${item} is outside the catalogue [0, ${itemCount})`);
    seen[item] = 1;
  }
  return seen;
}
