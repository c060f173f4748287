import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataFormatError, loadInteractionsCsv, loadItemsJsonl } from '../../src/data/loaders';

// Generated files for the two loaders of `mars-rec train`: each either loads to exactly the
// records it was made from, or fails with a DataFormatError that names the first bad line, as
// an independent reading of the format predicts. No crash of another kind, no hang.

/** Line number (1-based) of the first line items.jsonl must refuse, or 0 when none. */
function firstBadItemLine(lines: string[]): number {
  const seen = new Set<string>();
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return index + 1;
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) return index + 1;
    const { id, text } = record as { id?: unknown; text?: unknown };
    const itemId = typeof id === 'number' ? String(id) : id;
    if (typeof itemId !== 'string' || itemId === '' || typeof text !== 'string' || seen.has(itemId))
      return index + 1;
    seen.add(itemId);
  }
  return 0;
}

const anyJson = fc.jsonValue({ maxDepth: 2 });
const itemLine = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record({ id: fc.string({ minLength: 1, maxLength: 6 }), text: fc.string() })
      .map((r) => JSON.stringify(r)),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ id: fc.oneof(anyJson, fc.integer()), text: anyJson }, { requiredKeys: [] })
      .map((r) => JSON.stringify(r)),
  },
  { weight: 1, arbitrary: anyJson.map((value) => JSON.stringify(value) ?? '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '   ',
      '{',
      '{"id": "a", "text": "b"',
      '\u0000',
      '{"id":"a","text":"b"}\r',
    ),
  },
);

describe('loadItemsJsonl under generated files', () => {
  it('loads exactly the items, or names the first bad line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(itemLine, { maxLength: 30 }), async (lines) => {
        const bad = firstBadItemLine(lines);
        const loading = loadItemsJsonl(lines);
        if (bad === 0) {
          const items = await loading;
          const expected = lines
            .filter((line) => line.trim() !== '')
            .map((line) => JSON.parse(line) as { id: string | number; text: string })
            .map((record) => ({ id: String(record.id), text: record.text }));
          expect(items).toEqual(expected);
        } else {
          const error = (await loading.then(
            () => undefined,
            (caught: unknown) => caught,
          )) as DataFormatError;
          expect(error).toBeInstanceOf(DataFormatError);
          expect(error.line).toBe(bad);
          expect(error.message).toMatch(new RegExp(`^<input>:${bad}: `));
        }
      }),
      { numRuns: 400, seed: 11 },
    );
  });
});

/** One CSV field written so that it reads back as `value` (RFC 4180 quoting when needed). */
function csvField(value: string): string {
  return /[",]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

interface Row {
  user: string;
  item: string;
  rating?: number;
  timestamp?: number;
}

const idText = fc
  .string({ minLength: 1, maxLength: 8 })
  .filter((text) => text.trim() !== '' && !/[\r\n]/.test(text));
const row = fc.record(
  {
    user: idText,
    item: idText,
    rating: fc.integer({ min: 1, max: 5 }),
    timestamp: fc.integer({ min: 0, max: 2e9 }),
  },
  { requiredKeys: ['user', 'item'] },
);
type Corruption = 'field count' | 'open quote' | 'empty user' | 'rating' | 'timestamp';
const corruption = fc.constantFrom<Corruption>(
  'field count',
  'open quote',
  'empty user',
  'rating',
  'timestamp',
);

function rowLine(columns: string[], record: Row): string {
  return columns
    .map((column) => {
      const value = record[column as keyof Row];
      return value === undefined ? '' : csvField(String(value));
    })
    .join(',');
}

describe('loadInteractionsCsv under generated files', () => {
  const header = fc
    .shuffledSubarray(['rating', 'timestamp'])
    .chain((optional) =>
      fc.shuffledSubarray(['user', 'item', ...optional], { minLength: 2 + optional.length }),
    );

  it('reads back every row of a well-formed file, whatever the column order and quoting', async () => {
    await fc.assert(
      fc.asyncProperty(header, fc.array(row, { maxLength: 25 }), async (columns, rows) => {
        const lines = [columns.join(','), ...rows.map((record) => rowLine(columns, record))];
        const records = await loadInteractionsCsv(lines);
        const expected = rows.map((record) => {
          const kept: Row = { user: record.user.trim(), item: record.item.trim() };
          if (columns.includes('rating') && record.rating !== undefined) kept.rating = record.rating;
          if (columns.includes('timestamp') && record.timestamp !== undefined)
            kept.timestamp = record.timestamp;
          return kept;
        });
        expect(records).toEqual(expected);
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('names the line and the problem of a corrupted row', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 20 }),
        fc.nat(),
        corruption,
        async (rows, at, kind) => {
          const columns = ['user', 'item', 'rating', 'timestamp'];
          const lines = ['user,item,rating,timestamp', ...rows.map((record) => rowLine(columns, record))];
          const index = 1 + (at % rows.length);
          const record = { rating: 3, timestamp: 7, ...rows[index - 1] };
          lines[index] = {
            'field count': `${rowLine(columns, record)},extra`,
            'open quote': `${csvField(record.user)},"unclosed,3,7`,
            'empty user': rowLine(columns, { ...record, user: ' ' }),
            rating: `${csvField(record.user)},${csvField(record.item)},five,7`,
            timestamp: `${csvField(record.user)},${csvField(record.item)},3,yesterday`,
          }[kind];
          const error = (await loadInteractionsCsv(lines).then(
            () => undefined,
            (caught: unknown) => caught,
          )) as DataFormatError;
          expect(error).toBeInstanceOf(DataFormatError);
          expect(error.line).toBe(index + 1);
          const named = {
            'field count': /fields/,
            'open quote': /quote/,
            'empty user': /user/,
            rating: /rating/,
            timestamp: /timestamp/,
          }[kind];
          expect(error.message).toMatch(named);
        },
      ),
      { numRuns: 300, seed: 9 },
    );
  });

  it('never fails with anything but a DataFormatError on arbitrary text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 30 }), { maxLength: 20 }), async (lines) => {
        await loadInteractionsCsv(['user,item,rating', ...lines]).catch((error: unknown) => {
          expect(error).toBeInstanceOf(DataFormatError);
          const line = (error as DataFormatError).line;
          expect(line).toBeGreaterThanOrEqual(2);
          expect(line).toBeLessThanOrEqual(lines.length + 1);
        });
      }),
      { numRuns: 300, seed: 2 },
    );
  });
});
