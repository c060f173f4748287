import type { Tokenizer } from './tokenizer';

/** An item with an identifier and a text, e.g. one line of `items.jsonl`. */
export interface TextItem {
  /** The item's identifier; error messages name it. */
  id: string | number;
  /** The item's text (synopsis, article, description). */
  text: string;
}

/**
 * One element of a corpus: a text, an already tokenized text (used as it is: no normalization,
 * no stopword removal), or a {@link TextItem}.
 */
export type CorpusItem = string | readonly string[] | TextItem;

/** `item 3` or `item 3 (id "tt0114709")`, for error messages. */
export function describeCorpusItem(item: unknown, index: number): string {
  if (typeof item === 'object' && item !== null && 'id' in item) {
    const id = (item as { id: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') {
      return `item ${index} (id ${JSON.stringify(id)})`;
    }
  }
  return `item ${index}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Calls `visit` with every token of one corpus item: texts and {@link TextItem}s through the
 * tokenizer, token arrays as they are.
 *
 * @param item - the corpus element.
 * @param index - its position in the corpus (0-based), for error messages.
 * @param tokenizer - tokenizes texts.
 * @param visit - receives each token; return `false` to stop.
 * @throws TypeError naming the item's index (and id when it has one) when the item is neither a
 *   string, an array of strings nor an object with a string `text`.
 */
export function forEachTokenOfItem(
  item: CorpusItem,
  index: number,
  tokenizer: Tokenizer,
  visit: (token: string) => boolean | void,
): void {
  if (typeof item === 'string') {
    tokenizer.forEachToken(item, visit);
    return;
  }
  if (Array.isArray(item)) {
    const tokens = item as readonly unknown[];
    for (let position = 0; position < tokens.length; position++) {
      const token = tokens[position];
      if (typeof token !== 'string') {
        throw new TypeError(
          `${describeCorpusItem(item, index)}: token ${position} must be a string, got ${kindOf(token)}`,
        );
      }
      if (visit(token) === false) return;
    }
    return;
  }
  if (typeof item === 'object' && item !== null) {
    const text = (item as { text?: unknown }).text;
    if (typeof text === 'string') {
      tokenizer.forEachToken(text, visit);
      return;
    }
    throw new TypeError(
      `${describeCorpusItem(item, index)}: field "text" must be a string, got ${kindOf(text)}; ` +
        'use "" for an item without text',
    );
  }
  throw new TypeError(
    `${describeCorpusItem(item, index)}: expected a text (string), an array of tokens or ` +
      `{ id, text }, got ${kindOf(item)}`,
  );
}
