import type { InteractionRecord, ItemRecord } from './interaction-dataset';

/** Where lines come from: a file path (Node) or any iterable of lines (browser: a split fetch). */
export type LineSource = string | Iterable<string> | AsyncIterable<string>;

/**
 * An error in an input file, naming the file, the line and what is wrong.
 *
 * @example
 * ```ts
 * import { DataFormatError, loadInteractionsCsv } from 'mars-rec/data';
 *
 * try {
 *   await loadInteractionsCsv(['user,item,rating', 'u1,m1,five']);
 * } catch (error) {
 *   if (error instanceof DataFormatError) console.log(error.source, error.line, error.message);
 *   // <input> 2 <input>:2: rating 'five' is not a number
 * }
 * ```
 */
export class DataFormatError extends Error {
  /** 1-based line number. */
  readonly line: number;
  /** The file (or `'<input>'` for in-memory lines). */
  readonly source: string;

  /**
   * @param source - the file name.
   * @param line - 1-based line number.
   * @param problem - what is wrong and, where it helps, how to fix it.
   */
  constructor(source: string, line: number, problem: string) {
    super(`${source}:${line}: ${problem}`);
    this.name = 'DataFormatError';
    this.source = source;
    this.line = line;
  }
}

/**
 * Streams the lines of a source, in order (line `n` is the `n`th value); Node's fs is imported
 * only for paths. A file is read as bytes and split at `\n` (a `\r` before it is dropped, a
 * UTF-8 byte order mark at the start too); each line must be valid UTF-8.
 * @throws DataFormatError naming the file, the line and the byte of invalid UTF-8 (instead of
 *   turning it into U+FFFD, which could merge or invent ids).
 */
export async function* readLines(source: LineSource): AsyncGenerator<string> {
  if (typeof source !== 'string') {
    yield* source;
    return;
  }
  const { createReadStream } = await import('node:fs');
  const stream = createReadStream(source);
  let line = 0;
  const decode = (bytes: Buffer): string => {
    line++;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 13) end--;
    const start = line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    return decodeUtf8Line(bytes.subarray(start, end), source, line, start);
  };
  try {
    let pending: Buffer[] = []; // the start of a line that continues in the next chunk
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      let newline = chunk.indexOf(10);
      while (newline >= 0) {
        const piece = chunk.subarray(start, newline);
        yield decode(pending.length > 0 ? Buffer.concat([...pending, piece]) : piece);
        pending = [];
        start = newline + 1;
        newline = chunk.indexOf(10, start);
      }
      if (start < chunk.length) pending.push(chunk.subarray(start));
    }
    if (pending.length > 0) yield decode(Buffer.concat(pending));
  } finally {
    stream.destroy();
  }
}

// ignoreBOM: a U+FEFF that starts a later line is content (readLines drops the file's own byte order mark)
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes the bytes of one line as UTF-8, refusing invalid bytes instead of turning them into
 * U+FFFD (which could merge two ids or invent one). For readers that split lines themselves.
 * @param source - the file, for the error.
 * @param line - the 1-based line number, for the error.
 * @param offset - bytes of the line before `bytes` (a byte order mark), for the byte position.
 * @throws DataFormatError naming the file, the line and the first invalid byte.
 */
export function decodeUtf8Line(bytes: Uint8Array, source: string, line: number, offset = 0): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new DataFormatError(
      source,
      line,
      `invalid UTF-8 at byte ${firstInvalidUtf8(bytes) + offset + 1} of the line; the file must be UTF-8 ` +
        '(convert it, e.g. iconv -f latin1 -t utf-8)',
    );
  }
}

/** The offset of the first byte that does not continue valid UTF-8 (the error path only). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index];
    const length =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead < 0xe0
          ? 2
          : lead >= 0xe0 && lead < 0xf0
            ? 3
            : lead >= 0xf0 && lead < 0xf5
              ? 4
              : 0;
    if (length === 0 || index + length > bytes.length) return index;
    for (let k = 1; k < length; k++) if ((bytes[index + k] & 0xc0) !== 0x80) return index;
    const second = bytes[index + 1];
    // overlong forms, surrogates and code points beyond U+10FFFF
    if (
      (lead === 0xe0 && second < 0xa0) ||
      (lead === 0xed && second >= 0xa0) ||
      (lead === 0xf0 && second < 0x90) ||
      (lead === 0xf4 && second >= 0x90)
    )
      return index;
    index += length;
  }
  return index;
}

/** How errors name a line source: its path, or `<input>` for lines given in memory. */
export function sourceName(source: LineSource): string {
  return typeof source === 'string' ? source : '<input>';
}

/**
 * Loads `items.jsonl`: one JSON object a line with a string `id` and a string `text` (extra
 * fields are ignored); blank lines are skipped. Ids stay strings; a numeric `id` is accepted
 * only as an integer within 2^53 (read as its decimal string), since JSON numbers beyond it
 * round and neighbouring ids would merge.
 * @throws DataFormatError naming the line for invalid UTF-8 or JSON, a missing or non-string
 *   field, a numeric id beyond 2^53, or an id that appeared before (both lines named).
 *
 * @example
 * ```ts
 * import { loadItemsJsonl } from 'mars-rec/data';
 *
 * const items = await loadItemsJsonl('data/movies/items.jsonl'); // a path, or any iterable of lines
 * const inline = await loadItemsJsonl(['{"id": "m1", "text": "A lighthouse keeper and the sea"}']);
 * console.log(items.length, inline[0].id); // ... m1
 * ```
 */
export async function loadItemsJsonl(source: LineSource): Promise<ItemRecord[]> {
  const name = sourceName(source);
  const items: ItemRecord[] = [];
  const lineOfId = new Map<string, number>();
  let lineNumber = 0;
  for await (const rawLine of readLines(source)) {
    lineNumber++;
    const line = rawLine.trim();
    if (line === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new DataFormatError(name, lineNumber, `invalid JSON (${(error as Error).message})`);
    }
    const { id: itemId, text } = checkItemRecord(record, name, lineNumber);
    const previous = lineOfId.get(itemId);
    if (previous !== undefined) {
      throw new DataFormatError(name, lineNumber, `item id '${itemId}' already appeared on line ${previous}`);
    }
    lineOfId.set(itemId, lineNumber);
    items.push({ id: itemId, text });
  }
  return items;
}

/**
 * Splits one CSV line into fields (RFC 4180 quoting: `"a,b"`, `""` for a quote).
 * @returns the fields, or undefined when a quote is left open.
 */
export function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

/**
 * Loads `interactions.csv` with the header `user,item,rating,timestamp` (columns in any order;
 * `rating` and `timestamp` optional, and their values may be empty). Timestamps are Unix seconds.
 * @throws DataFormatError naming the line for a missing header column, a wrong field count, an
 *   open quote, an empty user or item, or a rating/timestamp that is not a number.
 *
 * @example
 * ```ts
 * import { InteractionDataset, loadInteractionsCsv, loadItemsJsonl } from 'mars-rec/data';
 *
 * const interactions = await loadInteractionsCsv('data/movies/interactions.csv');
 * const dataset = InteractionDataset.build(await loadItemsJsonl('data/movies/items.jsonl'), interactions);
 * console.log(`${dataset.interactionCount} interactions, ${dataset.unknownItemInteractions} of unknown items`);
 * ```
 */
export async function loadInteractionsCsv(source: LineSource): Promise<InteractionRecord[]> {
  const name = sourceName(source);
  const records: InteractionRecord[] = [];
  let lineNumber = 0;
  let columns: { user: number; item: number; rating: number; timestamp: number; count: number } | undefined;
  for await (const rawLine of readLines(source)) {
    lineNumber++;
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const fields = splitCsvLine(line);
    if (!fields) throw new DataFormatError(name, lineNumber, 'a quoted field is not closed');
    if (!columns) {
      const header = fields.map((field) => field.trim().toLowerCase());
      const user = header.indexOf('user');
      const item = header.indexOf('item');
      if (user < 0 || item < 0) {
        throw new DataFormatError(
          name,
          lineNumber,
          `the header must name the columns user,item[,rating,timestamp]; got '${line}'`,
        );
      }
      columns = {
        user,
        item,
        rating: header.indexOf('rating'),
        timestamp: header.indexOf('timestamp'),
        count: header.length,
      };
      continue;
    }
    if (fields.length !== columns.count) {
      throw new DataFormatError(
        name,
        lineNumber,
        `expected ${columns.count} fields as in the header, got ${fields.length}`,
      );
    }
    const user = fields[columns.user].trim();
    const item = fields[columns.item].trim();
    if (user === '' || item === '')
      throw new DataFormatError(name, lineNumber, `empty ${user === '' ? 'user' : 'item'} field`);
    const record: InteractionRecord = { user, item };
    const rating = optionalNumber(fields, columns.rating);
    const timestamp = optionalNumber(fields, columns.timestamp);
    if (Number.isNaN(rating))
      throw new DataFormatError(name, lineNumber, `rating '${fields[columns.rating]}' is not a number`);
    if (Number.isNaN(timestamp)) {
      throw new DataFormatError(
        name,
        lineNumber,
        `timestamp '${fields[columns.timestamp]}' is not a number (Unix seconds)`,
      );
    }
    if (rating !== undefined) record.rating = rating;
    if (timestamp !== undefined) record.timestamp = timestamp;
    records.push(record);
  }
  if (!columns)
    throw new DataFormatError(
      name,
      Math.max(1, lineNumber),
      'the file is empty: expected a header user,item,rating,timestamp',
    );
  return records;
}

/** The number in column `index`, undefined when the column is absent or the field empty, NaN when not numeric. */
function optionalNumber(fields: string[], index: number): number | undefined {
  if (index < 0) return undefined;
  const text = fields[index].trim();
  if (text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : Number.NaN;
}

/**
 * Loads MovieLens ratings: `ratings.csv` (header `userId,movieId,rating,timestamp`) or the
 * tab-separated, header-less `u.data` of MovieLens 100k (`user item rating timestamp`).
 * @throws DataFormatError naming the line for a wrong field count or a non-numeric rating/timestamp.
 */
export async function loadMovieLensRatings(source: LineSource): Promise<InteractionRecord[]> {
  const name = sourceName(source);
  const records: InteractionRecord[] = [];
  let lineNumber = 0;
  for await (const rawLine of readLines(source)) {
    lineNumber++;
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const fields = line.includes('\t') ? line.split('\t') : line.split(',');
    if (lineNumber === 1 && /^userid$/i.test(fields[0].trim())) continue;
    if (fields.length < 3)
      throw new DataFormatError(
        name,
        lineNumber,
        `expected user, item, rating[, timestamp], got ${fields.length} fields`,
      );
    const rating = Number(fields[2]);
    const timestamp = fields.length > 3 ? Number(fields[3]) : undefined;
    if (!Number.isFinite(rating))
      throw new DataFormatError(name, lineNumber, `rating '${fields[2]}' is not a number`);
    if (timestamp !== undefined && !Number.isFinite(timestamp)) {
      throw new DataFormatError(name, lineNumber, `timestamp '${fields[3]}' is not a number`);
    }
    records.push({
      user: fields[0].trim(),
      item: fields[1].trim(),
      rating,
      ...(timestamp !== undefined ? { timestamp } : {}),
    });
  }
  return records;
}

/**
 * Loads MIND `news.tsv` (id, category, subcategory, title, abstract, url, entities...): the item
 * text is the title and the abstract.
 * @throws DataFormatError naming the line when it has fewer than 5 fields or repeats a news id.
 *
 * @example
 * ```ts
 * import { InteractionDataset, loadMindBehaviors, loadMindNews } from 'mars-rec/data';
 *
 * const news = await loadMindNews('MINDsmall_train/news.tsv');
 * const clicks = await loadMindBehaviors('MINDsmall_train/behaviors.tsv');
 * const dataset = InteractionDataset.build(news, clicks);
 * ```
 */
export async function loadMindNews(source: LineSource): Promise<ItemRecord[]> {
  const name = sourceName(source);
  const items: ItemRecord[] = [];
  const lineOfId = new Map<string, number>();
  let lineNumber = 0;
  for await (const line of readLines(source)) {
    lineNumber++;
    if (line.trim() === '') continue;
    const fields = line.split('\t');
    if (fields.length < 5)
      throw new DataFormatError(
        name,
        lineNumber,
        `expected at least 5 tab-separated fields (id, category, subcategory, title, abstract), got ${fields.length}`,
      );
    const id = fields[0].trim();
    const previous = lineOfId.get(id);
    if (previous !== undefined)
      throw new DataFormatError(name, lineNumber, `news id '${id}' already appeared on line ${previous}`);
    lineOfId.set(id, lineNumber);
    items.push({
      id,
      text: [fields[3], fields[4]]
        .map((part) => part.trim())
        .filter((part) => part !== '')
        .join('. '),
    });
  }
  return items;
}

/**
 * Loads MIND `behaviors.tsv` (impression id, user, time, history, impressions) as clicks: every
 * history item, and every impression labelled `-1`. Times like `11/11/2019 9:05:58 AM` become Unix
 * seconds (UTC); history clicks, whose time MIND does not give, carry none.
 * @throws DataFormatError naming the line for a wrong field count, time or impression label.
 */
export async function loadMindBehaviors(source: LineSource): Promise<InteractionRecord[]> {
  const name = sourceName(source);
  const records: InteractionRecord[] = [];
  let lineNumber = 0;
  for await (const line of readLines(source)) {
    lineNumber++;
    if (line.trim() === '') continue;
    const fields = line.split('\t');
    if (fields.length !== 5)
      throw new DataFormatError(name, lineNumber, `expected 5 tab-separated fields, got ${fields.length}`);
    const [, user, time, history, impressions] = fields;
    const timestamp = Date.parse(`${time.trim()} UTC`) / 1000;
    if (!Number.isFinite(timestamp))
      throw new DataFormatError(name, lineNumber, `time '${time}' is not a date`);
    for (const item of history.trim().split(/\s+/)) if (item !== '') records.push({ user, item });
    for (const impression of impressions.trim().split(/\s+/)) {
      if (impression === '') continue;
      const dash = impression.lastIndexOf('-');
      const label = impression.slice(dash + 1);
      if (dash <= 0 || (label !== '0' && label !== '1')) {
        throw new DataFormatError(
          name,
          lineNumber,
          `impression '${impression}' is not of the form NEWSID-0 or NEWSID-1`,
        );
      }
      if (label === '1') records.push({ user, item: impression.slice(0, dash), timestamp });
    }
  }
  return records;
}

/** The id and text of one parsed `items.jsonl` line, with {@link loadItemsJsonl}'s errors. */
export function checkItemRecord(record: unknown, source: string, line: number): { id: string; text: string } {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new DataFormatError(source, line, 'expected a JSON object {"id": ..., "text": ...}');
  }
  const { id, text } = record as { id?: unknown; text?: unknown };
  if (typeof id === 'number' && !Number.isSafeInteger(id)) {
    throw new DataFormatError(
      source,
      line,
      `field "id" is a number JSON cannot hold exactly (not an integer within 2^53, where neighbouring ids merge); ` +
        'write ids as strings ("id": "12345678901234567890")',
    );
  }
  const itemId = typeof id === 'number' ? String(id) : id;
  if (typeof itemId !== 'string' || itemId === '') {
    throw new DataFormatError(
      source,
      line,
      `field "id" must be a non-empty string, got ${JSON.stringify(id)}`,
    );
  }
  if (typeof text !== 'string') {
    throw new DataFormatError(
      source,
      line,
      `field "text" of item '${itemId}' must be a string, got ${JSON.stringify(text)}`,
    );
  }
  return { id: itemId, text };
}
