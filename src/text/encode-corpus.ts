import type { CorpusItem } from './corpus-item';
import { forEachTokenOfItem } from './corpus-item';
import type { Tokenizer } from './tokenizer';
import type { EncodeOptions, ResolvedEncodeOptions, Vocabulary } from './vocabulary';
import { resolveEncodeOptions } from './vocabulary';

/**
 * A corpus encoded as ragged rows (the `RaggedRows` shape of `mars-rec/ragged`): row `i` (item
 * `i`) is `values.subarray(rowSplits[i], rowSplits[i + 1])`.
 */
export interface EncodedCorpus {
  /** Every item's token ids, concatenated: `[totalTokens]`. */
  values: Int32Array;
  /** Row boundaries, `[items + 1]`: starts at 0, non-decreasing, ends at `values.length`. */
  rowSplits: Int32Array;
}

/** Appends ids to a growing Int32Array; the hot path of corpus encoding. */
class IdBuffer {
  values = new Int32Array(1024);
  length = 0;

  push(id: number): void {
    if (this.length === this.values.length) {
      const grown = new Int32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = id;
  }
}

/**
 * Encodes items into one buffer. One visitor closure serves every item, so the tokenizer's call
 * site stays monomorphic on long corpora.
 */
class ItemEncoder {
  readonly buffer = new IdBuffer();
  private kept = 0;
  private readonly visit: (token: string) => boolean;

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly vocabulary: Vocabulary,
    private readonly options: ResolvedEncodeOptions,
  ) {
    // 'post' stops the tokenizer once maxLength ids are kept; 'pre' keeps all, cut afterwards
    const limit = options.truncate === 'post' ? options.maxLength : Infinity;
    this.visit = (token) => {
      this.buffer.push(this.vocabulary.idOf(token));
      return ++this.kept < limit;
    };
  }

  append(item: CorpusItem, index: number): void {
    const buffer = this.buffer;
    const start = buffer.length;
    const { maxLength, truncate } = this.options;
    this.kept = 0;
    if (maxLength === 0) {
      // still validate the item; keep nothing
      forEachTokenOfItem(item, index, this.tokenizer, () => false);
      return;
    }
    forEachTokenOfItem(item, index, this.tokenizer, this.visit);
    const length = buffer.length - start;
    if (truncate === 'pre' && length > maxLength) {
      // keep the last maxLength ids
      buffer.values.copyWithin(start, buffer.length - maxLength, buffer.length);
      buffer.length = start + maxLength;
    }
  }
}

/**
 * Tokenizes and encodes one text in a single pass (no intermediate token array): the same ids as
 * `vocabulary.encode(tokenizer.tokenize(text), options)`.
 *
 * @param text - the text, a token array, or `{ id, text }`.
 * @param tokenizer - the tokenizer the vocabulary was fitted with.
 * @param vocabulary - maps tokens to ids; unknown tokens give {@link OOV_ID}.
 * @param options - `maxLength` (default no limit), `truncate` (default `'post'`).
 * @returns ids, `[tokens]`; empty for an empty or all-stopword text.
 * @throws TypeError when the text is not a string (or token array / `{ id, text }`).
 */
export function encodeText(
  text: CorpusItem,
  tokenizer: Tokenizer,
  vocabulary: Vocabulary,
  options?: EncodeOptions,
): Int32Array {
  const resolved = resolveEncodeOptions(options, 'encodeText');
  const encoder = new ItemEncoder(tokenizer, vocabulary, resolved);
  encoder.append(text, 0);
  return encoder.buffer.values.slice(0, encoder.buffer.length);
}

/**
 * Encodes a whole corpus into ragged rows, one row per item in input order, in one streaming
 * pass: a single growing `Int32Array`, no per-item arrays.
 *
 * @param items - texts, token arrays or `{ id, text }` items (e.g. the lines of `items.jsonl`).
 * @param tokenizer - the tokenizer the vocabulary was fitted with.
 * @param vocabulary - maps tokens to ids; unknown tokens give {@link OOV_ID} and stay.
 * @param options - `maxLength` per item (tokens after stopword removal; default no limit),
 *   `truncate` (default `'post'`, keeping each text's beginning).
 * @returns `{ values, rowSplits }`; an empty or all-stopword text is an empty row.
 * @throws TypeError naming the item's index (and id for `{ id, text }` items) when an item is
 *   not text.
 *
 * @example
 * ```ts
 * import { encodeCorpus, Tokenizer, Vocabulary } from 'mars-rec/text';
 *
 * const items = [
 *   { id: 'm1', text: 'A lighthouse keeper and the sea' },
 *   { id: 'm2', text: 'The sea, the storm and the keeper' },
 * ];
 * const tokenizer = new Tokenizer({ stopwords: 'en' });
 * const vocabulary = Vocabulary.fit(items, { tokenizer });
 * const { values, rowSplits } = encodeCorpus(items, tokenizer, vocabulary, { maxLength: 300 });
 * console.log(Array.from(rowSplits)); // [0, 3, 6]: item k is values[rowSplits[k], rowSplits[k + 1])
 * ```
 */
export function encodeCorpus(
  items: Iterable<CorpusItem>,
  tokenizer: Tokenizer,
  vocabulary: Vocabulary,
  options?: EncodeOptions,
): EncodedCorpus {
  const resolved = resolveEncodeOptions(options, 'encodeCorpus');
  const encoder = new ItemEncoder(tokenizer, vocabulary, resolved);
  const buffer = encoder.buffer;
  const splits = new IdBuffer();
  splits.push(0);
  let index = 0;
  for (const item of items) {
    encoder.append(item, index);
    splits.push(buffer.length);
    index++;
  }
  return {
    values: buffer.values.slice(0, buffer.length),
    rowSplits: splits.values.slice(0, splits.length),
  };
}

/**
 * {@link encodeCorpus} for an async iterable (a file read line by line).
 *
 * @param items - an async or sync iterable of corpus items.
 * @param tokenizer - the tokenizer the vocabulary was fitted with.
 * @param vocabulary - maps tokens to ids.
 * @param options - as for {@link encodeCorpus}.
 */
export async function encodeCorpusAsync(
  items: AsyncIterable<CorpusItem> | Iterable<CorpusItem>,
  tokenizer: Tokenizer,
  vocabulary: Vocabulary,
  options?: EncodeOptions,
): Promise<EncodedCorpus> {
  const resolved = resolveEncodeOptions(options, 'encodeCorpusAsync');
  const encoder = new ItemEncoder(tokenizer, vocabulary, resolved);
  const buffer = encoder.buffer;
  const splits = new IdBuffer();
  splits.push(0);
  let index = 0;
  for await (const item of items) {
    encoder.append(item, index);
    splits.push(buffer.length);
    index++;
  }
  return {
    values: buffer.values.slice(0, buffer.length),
    rowSplits: splits.values.slice(0, splits.length),
  };
}
