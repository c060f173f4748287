/** The distinct ids of a batch and, for every input entry, where its id sits among them. */
export interface UniqueRows {
  /** `[unique]` distinct ids (e.g. item indices), in order of first appearance across the parts. */
  readonly ids: Int32Array;
  /**
   * One array per input part, aligned with it: `ids[inverse[p][i]] === parts[p][i]`, or -1 where
   * `parts[p][i]` equals the `ignore` option (padding that is not a row).
   */
  readonly inverse: Int32Array[];
}

/** Options of {@link uniqueRows}. */
export interface UniqueRowsOptions {
  /** An id that is not a row (e.g. a history pad value): not collected, its inverse is -1. Default none. */
  ignore?: number;
}

/**
 * Deduplicates the ids a batch needs (history items, positives, negatives share many
 * documents), so each document is encoded once per batch and its vector gathered back with the
 * inverse indices: `encoded[inverse[p][i]]` is the vector of `parts[p][i]`.
 *
 * Ids must be non-negative integers below 2^31 (item indices). Uses a typed lookup table when
 * the largest id is small relative to the input (item catalogues), a Map otherwise.
 * @param parts - one or more id lists, e.g. `[history.values, positives, negatives]`.
 * @throws RangeError naming the part and position of a negative or non-integer id.
 */
export function uniqueRows(parts: readonly ArrayLike<number>[], options: UniqueRowsOptions = {}): UniqueRows {
  const ignore = options.ignore;
  let total = 0;
  let largest = -1;
  for (let part = 0; part < parts.length; part++) {
    const ids = parts[part];
    total += ids.length;
    for (let position = 0; position < ids.length; position++) {
      const id = ids[position];
      if (id === ignore) continue;
      if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
        throw new RangeError(
          `uniqueRows: part ${part}, position ${position} holds ${String(id)}; ids must be non-negative integers (item indices)` +
            (ignore === undefined ? '; pass { ignore: padValue } to skip padding' : ''),
        );
      }
      if (id > largest) largest = id;
    }
  }
  const distinct = new Int32Array(total);
  let unique = 0;
  const inverse = parts.map((ids) => new Int32Array(ids.length));
  // a dense table costs largest + 1 ints; worth it while that is within a few times the input
  if (largest < 4 * total + 65536) {
    const slotOf = new Int32Array(largest + 1).fill(-1);
    for (let part = 0; part < parts.length; part++) {
      const ids = parts[part];
      const out = inverse[part];
      for (let position = 0; position < ids.length; position++) {
        const id = ids[position];
        if (id === ignore) {
          out[position] = -1;
          continue;
        }
        let slot = slotOf[id];
        if (slot < 0) {
          slot = unique++;
          slotOf[id] = slot;
          distinct[slot] = id;
        }
        out[position] = slot;
      }
    }
  } else {
    const slotOf = new Map<number, number>();
    for (let part = 0; part < parts.length; part++) {
      const ids = parts[part];
      const out = inverse[part];
      for (let position = 0; position < ids.length; position++) {
        const id = ids[position];
        if (id === ignore) {
          out[position] = -1;
          continue;
        }
        let slot = slotOf.get(id);
        if (slot === undefined) {
          slot = unique++;
          slotOf.set(id, slot);
          distinct[slot] = id;
        }
        out[position] = slot;
      }
    }
  }
  return { ids: distinct.slice(0, unique), inverse };
}
