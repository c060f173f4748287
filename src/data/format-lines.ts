import type { InteractionRecord, ItemRecord } from './interaction-dataset';

/**
 * The lines of an `items.jsonl` file (what {@link loadItemsJsonl} and `mars-rec train --items`
 * read): `{"id", "text"}`, plus `"title"` when the item has one (the CLI prints it with
 * recommendations). Converts the items of any loader into the library's format.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * const items = await loadMovieLensMovies('ml-latest-small/movies.csv', { tags: 'ml-latest-small/tags.csv' });
 * await writeFile('items.jsonl', [...itemsJsonlLines(items)].join('\n') + '\n');
 * ```
 */
export function* itemsJsonlLines(items: Iterable<ItemRecord & { title?: string }>): Generator<string> {
  for (const item of items) {
    yield JSON.stringify(
      item.title === undefined
        ? { id: item.id, text: item.text }
        : { id: item.id, title: item.title, text: item.text },
    );
  }
}

/**
 * The lines of an `interactions.csv` file (what {@link loadInteractionsCsv} reads): the header
 * `user,item,rating,timestamp`, then one line per record, missing values empty, fields quoted
 * where they hold a comma, a quote or a line break (RFC 4180).
 */
export function* interactionsCsvLines(records: Iterable<InteractionRecord>): Generator<string> {
  yield 'user,item,rating,timestamp';
  for (const record of records) {
    yield [
      csvField(record.user),
      csvField(record.item),
      record.rating === undefined ? '' : String(record.rating),
      record.timestamp === undefined ? '' : String(record.timestamp),
    ].join(',');
  }
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
