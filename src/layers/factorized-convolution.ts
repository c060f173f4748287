/**
 * The index plan of the factorized convolution: an embedding lookup followed by a
 * linear 1-D convolution equals a gather-and-sum of per-word projections,
 *
 *   y_t = b + sum_o P_o[w_(t + o - padLeft)],   P_o = Emb[U] W_o,
 *
 * where U are the unique words of the batch and W_o the kernel slice of offset o. P for all
 * offsets is one matrix product ([|U|, E] x [E, k F]); each token then costs k F additions
 * instead of k E F multiply-adds. Positions outside the document (before 0, at or after its
 * length) read an all-zero row, exactly like 'same' zero padding of a document alone, so the
 * result never depends on how wide the bucket was padded.
 *
 * This file is plain typed-array work (no TensorFlow): it runs before the step on the CPU.
 */

/** Unique words of a token batch and where each token sits among them. */
export interface UniqueWords {
  /** `[unique]` distinct word ids of the batch (padding excluded), in first-seen order. */
  words: Int32Array;
  /** `[rows * width]` position of each token in `words`; -1 for positions past a row's length. */
  local: Int32Array;
}

/**
 * Finds the distinct words of a padded token batch.
 * @param ids - `[rows * width]` token ids, row-major.
 * @param lengths - `[rows]` tokens per row (positions past it are padding).
 * @param width - padded row width, in tokens.
 */
export function uniqueWords(ids: Int32Array, lengths: Int32Array, width: number): UniqueWords {
  const local = new Int32Array(ids.length).fill(-1);
  const positionOf = new Map<number, number>();
  const words: number[] = [];
  for (let row = 0; row < lengths.length; row++) {
    const base = row * width;
    for (let t = 0; t < lengths[row]; t++) {
      const word = ids[base + t];
      let position = positionOf.get(word);
      if (position === undefined) {
        position = words.length;
        positionOf.set(word, position);
        words.push(word);
      }
      local[base + t] = position;
    }
  }
  return { words: Int32Array.from(words), local };
}

/**
 * Rows of the projection table each (token, offset) reads, for one kernel width: the table holds
 * `|U| * kernelSize` rows (row `u * kernelSize + o` is P_o of word u) plus one zero row at the end.
 * @param unique - from {@link uniqueWords}.
 * @param lengths - `[rows]` tokens per row.
 * @param width - padded row width, in tokens.
 * @param kernelSize - convolution width k, in tokens; 'same' padding puts floor((k - 1) / 2) zeros first.
 * @returns `[rows * width * kernelSize]` table rows, ordered (row, t, o).
 */
export function projectionRows(
  unique: UniqueWords,
  lengths: Int32Array,
  width: number,
  kernelSize: number,
): Int32Array {
  const zeroRow = unique.words.length * kernelSize;
  const padLeft = Math.floor((kernelSize - 1) / 2);
  const rows = new Int32Array(lengths.length * width * kernelSize).fill(zeroRow);
  for (let row = 0; row < lengths.length; row++) {
    const length = lengths[row];
    const base = row * width;
    for (let t = 0; t < length; t++) {
      const out = (base + t) * kernelSize;
      for (let o = 0; o < kernelSize; o++) {
        const source = t + o - padLeft;
        if (source >= 0 && source < length) rows[out + o] = unique.local[base + source] * kernelSize + o;
      }
    }
  }
  return rows;
}

/**
 * `[rows * width]` 1 for positions inside a row's length, 0 for padding.
 */
export function lengthMask(lengths: Int32Array, width: number): Float32Array {
  const mask = new Float32Array(lengths.length * width);
  for (let row = 0; row < lengths.length; row++)
    mask.fill(1, row * width, row * width + Math.min(lengths[row], width));
  return mask;
}
