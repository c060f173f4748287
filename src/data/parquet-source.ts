// The one file that imports DuckDB (`@duckdb/node-api`, an optional peer dependency): Parquet
// input, and Parquet output for the scale bench and the tests.
import type * as DuckDBApi from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { IdInterner } from './id-interner';
import { InteractionColumns } from './interaction-columns';
import { DataFormatError } from './loaders';
import type { ReadInteractionsOptions, StreamedInteractions } from './streaming-csv';
import { NumericUserBatch } from './user-batch';

type DuckDB = typeof DuckDBApi;

/** Loads DuckDB's Node API, or explains how to install it. */
async function duckdb(): Promise<DuckDB> {
  // a name in a variable: bundlers (a browser build of the library) leave the import to run time
  const packageName = '@duckdb/node-api';
  try {
    return (await import(/* @vite-ignore */ packageName)) as DuckDB;
  } catch (error) {
    throw new Error(
      `reading or writing Parquet needs the optional package @duckdb/node-api: run 'npm install @duckdb/node-api' ` +
        `(${(error as Error).message.split('\n')[0]})`,
    );
  }
}

async function connect(): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  const { DuckDBInstance } = await duckdb();
  const instance = await DuckDBInstance.create(':memory:');
  return { instance, connection: await instance.connect() };
}

/** A path as an SQL string literal. */
const literal = (path: string): string => `'${path.replace(/'/g, "''")}'`;

const scanOf = (path: string): string => `read_parquet(${literal(path)})`;

interface ColumnInfo {
  name: string;
  type: string;
}

async function describe(connection: DuckDBConnection, scan: string, path: string): Promise<ColumnInfo[]> {
  try {
    const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${scan}`);
    return reader.getRows().map((row) => ({ name: String(row[0]), type: String(row[1]) }));
  } catch (error) {
    throw new DataFormatError(
      path,
      1,
      `cannot be read as Parquet: ${(error as Error).message.split('\n')[0]}`,
    );
  }
}

const quoteName = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** SQL giving a column as Unix seconds (DOUBLE): timestamps and dates by `epoch`, numbers cast. */
function secondsOf(column: ColumnInfo): string {
  return /^(TIMESTAMP|DATE)/i.test(column.type)
    ? `epoch(${quoteName(column.name)})`
    : `${quoteName(column.name)}::DOUBLE`;
}

/** Interns an id value from DuckDB: a string, a number or a bigint. Returns -1 for null. */
function internValue(interner: IdInterner, value: unknown, add: boolean): number {
  if (typeof value === 'string') return add ? interner.internString(value) : (interner.indexOf(value) ?? -1);
  if (typeof value === 'number' || typeof value === 'bigint') {
    const number = Number(value);
    if (number >= 0 && number < 1e15 && Number.isInteger(number)) {
      return add ? interner.internNumber(number) : interner.findNumber(number);
    }
    const text = String(value);
    return add ? interner.internString(text) : (interner.indexOf(text) ?? -1);
  }
  return -1;
}

/**
 * Reads interactions from a Parquet file through DuckDB, the columns `user`,
 * `item` and optionally `rating` and `timestamp` (names matched without case; integer or string
 * ids; timestamps as numbers of Unix seconds, TIMESTAMP or DATE). Only those columns are read
 * (projection pushdown), chunk by chunk, into the same compact columns as
 * {@link readInteractionsCsv}.
 *
 * @param path - a `.parquet` file (or a glob of them: anything DuckDB's `read_parquet` takes).
 * @param options - as for {@link readInteractionsCsv}.
 * @throws Error naming `@duckdb/node-api` when it is not installed; DataFormatError naming the
 *   file and row for a missing column or an empty user or item.
 */
export async function readInteractionsParquet(
  path: string,
  options: ReadInteractionsOptions = {},
): Promise<StreamedInteractions> {
  const { instance, connection } = await connect();
  try {
    const scan = scanOf(path);
    const columns = await describe(connection, scan, path);
    const find = (name: string): ColumnInfo | undefined =>
      columns.find((column) => column.name.toLowerCase() === name);
    const user = find('user');
    const item = find('item');
    if (!user || !item) {
      throw new DataFormatError(
        path,
        1,
        `the file must have the columns user,item[,rating,timestamp]; got ${columns.map((c) => c.name).join(',')}`,
      );
    }
    const rating = find('rating');
    const timestamp = find('timestamp');
    const rowCount = Number(
      (await connection.runAndReadAll(`SELECT count(*) FROM ${scan}`)).getRows()[0][0] as bigint,
    );
    const keepRatings = rating !== undefined && (options.keepRatings ?? true);
    const output = new InteractionColumns({
      capacity: rowCount,
      ratings: keepRatings,
      timestamps: timestamp !== undefined,
    });
    const users = options.users ?? new IdInterner();
    const lookupItems = options.items !== undefined;
    const items = options.items ?? new IdInterner();
    const select = [
      quoteName(user.name),
      quoteName(item.name),
      timestamp ? secondsOf(timestamp) : 'NULL::DOUBLE',
      rating ? `${quoteName(rating.name)}::DOUBLE` : 'NULL::DOUBLE',
    ].join(', ');
    const batch = new NumericUserBatch(users, output);
    const result = await connection.stream(`SELECT ${select} FROM ${scan}`);
    let row = 0;
    let unknown = 0;
    let belowMinRating = 0;
    const { minRating } = options;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const count = chunk.rowCount;
      const userVector = chunk.getColumnVector(0);
      const itemVector = chunk.getColumnVector(1);
      const timeVector = chunk.getColumnVector(2);
      const ratingVector = chunk.getColumnVector(3);
      for (let k = 0; k < count; k++) {
        row++;
        const ratingValue = (ratingVector.getItem(k) as number | null) ?? NaN;
        if (minRating !== undefined && ratingValue < minRating) {
          belowMinRating++;
          continue;
        }
        const itemValue = itemVector.getItem(k);
        const itemIndex = internValue(items, itemValue, !lookupItems);
        if (itemIndex < 0) {
          if (itemValue === null) throw new DataFormatError(path, row, 'empty item field');
          if (options.onUnknownItem === 'error')
            throw new DataFormatError(path, row, `item '${String(itemValue)}' is not among the items`);
          unknown++;
          continue;
        }
        const userValue = userVector.getItem(k);
        const time = (timeVector.getItem(k) as number | null) ?? NaN;
        const number =
          typeof userValue === 'bigint' || typeof userValue === 'number' ? Number(userValue) : -1;
        if (users.isNumeric && number >= 0 && number < 1e15 && Number.isInteger(number)) {
          batch.push(number, itemIndex, time, ratingValue);
          continue;
        }
        batch.flush();
        const userIndex = internValue(users, userValue, true);
        if (userIndex < 0) throw new DataFormatError(path, row, 'empty user field');
        output.push(userIndex, itemIndex, time, ratingValue);
      }
      options.onProgress?.(row, rowCount);
    }
    batch.flush();
    return { columns: output, users, items, rows: row, unknownItemInteractions: unknown, belowMinRating };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * Reads items from a Parquet file with the columns `id` and `text` (names matched
 * without case), calling `visit` for each row in file order (1-based row numbers).
 * @throws DataFormatError naming the file and row for a missing column, id or text.
 */
export async function readItemsParquet(
  path: string,
  visit: (id: string, text: string, row: number) => void,
): Promise<void> {
  const { instance, connection } = await connect();
  try {
    const scan = scanOf(path);
    const columns = await describe(connection, scan, path);
    const id = columns.find((column) => column.name.toLowerCase() === 'id');
    const text = columns.find((column) => column.name.toLowerCase() === 'text');
    if (!id || !text) {
      throw new DataFormatError(
        path,
        1,
        `the file must have the columns id,text; got ${columns.map((c) => c.name).join(',')}`,
      );
    }
    const result = await connection.stream(
      `SELECT ${quoteName(id.name)}::VARCHAR, ${quoteName(text.name)}::VARCHAR FROM ${scan}`,
    );
    let row = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const ids = chunk.getColumnVector(0);
      const texts = chunk.getColumnVector(1);
      for (let k = 0; k < chunk.rowCount; k++) {
        row++;
        const itemId = ids.getItem(k) as string | null;
        if (itemId === null || itemId === '') throw new DataFormatError(path, row, 'field "id" is empty');
        const itemText = texts.getItem(k) as string | null;
        if (itemText === null)
          throw new DataFormatError(
            path,
            row,
            `field "text" of item '${itemId}' is null; use '' for no text`,
          );
        visit(itemId, itemText, row);
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * Writes a Parquet file from a CSV or JSON-lines file through DuckDB (used by the scale bench
 * and the tests to make Parquet inputs): `COPY (SELECT * FROM source) TO target`.
 * @param source - a `.csv` or `.jsonl` file.
 * @param target - the `.parquet` file to write (to a temporary name, then renamed).
 */
export async function convertToParquet(source: string, target: string): Promise<void> {
  const { rename } = await import('node:fs/promises');
  const { instance, connection } = await connect();
  const temporary = `${target}.tmp-${process.pid}.parquet`;
  try {
    const read = /\.jsonl?$/i.test(source)
      ? `read_json(${literal(source)}, format = 'newline_delimited')`
      : `read_csv(${literal(source)}, header = true)`;
    await connection.run(`COPY (SELECT * FROM ${read}) TO ${literal(temporary)} (FORMAT parquet)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  await rename(temporary, target);
}
