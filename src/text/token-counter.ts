import type { CorpusItem } from './corpus-item';
import { forEachTokenOfItem } from './corpus-item';
import { Tokenizer } from './tokenizer';

/**
 * Counts token occurrences over a stream of corpus items, one item at a time: memory grows with
 * the number of distinct tokens, never with the corpus. {@link Vocabulary.fit} uses it; use it
 * directly to count in several passes or from your own loop.
 *
 * @example
 * ```ts
 * import { TokenCounter, Tokenizer, Vocabulary } from 'mars-rec/text';
 *
 * const counter = new TokenCounter(new Tokenizer({ stopwords: 'en' }));
 * for (const text of ['The cat sat', 'The cat ran']) counter.add(text);
 * console.log(counter.counts()); // Map { 'cat' => 2, 'sat' => 1, 'ran' => 1 }
 * const vocabulary = Vocabulary.fromCounts(counter.counts(), { minCount: 2 });
 * ```
 */
export class TokenCounter {
  private readonly tokenizer: Tokenizer;
  private readonly countsByToken = new Map<string, number>();
  private items = 0;
  private tokens = 0;

  /** @param tokenizer - tokenizes text items; default `new Tokenizer()` (its defaults). */
  constructor(tokenizer: Tokenizer = new Tokenizer()) {
    this.tokenizer = tokenizer;
  }

  /**
   * Counts the tokens of one item.
   *
   * @param item - a text, a token array (counted as it is) or `{ id, text }`.
   * @param index - the item's position in the corpus, for error messages; default the number of
   *   items added so far.
   * @throws TypeError naming the item's index or id when it is not a corpus item.
   */
  add(item: CorpusItem, index: number = this.items): void {
    const counts = this.countsByToken;
    let added = 0;
    forEachTokenOfItem(item, index, this.tokenizer, (token) => {
      counts.set(token, (counts.get(token) ?? 0) + 1);
      added++;
    });
    this.items++;
    this.tokens += added;
  }

  /** Number of items added. */
  get itemCount(): number {
    return this.items;
  }

  /** Number of tokens counted (occurrences, all items). */
  get tokenCount(): number {
    return this.tokens;
  }

  /** Number of distinct tokens seen. */
  get distinctCount(): number {
    return this.countsByToken.size;
  }

  /** The count of a token (occurrences), 0 when never seen. */
  countOf(token: string): number {
    return this.countsByToken.get(token) ?? 0;
  }

  /** Every distinct token with its count, in first-seen order. Do not mutate. */
  counts(): ReadonlyMap<string, number> {
    return this.countsByToken;
  }
}
