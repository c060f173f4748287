import type { CsrMatrix, TimestampArray } from './csr';
import { IdInterner } from './id-interner';
import type { IdList } from './id-interner';
import { InteractionDataset } from './interaction-dataset';

/** Indices `k` with `flags[k] !== 0`, ascending. */
export function indicesOf(flags: Uint8Array): Int32Array {
  let count = 0;
  for (let k = 0; k < flags.length; k++) if (flags[k]) count++;
  const indices = new Int32Array(count);
  let at = 0;
  for (let k = 0; k < flags.length; k++) if (flags[k]) indices[at++] = k;
  return indices;
}

/** The ids of `indices`, compactly when the list is an {@link IdInterner}. */
export function selectIds(ids: IdList, indices: Int32Array): IdList {
  if (ids instanceof IdInterner) return ids.select(indices);
  return IdInterner.fromIds(Array.from(indices, (index) => ids.idAt(index)));
}

/**
 * The dataset restricted to kept users, items and entries, re-indexed densely in the same
 * order, in typed arrays (two passes: count, then copy). An entry is kept when its flag, its
 * user's and its item's are set.
 * @param dataset - the dataset.
 * @param keepUser - `[users]` 1 to keep.
 * @param keepItem - `[items]` 1 to keep.
 * @param keepEntry - `[interactions]` 1 to keep (aligned with `interactions.indices`).
 */
export function subsetDataset(
  dataset: InteractionDataset,
  keepUser: Uint8Array,
  keepItem: Uint8Array,
  keepEntry: Uint8Array,
): InteractionDataset {
  const matrix = dataset.interactions;
  const newItem = new Int32Array(dataset.itemCount).fill(-1);
  const items = indicesOf(keepItem);
  items.forEach((item, index) => (newItem[item] = index));
  const users = indicesOf(keepUser);
  const offsets = new Int32Array(users.length + 1);
  users.forEach((user, row) => {
    let count = 0;
    for (let k = matrix.offsets[user]; k < matrix.offsets[user + 1]; k++) {
      if (keepEntry[k] && newItem[matrix.indices[k]] >= 0) count++;
    }
    offsets[row + 1] = offsets[row] + count;
  });
  const total = offsets[users.length];
  const indices = new Int32Array(total);
  const times = matrix.timestamps;
  const timestamps: TimestampArray | undefined = times
    ? new (times.constructor as Float64ArrayConstructor)(total)
    : undefined;
  const ratings = dataset.ratings ? new Float64Array(total) : undefined;
  let at = 0;
  for (const user of users) {
    for (let k = matrix.offsets[user]; k < matrix.offsets[user + 1]; k++) {
      const item = newItem[matrix.indices[k]];
      if (!keepEntry[k] || item < 0) continue;
      indices[at] = item;
      if (timestamps && times) timestamps[at] = times[k];
      if (ratings && dataset.ratings) ratings[at] = dataset.ratings[k];
      at++;
    }
  }
  const interactions: CsrMatrix = {
    rowCount: users.length,
    columnCount: items.length,
    offsets,
    indices,
    ...(timestamps ? { timestamps } : {}),
  };
  const allItems = items.length === dataset.itemCount;
  return InteractionDataset.fromParts({
    users: users.length === dataset.userCount ? dataset.users : selectIds(dataset.users, users),
    itemIds: allItems ? dataset.itemIds : Array.from(items, (item) => dataset.itemIds[item]),
    itemTexts: dataset.hasItemTexts
      ? allItems
        ? dataset.itemTexts
        : Array.from(items, (item) => dataset.itemTexts[item])
      : undefined,
    itemTokens: dataset.itemTokens && (allItems ? dataset.itemTokens : dataset.itemTokens.select(items)),
    interactions,
    ratings,
  });
}
