import type { CorpusItem } from './corpus-item';
import { compareCodePoints } from './compare-code-points';
import { FIRST_WORD_ID, OOV_ID, OOV_TOKEN, PADDING_ID, PADDING_TOKEN } from './reserved';
import { TokenCounter } from './token-counter';
import type { Tokenizer } from './tokenizer';

/** Which end of a too-long sequence is cut. */
export type Truncation = 'pre' | 'post';

/** Options of {@link Vocabulary.encode} and the corpus encoders. */
export interface EncodeOptions {
  /**
   * Keep at most this many tokens (counted after stopword removal; OOV tokens count). Default
   * `Infinity`: no limit.
   */
  maxLength?: number;
  /**
   * `'post'` (default) drops the tokens after `maxLength`, keeping the beginning of the text;
   * `'pre'` drops the beginning, keeping the end (Keras `truncating` semantics).
   */
  truncate?: Truncation;
}

/** Options of {@link Vocabulary.decode}. */
export interface DecodeOptions {
  /** Leave padding ids (0) out of the result. Default `true`. */
  skipPadding?: boolean;
}

/** Options that choose which counted tokens become words of a {@link Vocabulary}. */
export interface VocabularyBuildOptions {
  /** Keep tokens seen at least this many times (occurrences over the corpus). Default `2`. */
  minCount?: number;
  /**
   * Largest {@link Vocabulary.size}, the two reserved ids included, so at most `maxSize - 2`
   * words: the most frequent ones. Default `Infinity`. Must be >= 2.
   */
  maxSize?: number;
}

/** Options of {@link Vocabulary.fit} and {@link Vocabulary.fitAsync}. */
export interface VocabularyFitOptions extends VocabularyBuildOptions {
  /** Tokenizes text items; default `new Tokenizer()` with its defaults. Token arrays bypass it. */
  tokenizer?: Tokenizer;
}

/** The JSON form of a {@link Vocabulary}, as written by {@link Vocabulary.toJSON}. */
export interface VocabularyJson {
  /** Always `'mars-rec/vocabulary'`. */
  format: 'mars-rec/vocabulary';
  /** Format version; this release reads and writes `1`. */
  version: 1;
  /** The words in id order: `tokens[k]` has id `k + 2`. */
  tokens: string[];
  /** Occurrence counts, parallel to `tokens`; absent when the vocabulary was not counted. */
  counts?: number[];
}

/** Resolved encode options: defaults applied, values checked. */
export interface ResolvedEncodeOptions {
  /** Maximum tokens kept; `Infinity` for no limit. */
  maxLength: number;
  /** Which end is cut. */
  truncate: Truncation;
}

/**
 * Applies the defaults of {@link EncodeOptions} and checks them.
 *
 * @param where - the caller's name, for error messages.
 * @throws RangeError for a negative or fractional `maxLength` or an unknown `truncate`.
 */
export function resolveEncodeOptions(
  options: EncodeOptions | undefined,
  where: string,
): ResolvedEncodeOptions {
  const maxLength = options?.maxLength ?? Infinity;
  if (!(maxLength === Infinity || (Number.isInteger(maxLength) && maxLength >= 0))) {
    throw new RangeError(
      `${where}: maxLength must be an integer >= 0 (tokens) or Infinity, got ${String(maxLength)}`,
    );
  }
  const truncate = options?.truncate ?? 'post';
  if (truncate !== 'pre' && truncate !== 'post') {
    throw new RangeError(`${where}: truncate must be 'pre' or 'post', got ${JSON.stringify(truncate)}`);
  }
  return { maxLength, truncate };
}

/**
 * The word-to-id mapping of the text pipeline. Id 0 is padding ({@link PADDING_ID}), id 1
 * out-of-vocabulary ({@link OOV_ID}); words get ids from 2 in a deterministic order: count
 * descending, then token by Unicode code points (Python's `sorted` order). Immutable.
 *
 * @example
 * ```ts
 * import { Tokenizer, Vocabulary } from 'mars-rec/text';
 *
 * const texts = ['The cat sat on the mat', 'A cat and a dog', 'The dog sat'];
 * const tokenizer = new Tokenizer({ stopwords: 'en' });
 * const vocabulary = Vocabulary.fit(texts, { tokenizer, minCount: 2 }); // 'cat', 'dog', 'sat'
 * vocabulary.encode(tokenizer.tokenize('The cat sat'), { maxLength: 200 }); // Int32Array [2, 4]
 * ```
 */
export class Vocabulary {
  private readonly words: readonly string[];
  private readonly wordCounts: readonly number[] | undefined;
  private readonly idsByToken: ReadonlyMap<string, number>;

  private constructor(words: string[], counts: number[] | undefined) {
    this.words = Object.freeze(words);
    this.wordCounts = counts === undefined ? undefined : Object.freeze(counts);
    const ids = new Map<string, number>();
    for (let index = 0; index < words.length; index++) ids.set(words[index], index + FIRST_WORD_ID);
    this.idsByToken = ids;
  }

  /**
   * Fits a vocabulary on a corpus in one streaming pass.
   *
   * @param corpus - texts, token arrays or `{ id, text }` items; read once, item by item.
   * @param options - tokenizer, `minCount` (default 2), `maxSize` (default unlimited).
   * @throws TypeError naming the item's index or id when an item is not text.
   */
  static fit(corpus: Iterable<CorpusItem>, options: VocabularyFitOptions = {}): Vocabulary {
    const counter = new TokenCounter(options.tokenizer);
    for (const item of corpus) counter.add(item);
    return Vocabulary.fromCounts(counter.counts(), options);
  }

  /**
   * {@link Vocabulary.fit} for an async iterable (a file read line by line, a database cursor):
   * memory stays bounded by the distinct tokens, not the corpus.
   *
   * @param corpus - an async or sync iterable of corpus items.
   * @param options - as for {@link Vocabulary.fit}.
   */
  static async fitAsync(
    corpus: AsyncIterable<CorpusItem> | Iterable<CorpusItem>,
    options: VocabularyFitOptions = {},
  ): Promise<Vocabulary> {
    const counter = new TokenCounter(options.tokenizer);
    for await (const item of corpus) counter.add(item);
    return Vocabulary.fromCounts(counter.counts(), options);
  }

  /**
   * Builds a vocabulary from token counts (e.g. {@link TokenCounter.counts}).
   *
   * @param counts - token to occurrence count; a Map or `[token, count]` pairs.
   * @param options - `minCount` (default 2), `maxSize` (default unlimited).
   * @throws RangeError for bad options or a count that is not a non-negative integer.
   */
  static fromCounts(
    counts: ReadonlyMap<string, number> | Iterable<readonly [string, number]>,
    options: VocabularyBuildOptions = {},
  ): Vocabulary {
    const minCount = options.minCount ?? 2;
    if (!Number.isInteger(minCount) || minCount < 1) {
      throw new RangeError(
        `Vocabulary: minCount must be an integer >= 1 (occurrences), got ${String(minCount)}`,
      );
    }
    const maxSize = options.maxSize ?? Infinity;
    if (!(maxSize === Infinity || (Number.isInteger(maxSize) && maxSize >= FIRST_WORD_ID))) {
      throw new RangeError(
        `Vocabulary: maxSize must be an integer >= 2 (ids, the 2 reserved ones included) or Infinity, got ${String(maxSize)}`,
      );
    }
    const kept: [string, number][] = [];
    for (const [token, count] of counts) {
      if (!Number.isInteger(count) || count < 0) {
        throw new RangeError(
          `Vocabulary: count of token ${JSON.stringify(token)} must be an integer >= 0, got ${String(count)}`,
        );
      }
      if (count >= minCount) kept.push([token, count]);
    }
    kept.sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
    const wordCount = Math.min(kept.length, maxSize - FIRST_WORD_ID);
    const words: string[] = new Array<string>(wordCount);
    const wordCounts: number[] = new Array<number>(wordCount);
    for (let index = 0; index < wordCount; index++) {
      words[index] = kept[index][0];
      wordCounts[index] = kept[index][1];
    }
    Vocabulary.checkWords(words, 'Vocabulary.fromCounts');
    return new Vocabulary(words, wordCounts);
  }

  /**
   * A vocabulary with exactly these words, in this id order (the first gets id 2).
   *
   * @param tokens - distinct non-empty strings, not `<pad>` or `<oov>`.
   * @throws TypeError or RangeError naming the offending position.
   */
  static fromTokens(tokens: Iterable<string>): Vocabulary {
    const words = [...tokens];
    Vocabulary.checkWords(words, 'Vocabulary.fromTokens');
    return new Vocabulary(words, undefined);
  }

  /**
   * Rebuilds a vocabulary from {@link Vocabulary.toJSON}'s output, checking every field.
   *
   * @param json - a parsed {@link VocabularyJson} object.
   * @throws TypeError for a malformed object, RangeError for an unknown format version.
   */
  static fromJSON(json: unknown): Vocabulary {
    const where = 'Vocabulary.fromJSON';
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new TypeError(`${where}: expected an object written by Vocabulary.toJSON()`);
    }
    const record = json as Record<string, unknown>;
    if (record.format !== 'mars-rec/vocabulary') {
      throw new TypeError(
        `${where}: field "format" must be "mars-rec/vocabulary", got ${JSON.stringify(record.format)}`,
      );
    }
    if (record.version !== 1) {
      throw new RangeError(
        `${where}: unsupported format version ${JSON.stringify(record.version)}; ` +
          'this mars-rec reads version 1: re-save the vocabulary with a matching mars-rec release',
      );
    }
    if (!Array.isArray(record.tokens)) {
      throw new TypeError(`${where}: field "tokens" must be an array of strings`);
    }
    const words = [...(record.tokens as unknown[])] as string[];
    Vocabulary.checkWords(words, where);
    let counts: number[] | undefined;
    if (record.counts !== undefined) {
      if (!Array.isArray(record.counts) || record.counts.length !== words.length) {
        throw new TypeError(
          `${where}: field "counts" must be an array as long as "tokens" (${words.length})`,
        );
      }
      counts = [...(record.counts as unknown[])] as number[];
      counts.forEach((count, index) => {
        if (!Number.isInteger(count) || count < 0) {
          throw new TypeError(
            `${where}: counts[${index}] (token ${JSON.stringify(words[index])}) must be an integer >= 0, got ${JSON.stringify(count)}`,
          );
        }
      });
    }
    return new Vocabulary(words, counts);
  }

  private static checkWords(words: readonly unknown[], where: string): void {
    const seen = new Set<string>();
    for (let index = 0; index < words.length; index++) {
      const word = words[index];
      if (typeof word !== 'string' || word.length === 0) {
        throw new TypeError(
          `${where}: token ${index} (id ${index + FIRST_WORD_ID}) must be a non-empty string, got ${JSON.stringify(word)}`,
        );
      }
      if (word === PADDING_TOKEN || word === OOV_TOKEN) {
        throw new RangeError(
          `${where}: token ${index} is the reserved marker ${word}; ids 0 and 1 are reserved, list words only`,
        );
      }
      if (seen.has(word)) {
        throw new RangeError(
          `${where}: token ${JSON.stringify(word)} appears twice (second at position ${index}); each word needs one id`,
        );
      }
      seen.add(word);
    }
  }

  /** Number of ids, the two reserved ones included: the rows an embedding table needs. */
  get size(): number {
    return this.words.length + FIRST_WORD_ID;
  }

  /** The words in id order (`tokens[k]` has id `k + 2`). */
  get tokens(): readonly string[] {
    return this.words;
  }

  /** Whether a token is a word of the vocabulary (the reserved markers are not). */
  has(token: string): boolean {
    return this.idsByToken.has(token);
  }

  /** The id of a token: its word id, or {@link OOV_ID} (1) when it is not in the vocabulary. */
  idOf(token: string): number {
    return this.idsByToken.get(token) ?? OOV_ID;
  }

  /**
   * The token of an id: the word, or `<pad>` for 0 and `<oov>` for 1.
   *
   * @throws RangeError when `id` is not an integer in `[0, size)`.
   */
  tokenOf(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) {
      throw new RangeError(
        `Vocabulary.tokenOf: id must be an integer in [0, ${this.size}), got ${String(id)}`,
      );
    }
    if (id === PADDING_ID) return PADDING_TOKEN;
    if (id === OOV_ID) return OOV_TOKEN;
    return this.words[id - FIRST_WORD_ID];
  }

  /** The corpus count of a word when the vocabulary was counted (fit, fromCounts), else undefined. */
  countOf(token: string): number | undefined {
    const id = this.idsByToken.get(token);
    if (id === undefined || this.wordCounts === undefined) return undefined;
    return this.wordCounts[id - FIRST_WORD_ID];
  }

  /**
   * Encodes tokens to ids. Unknown tokens become {@link OOV_ID} and keep their position; then
   * the sequence is cut to `maxLength` at the `truncate` end. Tokens are used as given: run them
   * through the same tokenizer as at fit time.
   *
   * @param tokens - the tokens, e.g. from {@link Tokenizer.tokenize}.
   * @param options - `maxLength` (default no limit) and `truncate` (default `'post'`).
   * @returns ids, `[min(tokens.length, maxLength)]`; empty for no tokens.
   * @throws TypeError naming the position of a token that is not a string.
   */
  encode(tokens: readonly string[], options?: EncodeOptions): Int32Array {
    const { maxLength, truncate } = resolveEncodeOptions(options, 'Vocabulary.encode');
    const length = Math.min(tokens.length, maxLength);
    const start = truncate === 'pre' ? tokens.length - length : 0;
    const ids = new Int32Array(length);
    for (let index = 0; index < length; index++) {
      const token = tokens[start + index];
      if (typeof token !== 'string') {
        throw new TypeError(
          `Vocabulary.encode: token ${start + index} must be a string, got ${token === null ? 'null' : typeof token}`,
        );
      }
      ids[index] = this.idsByToken.get(token) ?? OOV_ID;
    }
    return ids;
  }

  /**
   * Decodes ids to tokens: words, `<oov>` for 1, `<pad>` for 0 unless skipped.
   *
   * @param ids - ids in `[0, size)`.
   * @param options - `skipPadding` (default `true`).
   * @throws RangeError naming the position of an id outside `[0, size)`.
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string[] {
    const skipPadding = options.skipPadding ?? true;
    const tokens: string[] = [];
    const size = this.size;
    for (let index = 0; index < ids.length; index++) {
      const id = ids[index];
      if (!Number.isInteger(id) || id < 0 || id >= size) {
        throw new RangeError(
          `Vocabulary.decode: ids[${index}] = ${String(id)} is not an id of this vocabulary (integers in [0, ${size}))`,
        );
      }
      if (id === PADDING_ID) {
        if (!skipPadding) tokens.push(PADDING_TOKEN);
      } else if (id === OOV_ID) {
        tokens.push(OOV_TOKEN);
      } else {
        tokens.push(this.words[id - FIRST_WORD_ID]);
      }
    }
    return tokens;
  }

  /** The vocabulary as versioned JSON, for {@link Vocabulary.fromJSON}. */
  toJSON(): VocabularyJson {
    const json: VocabularyJson = {
      format: 'mars-rec/vocabulary',
      version: 1,
      tokens: [...this.words],
    };
    if (this.wordCounts !== undefined) json.counts = [...this.wordCounts];
    return json;
  }
}
