import type { EncodedCorpus } from '../text/encode-corpus';
import type { Tokenizer, TokenizerJson } from '../text/tokenizer';
import type { Vocabulary } from '../text/vocabulary';
import { decodeStrings, encodeStrings, readBinaryFile, writeBinaryFile } from './binary-file';
import { IdInterner } from './id-interner';

const FORMAT = 'mars-rec/token-store';
const VERSION = 1;

/** The parts of a {@link TokenStore}. */
export interface TokenStoreParts {
  /** Item ids, by item index. */
  itemIds: IdInterner;
  /** `[items + 1]` row starts in `tokens`. */
  offsets: Int32Array;
  /** Every item's tokens as word indices (into `words`), concatenated. */
  tokens: Int32Array;
  /** The distinct words, by word index, in order of first appearance. */
  words: readonly string[];
  /** Occurrences of each word over all items. */
  counts: Float64Array;
  /** The settings of the tokenizer that made the tokens. */
  tokenizer: TokenizerJson;
  /** Content hash of the source the store was built from ('' when unknown). */
  contentHash: string;
}

/**
 * Item texts tokenised once: each item's tokens as indices into the corpus's distinct words
 * (`offsets` + `tokens`, 4 bytes a token), with each word's count. Any vocabulary (minimum
 * count, maximum size) is then built from the counts and applied by a table lookup, without
 * tokenising again: {@link TokenStore.tokenCounts}, {@link TokenStore.encode}. Saved and reused
 * across runs by {@link loadItemTokens} (cached beside the data, invalidated by content hash).
 */
export class TokenStore {
  /** Item ids, by item index. */
  readonly itemIds: IdInterner;
  /** `[items + 1]` row starts in `tokens`. */
  readonly offsets: Int32Array;
  /** Word indices, concatenated. */
  readonly tokens: Int32Array;
  /** Distinct words, by word index. */
  readonly words: readonly string[];
  /** Occurrences of each word. */
  readonly counts: Float64Array;
  /** The tokenizer's settings. */
  readonly tokenizer: TokenizerJson;
  /** Content hash of the source ('' when unknown). */
  readonly contentHash: string;

  /** @param parts - see {@link TokenStoreParts}. */
  constructor(parts: TokenStoreParts) {
    if (parts.offsets.length !== parts.itemIds.size + 1) {
      throw new RangeError(
        `TokenStore: ${parts.itemIds.size} items but ${parts.offsets.length - 1} token rows`,
      );
    }
    this.itemIds = parts.itemIds;
    this.offsets = parts.offsets;
    this.tokens = parts.tokens;
    this.words = parts.words;
    this.counts = parts.counts;
    this.tokenizer = parts.tokenizer;
    this.contentHash = parts.contentHash;
  }

  /** Number of items. */
  get size(): number {
    return this.itemIds.size;
  }

  /** Tokens of item `item`. */
  lengthOf(item: number): number {
    return this.offsets[item + 1] - this.offsets[item];
  }

  /** The words of item `item` joined by spaces (the text as the tokenizer saw it). */
  textOf(item: number): string {
    const parts: string[] = [];
    for (let p = this.offsets[item]; p < this.offsets[item + 1]; p++) parts.push(this.words[this.tokens[p]]);
    return parts.join(' ');
  }

  /** Each word's count, for `Vocabulary.fromCounts` (the counts a `TokenCounter` would give). */
  tokenCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    this.words.forEach((word, index) => counts.set(word, this.counts[index]));
    return counts;
  }

  /**
   * Every item's tokens as ids of `vocabulary`, each row
   * cut after `maxLength` tokens: the rows `encodeCorpus` gives for the original texts
   * (out-of-vocabulary words keep their place as `OOV_ID`).
   * @param vocabulary - a vocabulary, e.g. `Vocabulary.fromCounts(store.tokenCounts())`.
   * @param maxLength - most tokens kept per item. Default no limit.
   */
  encode(vocabulary: Vocabulary, maxLength = Infinity): EncodedCorpus {
    const idOfWord = new Int32Array(this.words.length);
    this.words.forEach((word, index) => (idOfWord[index] = vocabulary.idOf(word)));
    const items = this.size;
    const rowSplits = new Int32Array(items + 1);
    for (let item = 0; item < items; item++) {
      rowSplits[item + 1] = rowSplits[item] + Math.min(this.lengthOf(item), maxLength);
    }
    const values = new Int32Array(rowSplits[items]);
    for (let item = 0; item < items; item++) {
      const start = this.offsets[item];
      const length = rowSplits[item + 1] - rowSplits[item];
      const at = rowSplits[item];
      for (let k = 0; k < length; k++) values[at + k] = idOfWord[this.tokens[start + k]];
    }
    return { values, rowSplits };
  }

  /**
   * The store restricted to `items` (indices into this store), in that order. Word indices and
   * counts stay those of the whole corpus.
   */
  select(items: Int32Array): TokenStore {
    const offsets = new Int32Array(items.length + 1);
    items.forEach((item, k) => (offsets[k + 1] = offsets[k] + this.lengthOf(item)));
    const tokens = new Int32Array(offsets[items.length]);
    items.forEach((item, k) =>
      tokens.set(this.tokens.subarray(this.offsets[item], this.offsets[item + 1]), offsets[k]),
    );
    return new TokenStore({
      itemIds: this.itemIds.select(items),
      offsets,
      tokens,
      words: this.words,
      counts: this.counts,
      tokenizer: this.tokenizer,
      contentHash: this.contentHash,
    });
  }

  /** Writes the store to `path` (temporary file, then rename). */
  async save(path: string): Promise<void> {
    const words = encodeStrings(this.words);
    const ids = this.itemIds.toColumns();
    await writeBinaryFile(
      path,
      { format: FORMAT, version: VERSION, tokenizer: this.tokenizer, contentHash: this.contentHash },
      {
        offsets: this.offsets,
        tokens: this.tokens,
        counts: this.counts,
        wordArena: words.arena,
        wordStarts: words.starts,
        ...('keys' in ids ? { idKeys: ids.keys } : { idArena: ids.arena, idStarts: ids.starts }),
      },
    );
  }

  /**
   * Reads a store written by {@link TokenStore.save}.
   * @throws Error naming the file when it is not a token store of this version.
   */
  static async load(path: string): Promise<TokenStore> {
    const { meta, columns } = await readBinaryFile(path);
    const header = meta as {
      format?: string;
      version?: number;
      tokenizer: TokenizerJson;
      contentHash: string;
    };
    if (header.format !== FORMAT || header.version !== VERSION) {
      throw new Error(`${path}: not a mars-rec token store of version ${VERSION}`);
    }
    const itemIds = IdInterner.fromColumns(
      columns.idKeys
        ? { keys: columns.idKeys as Float64Array }
        : { arena: columns.idArena as Uint8Array, starts: columns.idStarts as Uint32Array },
    );
    return new TokenStore({
      itemIds,
      offsets: columns.offsets as Int32Array,
      tokens: columns.tokens as Int32Array,
      words: decodeStrings(columns.wordArena as Uint8Array, columns.wordStarts as Uint32Array),
      counts: columns.counts as Float64Array,
      tokenizer: header.tokenizer,
      contentHash: header.contentHash,
    });
  }
}

/**
 * Builds a {@link TokenStore} one item at a time: each text is tokenised as it arrives and only
 * its word indices are kept.
 */
export class TokenStoreBuilder {
  private readonly itemIds = new IdInterner();
  private offsets: Int32Array = new Int32Array(1024);
  private tokens: Int32Array = new Int32Array(1 << 16);
  private tokenCount = 0;
  private readonly wordIndex = new Map<string, number>();
  private readonly words: string[] = [];
  private counts: Float64Array = new Float64Array(1024);
  private readonly visit: (token: string) => void;

  /** @param tokenizer - the tokenizer (its settings are stored with the tokens). */
  constructor(private readonly tokenizer: Tokenizer) {
    this.visit = (token) => {
      let index = this.wordIndex.get(token);
      if (index === undefined) {
        index = this.words.length;
        this.wordIndex.set(token, index);
        this.words.push(token);
        if (index === this.counts.length) this.counts = growFloat64(this.counts, index * 2);
      }
      this.counts[index]++;
      if (this.tokenCount === this.tokens.length) this.tokens = growInt32(this.tokens, this.tokenCount * 2);
      this.tokens[this.tokenCount++] = index;
    };
  }

  /** Items added. */
  get size(): number {
    return this.itemIds.size;
  }

  /**
   * Adds one item. Returns its index, or -1 when the id was added before (the caller names the
   * lines; nothing is added).
   */
  add(id: string, text: string): number {
    const before = this.itemIds.size;
    const index = this.itemIds.internString(id);
    if (this.itemIds.size === before) return -1;
    this.tokenizer.forEachToken(text, this.visit);
    if (this.tokenCount > 2 ** 31 - 1) {
      throw new RangeError('TokenStoreBuilder: more than 2^31 - 1 tokens; split the catalogue');
    }
    if (index + 1 >= this.offsets.length) this.offsets = growInt32(this.offsets, (index + 1) * 2);
    this.offsets[index + 1] = this.tokenCount;
    return index;
  }

  /** The index of an id added before, or -1. */
  indexOf(id: string): number {
    return this.itemIds.indexOf(id) ?? -1;
  }

  /** The store (the builder is spent). */
  finish(contentHash = ''): TokenStore {
    this.itemIds.trim();
    return new TokenStore({
      itemIds: this.itemIds,
      offsets: this.offsets.slice(0, this.itemIds.size + 1),
      tokens: this.tokens.slice(0, this.tokenCount),
      words: this.words,
      counts: this.counts.slice(0, this.words.length),
      tokenizer: this.tokenizer.toJSON(),
      contentHash,
    });
  }
}

function growInt32(array: Int32Array, length: number): Int32Array {
  const grown = new Int32Array(length);
  grown.set(array);
  return grown;
}

function growFloat64(array: Float64Array, length: number): Float64Array {
  const grown = new Float64Array(length);
  grown.set(array);
  return grown;
}
