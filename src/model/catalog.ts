import type { EncodedCorpus } from '../text/encode-corpus';
import { encodeCorpus } from '../text/encode-corpus';
import type { Tokenizer } from '../text/tokenizer';
import type { Vocabulary } from '../text/vocabulary';
import { uniqueHistory } from '../ragged/unique-history';

/**
 * The items a model can recommend: their ids, a map back to dense indices, and their encoded
 * texts as ragged rows (item `i`'s tokens are `tokens.values[tokens.rowSplits[i] ..
 * tokens.rowSplits[i + 1])`). A saved model carries its catalogue, so it ranks without the
 * original data.
 *
 * @example
 * ```ts
 * import { ItemCatalog } from 'mars-rec';
 * import { Tokenizer, Vocabulary } from 'mars-rec/text';
 *
 * const ids = ['m1', 'm2'];
 * const texts = ['A lighthouse keeper and the sea', 'The sea, the storm and the keeper'];
 * const tokenizer = new Tokenizer({ stopwords: ['en'] });
 * const vocabulary = Vocabulary.fit(texts, { tokenizer });
 * const catalog = ItemCatalog.fromTexts(ids, texts, tokenizer, vocabulary, 300);
 * console.log(catalog.size, catalog.indexOf('m2'), catalog.tokens.rowSplits); // 2 1 Int32Array [0, 3, 6]
 * ```
 */
export class ItemCatalog {
  /** Item ids by dense index. */
  readonly ids: readonly string[];
  /** Encoded item texts, one ragged row per item. */
  readonly tokens: EncodedCorpus;
  private readonly indexById: Map<string, number>;

  /**
   * @param ids - item ids by dense index; must be unique.
   * @param tokens - one row of token ids per item.
   */
  constructor(ids: readonly string[], tokens: EncodedCorpus) {
    if (tokens.rowSplits.length !== ids.length + 1) {
      throw new RangeError(`ItemCatalog: ${ids.length} ids but ${tokens.rowSplits.length - 1} token rows`);
    }
    this.ids = ids;
    this.tokens = tokens;
    this.indexById = new Map();
    ids.forEach((id, index) => {
      const previous = this.indexById.get(id);
      if (previous !== undefined) {
        throw new RangeError(`ItemCatalog: item id '${id}' appears twice (indices ${previous} and ${index})`);
      }
      this.indexById.set(id, index);
    });
  }

  /** Encodes `texts` (aligned with `ids`) with a fitted tokenizer and vocabulary. */
  static fromTexts(
    ids: readonly string[],
    texts: readonly string[],
    tokenizer: Tokenizer,
    vocabulary: Vocabulary,
    maxDocumentLength: number,
  ): ItemCatalog {
    if (ids.length !== texts.length) {
      throw new RangeError(`ItemCatalog.fromTexts: ${ids.length} ids but ${texts.length} texts`);
    }
    const items = ids.map((id, index) => ({ id, text: texts[index] }));
    return new ItemCatalog(ids, encodeCorpus(items, tokenizer, vocabulary, { maxLength: maxDocumentLength }));
  }

  /** Number of items. */
  get size(): number {
    return this.ids.length;
  }

  /** Dense index of an item id, or undefined when the catalogue does not hold it. */
  indexOf(id: string): number | undefined {
    return this.indexById.get(id);
  }

  /** Dense indices of item ids; throws naming the first unknown id and its position. */
  indicesOf(ids: readonly string[], what = 'item'): Int32Array {
    const indices = new Int32Array(ids.length);
    ids.forEach((id, position) => {
      const index = this.indexById.get(id);
      if (index === undefined) {
        throw new RangeError(
          `Unknown ${what} id '${id}' at position ${position}: the model's catalogue does not hold it`,
        );
      }
      indices[position] = index;
    });
    return indices;
  }

  /**
   * Dense indices of a history of item ids (oldest first), each item once, at its most recent
   * position (`uniqueHistory`); throws naming the first unknown id and its position.
   */
  historyIndices(history: readonly string[], what = 'history item'): Int32Array {
    return this.indicesOf(uniqueHistory(history), what);
  }

  /** Dense indices of the ids the catalogue holds, in their order; ids it does not hold are skipped. */
  knownIndicesOf(ids: readonly string[]): Int32Array {
    const known: number[] = [];
    for (const id of ids) {
      const index = this.indexById.get(id);
      if (index !== undefined) known.push(index);
    }
    return Int32Array.from(known);
  }

  /** Token count of item `index`. */
  lengthOf(index: number): number {
    return this.tokens.rowSplits[index + 1] - this.tokens.rowSplits[index];
  }
}
