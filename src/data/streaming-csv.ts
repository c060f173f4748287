import { canonicalIntegerOf, IdInterner } from './id-interner';
import { InteractionColumns } from './interaction-columns';
import { DataFormatError, decodeUtf8Line, splitCsvLine } from './loaders';
import { NumericUserBatch } from './user-batch';

/** Options of {@link readInteractionsCsv}. */
export interface ReadInteractionsOptions {
  /**
   * The items (e.g. from the items file): interactions are looked up in it, and those whose item
   * it lacks are skipped and counted (or fail with `onUnknownItem: 'error'`). Default: a new
   * interner that adds every item seen.
   */
  items?: IdInterner;
  /** What to do with an interaction whose item is not among `items`. Default `'skip'`. */
  onUnknownItem?: 'skip' | 'error';
  /** Users to add to (their indices stay). Default: a new interner. */
  users?: IdInterner;
  /**
   * Keep only interactions rated at least this (unrated ones are kept), while reading, so no
   * rating column needs to be stored. Default: no filter.
   */
  minRating?: number;
  /** Keep the rating column (8 bytes an interaction) when the source has one. Default true. */
  keepRatings?: boolean;
  /** Called after each chunk read with the bytes read so far and the file's size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** What a streaming interaction reader returns: the columns and the id dictionaries. */
export interface StreamedInteractions {
  /** The interactions as typed-array columns (call `toCsr` to group them by user). */
  columns: InteractionColumns;
  /** User ids, by dense index (order of first appearance). */
  users: IdInterner;
  /** Item ids, by dense index. */
  items: IdInterner;
  /** Data rows read (blank lines and the header not counted). */
  rows: number;
  /** Rows skipped because their item is not among `items`. */
  unknownItemInteractions: number;
  /** Rows skipped by `minRating`. */
  belowMinRating: number;
}

const COMMA = 44;
const QUOTE = 34;
const NEWLINE = 10;
const RETURN = 13;
const SPACE = 32;
const TAB = 9;
const CHUNK_BYTES = 4 << 20;

interface Columns {
  user: number;
  item: number;
  rating: number;
  timestamp: number;
  count: number;
}

/**
 * Reads an `interactions.csv` (header `user,item[,rating][,timestamp]`, columns in any order, the
 * format of {@link loadInteractionsCsv}) straight from the file's bytes into typed-array columns:
 * ids are interned from the bytes without making strings (see {@link IdInterner}), numbers are
 * parsed in place, and memory is 8 to 16 bytes an interaction plus the ids. Quoted fields are
 * supported (such lines take a slower path). Node only.
 *
 * @param path - the CSV file.
 * @param options - see {@link ReadInteractionsOptions}.
 * @throws DataFormatError naming the file and line, with the messages of
 *   {@link loadInteractionsCsv}: a header without user and item, a wrong field count, an open
 *   quote, an empty user or item, a rating or timestamp that is not a number.
 */
export async function readInteractionsCsv(
  path: string,
  options: ReadInteractionsOptions = {},
): Promise<StreamedInteractions> {
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'r');
  try {
    const totalBytes = (await handle.stat()).size;
    const reader = new CsvInteractionParser(path, totalBytes, options);
    let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let filled = 0;
    let fileOffset = 0;
    for (;;) {
      if (filled === buffer.length) {
        // one line longer than the buffer: make room
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, filled);
        buffer = larger;
      }
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, fileOffset);
      fileOffset += bytesRead;
      const end = filled + bytesRead;
      const last = bytesRead === 0;
      const consumed = reader.parse(buffer, end, last);
      options.onProgress?.(fileOffset, totalBytes);
      if (last) break;
      buffer.copy(buffer, 0, consumed, end);
      filled = end - consumed;
    }
    return reader.finish();
  } finally {
    await handle.close();
  }
}

/** The state of one CSV read: header, line number, interners and columns. */
class CsvInteractionParser {
  private line = 0;
  private columns?: Columns;
  private readonly users: IdInterner;
  private readonly items: IdInterner;
  private readonly lookupItems: boolean;
  private output?: InteractionColumns;
  private batch?: NumericUserBatch;
  private rows = 0;
  private unknown = 0;
  private belowMinRating = 0;
  private started = false;
  private readonly fieldStarts = new Int32Array(64);
  private readonly fieldEnds = new Int32Array(64);
  /** The fast path's fields: value and number of digits. */
  private readonly fieldValues = new Float64Array(64);
  private readonly fieldLengths = new Int32Array(64);

  constructor(
    private readonly name: string,
    private readonly totalBytes: number,
    private readonly options: ReadInteractionsOptions,
  ) {
    this.users = options.users ?? new IdInterner();
    this.lookupItems = options.items !== undefined;
    this.items = options.items ?? new IdInterner();
  }

  /** Parses the complete lines of `buffer[0, end)` (all of it when `last`); returns the bytes consumed. */
  parse(buffer: Buffer, end: number, last: boolean): number {
    let position = 0;
    if (!this.started && end >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf)
      position = 3;
    if (end > 0) this.started = true;
    while (position < end) {
      if (this.columns) {
        position = this.parsePlainLines(buffer, position, end);
        if (position >= end) break;
      }
      // one line the plain path does not take: the header, quotes, spaces, decimals, errors
      let newline = buffer.indexOf(NEWLINE, position);
      if (newline < 0 || newline >= end) {
        if (!last) return position;
        newline = end;
      }
      this.line++;
      let lineEnd = newline;
      if (lineEnd > position && buffer[lineEnd - 1] === RETURN) lineEnd--;
      if (!isBlank(buffer, position, lineEnd)) {
        this.checkUtf8(buffer, position, lineEnd);
        if (this.columns) this.parseRow(buffer, position, lineEnd);
        else this.parseHeader(buffer.toString('utf8', position, lineEnd));
      }
      position = newline + 1;
    }
    return Math.min(position, end);
  }

  /**
   * The fast path: parses the lines from `start` on while every field is plain digits (no
   * quote, space, sign or point; `\n` or `\r\n` endings) and the ids are canonical integers the
   * users and items take as numbers, in one pass over the bytes that splits, checks and parses
   * together. Returns where it stopped: at `end`, at an incomplete line, or at the first line
   * it leaves to the general path.
   */
  private parsePlainLines(buffer: Buffer, start: number, end: number): number {
    const columns = this.columns as Columns;
    if (!this.users.isNumeric || !this.items.isNumeric) return start;
    const batch = this.batch as NumericUserBatch;
    const fieldCount = columns.count;
    const { user: userColumn, item: itemColumn, rating: ratingColumn, timestamp: timeColumn } = columns;
    const values = this.fieldValues;
    const lengths = this.fieldLengths;
    const { minRating } = this.options;
    const lookupItems = this.lookupItems;
    let p = start;
    while (p < end) {
      const lineStart = p;
      let field = 0;
      let value = 0;
      let length = 0;
      let lineEnd = -1;
      while (p < end) {
        const byte = buffer[p];
        const digit = byte - 48;
        if (digit >= 0 && digit <= 9) {
          value = value * 10 + digit;
          length++;
        } else if (byte === COMMA) {
          if (field < values.length) {
            values[field] = value;
            lengths[field] = length;
          }
          field++;
          value = 0;
          length = 0;
        } else if (byte === NEWLINE) {
          lineEnd = p;
          break;
        } else if (byte === RETURN && p + 1 < end && buffer[p + 1] === NEWLINE) {
          lineEnd = p++;
          break;
        } else return lineStart;
        p++;
      }
      if (lineEnd < 0) return lineStart; // incomplete: the next chunk completes it
      if (field >= values.length) return lineStart;
      values[field] = value;
      lengths[field] = length;
      if (field + 1 !== fieldCount) return lineStart;
      const userId = values[userColumn];
      const itemId = values[itemColumn];
      if (!isCanonical(userId, lengths[userColumn]) || !isCanonical(itemId, lengths[itemColumn])) {
        return lineStart;
      }
      let time = NaN;
      if (timeColumn >= 0) {
        if (lengths[timeColumn] === 0 || lengths[timeColumn] > 15) return lineStart;
        time = values[timeColumn];
      }
      let rating = NaN;
      if (ratingColumn >= 0) {
        if (lengths[ratingColumn] === 0 || lengths[ratingColumn] > 15) return lineStart;
        rating = values[ratingColumn];
      }
      p++; // past the newline
      this.line++;
      this.rows++;
      if (minRating !== undefined && rating < minRating) {
        this.belowMinRating++;
        continue;
      }
      const item = lookupItems ? this.items.findNumber(itemId) : this.items.internNumber(itemId);
      if (item < 0) {
        this.unknownItem(String(itemId));
        continue;
      }
      batch.push(userId, item, time, rating);
    }
    return p;
  }

  /** Refuses a line that is not valid UTF-8 (only lines with bytes beyond ASCII are decoded). */
  private checkUtf8(buffer: Buffer, start: number, end: number): void {
    for (let p = start; p < end; p++) {
      if (buffer[p] >= 0x80) {
        const bom = this.line === 1 && start === 3 ? 3 : 0;
        decodeUtf8Line(buffer.subarray(start, end), this.name, this.line, bom);
        return;
      }
    }
  }

  finish(): StreamedInteractions {
    this.batch?.flush();
    if (!this.columns) {
      throw new DataFormatError(
        this.name,
        Math.max(1, this.line),
        'the file is empty: expected a header user,item,rating,timestamp',
      );
    }
    return {
      columns: this.output as InteractionColumns,
      users: this.users,
      items: this.items,
      rows: this.rows,
      unknownItemInteractions: this.unknown,
      belowMinRating: this.belowMinRating,
    };
  }

  private parseHeader(text: string): void {
    const fields = splitCsvLine(text);
    if (!fields) throw new DataFormatError(this.name, this.line, 'a quoted field is not closed');
    const header = fields.map((field) => field.trim().toLowerCase());
    const user = header.indexOf('user');
    const item = header.indexOf('item');
    if (user < 0 || item < 0) {
      throw new DataFormatError(
        this.name,
        this.line,
        `the header must name the columns user,item[,rating,timestamp]; got '${text}'`,
      );
    }
    if (header.length > this.fieldStarts.length) {
      throw new DataFormatError(
        this.name,
        this.line,
        `the header has ${header.length} columns; at most 64 are read`,
      );
    }
    this.columns = {
      user,
      item,
      rating: header.indexOf('rating'),
      timestamp: header.indexOf('timestamp'),
      count: header.length,
    };
    // ~ bytes of a line, from the header's: a generous first estimate of the rows
    const estimate = this.totalBytes / Math.max(8, text.length * 0.5);
    this.output = new InteractionColumns({
      capacity: Math.min(estimate, 2 ** 31 - 1),
      ratings: this.columns.rating >= 0 && (this.options.keepRatings ?? true),
      timestamps: this.columns.timestamp >= 0,
    });
    this.batch = new NumericUserBatch(this.users, this.output);
  }

  private parseRow(buffer: Buffer, start: number, end: number): void {
    const columns = this.columns as Columns;
    const starts = this.fieldStarts;
    const ends = this.fieldEnds;
    let count = 0;
    let fieldStart = start;
    for (let p = start; p < end; p++) {
      const byte = buffer[p];
      if (byte === COMMA) {
        if (count < starts.length) {
          starts[count] = fieldStart;
          ends[count] = p;
        }
        count++;
        fieldStart = p + 1;
      } else if (byte === QUOTE) {
        this.parseQuotedRow(buffer.toString('utf8', start, end));
        return;
      }
    }
    if (count < starts.length) {
      starts[count] = fieldStart;
      ends[count] = end;
    }
    count++;
    if (count !== columns.count) {
      throw new DataFormatError(
        this.name,
        this.line,
        `expected ${columns.count} fields as in the header, got ${count}`,
      );
    }
    let userStart = starts[columns.user];
    let userEnd = ends[columns.user];
    while (userStart < userEnd && isSpace(buffer[userStart])) userStart++;
    while (userEnd > userStart && isSpace(buffer[userEnd - 1])) userEnd--;
    let itemStart = starts[columns.item];
    let itemEnd = ends[columns.item];
    while (itemStart < itemEnd && isSpace(buffer[itemStart])) itemStart++;
    while (itemEnd > itemStart && isSpace(buffer[itemEnd - 1])) itemEnd--;
    if (userStart === userEnd || itemStart === itemEnd) {
      throw new DataFormatError(
        this.name,
        this.line,
        `empty ${userStart === userEnd ? 'user' : 'item'} field`,
      );
    }
    const rating = columns.rating < 0 ? NaN : this.numberField(buffer, columns.rating, 'rating');
    const timestamp = columns.timestamp < 0 ? NaN : this.numberField(buffer, columns.timestamp, 'timestamp');
    this.rows++;
    if (this.options.minRating !== undefined && rating < this.options.minRating) {
      this.belowMinRating++;
      return;
    }
    const item = this.lookupItems
      ? this.items.findBytes(buffer, itemStart, itemEnd)
      : this.items.internBytes(buffer, itemStart, itemEnd);
    if (item < 0) {
      this.unknownItem(buffer.toString('utf8', itemStart, itemEnd));
      return;
    }
    const numericUser = this.users.isNumeric ? canonicalIntegerOf(buffer, userStart, userEnd) : -1;
    if (numericUser >= 0) {
      (this.batch as NumericUserBatch).push(numericUser, item, timestamp, rating);
      return;
    }
    (this.batch as NumericUserBatch).flush();
    (this.output as InteractionColumns).push(
      this.users.internBytes(buffer, userStart, userEnd),
      item,
      timestamp,
      rating,
    );
  }

  /** A rating or timestamp field: NaN when empty, a DataFormatError when not a number. */
  private numberField(buffer: Buffer, column: number, what: 'rating' | 'timestamp'): number {
    let start = this.fieldStarts[column];
    let end = this.fieldEnds[column];
    while (start < end && isSpace(buffer[start])) start++;
    while (end > start && isSpace(buffer[end - 1])) end--;
    if (start === end) return NaN;
    const value = parseDecimal(buffer, start, end);
    if (!Number.isNaN(value)) return value;
    return this.checkedNumber(buffer.toString('utf8', start, end), what);
  }

  private checkedNumber(text: string, what: 'rating' | 'timestamp'): number {
    const trimmed = text.trim();
    if (trimmed === '') return NaN;
    const value = Number(trimmed);
    if (Number.isFinite(value)) return value;
    throw new DataFormatError(
      this.name,
      this.line,
      what === 'rating'
        ? `rating '${text}' is not a number`
        : `timestamp '${text}' is not a number (Unix seconds)`,
    );
  }

  private parseQuotedRow(text: string): void {
    const columns = this.columns as Columns;
    const fields = splitCsvLine(text);
    if (!fields) throw new DataFormatError(this.name, this.line, 'a quoted field is not closed');
    if (fields.length !== columns.count) {
      throw new DataFormatError(
        this.name,
        this.line,
        `expected ${columns.count} fields as in the header, got ${fields.length}`,
      );
    }
    const userId = fields[columns.user].trim();
    const itemId = fields[columns.item].trim();
    if (userId === '' || itemId === '')
      throw new DataFormatError(this.name, this.line, `empty ${userId === '' ? 'user' : 'item'} field`);
    const rating = columns.rating < 0 ? NaN : this.checkedNumber(fields[columns.rating], 'rating');
    const timestamp =
      columns.timestamp < 0 ? NaN : this.checkedNumber(fields[columns.timestamp], 'timestamp');
    this.rows++;
    if (this.options.minRating !== undefined && rating < this.options.minRating) {
      this.belowMinRating++;
      return;
    }
    const item = this.lookupItems ? (this.items.indexOf(itemId) ?? -1) : this.items.internString(itemId);
    if (item < 0) {
      this.unknownItem(itemId);
      return;
    }
    (this.batch as NumericUserBatch).flush();
    (this.output as InteractionColumns).push(this.users.internString(userId), item, timestamp, rating);
  }

  private unknownItem(itemId: string): void {
    if (this.options.onUnknownItem === 'error') {
      throw new DataFormatError(this.name, this.line, `item '${itemId}' is not among the items`);
    }
    this.unknown++;
  }
}

/** Whether `length` digits that read `value` are a canonical id: 1 to 15 digits, no leading zero. */
function isCanonical(value: number, length: number): boolean {
  return length === 1 || (length > 1 && length <= 15 && value >= POWERS_OF_TEN[length - 1]);
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

function isSpace(byte: number): boolean {
  return byte === SPACE || byte === TAB;
}

function isBlank(buffer: Buffer, start: number, end: number): boolean {
  for (let p = start; p < end; p++) {
    const byte = buffer[p];
    if (byte !== SPACE && byte !== TAB && byte !== RETURN) return false;
  }
  return true;
}

/**
 * A plain decimal number (`-12`, `4.5`) parsed from bytes; NaN for anything else (exponents,
 * hex, garbage), which the caller hands to `Number` for the exact JavaScript semantics.
 */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  let p = start;
  let negative = false;
  if (bytes[p] === 45) {
    negative = true;
    p++;
  }
  if (p === end || end - p > 15) return NaN;
  let value = 0;
  let digits = 0;
  for (; p < end; p++) {
    const digit = bytes[p] - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
    digits++;
  }
  if (p < end) {
    if (bytes[p] !== 46) return NaN; // '.'
    p++;
    let scale = 1;
    for (; p < end; p++) {
      const digit = bytes[p] - 48;
      if (digit < 0 || digit > 9) return NaN;
      value = value * 10 + digit;
      scale *= 10;
      digits++;
    }
    if (scale === 1 || digits > 15) return NaN;
    // one division of two exact integers: correctly rounded, as Number() would give
    value /= scale;
  }
  if (digits === 0) return NaN;
  return negative ? -value : value;
}
