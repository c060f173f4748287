/** What {@link loadWordVectors} needs of a vocabulary. */
export interface WordIndex {
  /** Rows of the embedding table (reserved ids included). */
  readonly size: number;
  /** The id of a token; the out-of-vocabulary id (1) when unknown. */
  idOf(token: string): number;
}

/** Pretrained word vectors laid out for a vocabulary's embedding table. */
export interface LoadedWordVectors {
  /** `[vocabulary.size * dim]` row-major; rows of words absent from the file are zero. */
  vectors: Float32Array;
  /** Vector size E, in floats. */
  dim: number;
  /** Vocabulary words found in the file. */
  found: number;
}

/**
 * Reads word vectors in the word2vec / GloVe text format (`word v1 v2 ... vE` per line; an
 * optional word2vec header line `count dim` is skipped) into an embedding table for a
 * vocabulary, ready for `TextCnnEncoder`'s `pretrainedEmbeddings`. Words outside the vocabulary
 * are skipped; ids 0 (padding) and 1 (unknown) stay zero.
 * @param lines - the file's lines, e.g. from `readline` in Node or a split fetch response.
 * @throws RangeError naming the line number when a line's vector size differs from the first.
 */
export async function loadWordVectors(
  lines: Iterable<string> | AsyncIterable<string>,
  vocabulary: WordIndex,
): Promise<LoadedWordVectors> {
  let dim = 0;
  let vectors = new Float32Array(0);
  let found = 0;
  let lineNumber = 0;
  for await (const rawLine of lines) {
    lineNumber++;
    const line = rawLine.trim();
    if (line === '') continue;
    const fields = line.split(/\s+/);
    if (lineNumber === 1 && fields.length === 2 && /^\d+$/.test(fields[0]) && /^\d+$/.test(fields[1]))
      continue;
    const values = fields.length - 1;
    if (dim === 0) {
      if (values < 1) throw new RangeError(`loadWordVectors: line ${lineNumber} has a word but no vector`);
      dim = values;
      vectors = new Float32Array(vocabulary.size * dim);
    } else if (values !== dim) {
      throw new RangeError(
        `loadWordVectors: line ${lineNumber} has ${values} values, the first vector had ${dim}`,
      );
    }
    const id = vocabulary.idOf(fields[0]);
    if (id < 2) continue;
    found++;
    for (let k = 0; k < dim; k++) {
      const value = Number(fields[k + 1]);
      if (!Number.isFinite(value)) {
        throw new RangeError(
          `loadWordVectors: line ${lineNumber}, value ${k + 1} ('${fields[k + 1]}') is not a number`,
        );
      }
      vectors[id * dim + k] = value;
    }
  }
  return { vectors, dim, found };
}
