// The one file that imports DuckDB (`@duckdb/node-api`, an optional peer dependency): Parquet
// input, and Parquet output for the scale bench and the tests.
import type * as DuckDBApi from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBInstance, DuckDBVector } from '@duckdb/node-api';
import { ColumnBatchIngester, keysFromInt64Words } from './column-batches';
import { DataFormatError } from './loaders';
import type { ReadInteractionsOptions, StreamedInteractions } from './streaming-csv';
import { writeFileAtomically } from './write-file-atomically';

/** Rows in a DuckDB data chunk (its standard vector size; a larger chunk grows the buffers). */
const DuckDBVectorSize = 2048;

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

/** Integer types DuckDB casts to BIGINT exactly (UBIGINT and HUGEINT can exceed it). */
const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER)$/i;

/**
 * The typed array behind a DuckDB vector of a fixed-width type, when this version of
 * `@duckdb/node-api` keeps one (it does as `items`; not part of its typed surface, so checked):
 * rows are then copied without a JavaScript value each. Undefined sends the caller to `getItem`.
 */
function rawItems<T>(vector: DuckDBVector, type: new (length: number) => T): T | undefined {
  const items = (vector as unknown as { items?: unknown }).items;
  return items instanceof type ? items : undefined;
}

/**
 * The validity bits of a DuckDB vector as 32-bit words (bit `k` of the whole set: row `k` is not
 * null), null when every row is valid, undefined when this version does not expose them.
 */
function rawValidity(vector: DuckDBVector): Uint32Array | null | undefined {
  const validity = (vector as unknown as { validity?: { data?: unknown; offset?: unknown } }).validity;
  if (!validity || validity.offset !== 0 || !littleEndian) return undefined;
  if (validity.data === null) return null;
  const data = validity.data;
  return data instanceof BigUint64Array
    ? new Uint32Array(data.buffer, data.byteOffset, data.length * 2)
    : undefined;
}

const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Fills `keys` with a vector's ids as numbers (see {@link InteractionBatch.userKeys}): from the
 * raw int64 words of a BIGINT vector, else NaN everywhere (the ids are then read one by one).
 */
function idKeys(vector: DuckDBVector, count: number, keys: Float64Array): void {
  const words = rawItems(vector, BigInt64Array);
  const validity = words ? rawValidity(vector) : undefined;
  if (!words || validity === undefined) {
    keys.fill(NaN, 0, count);
    return;
  }
  keysFromInt64Words(new Int32Array(words.buffer, words.byteOffset, count * 2), count, keys);
  if (validity)
    for (let k = 0; k < count; k++) if (((validity[k >>> 5] >>> (k & 31)) & 1) === 0) keys[k] = NaN;
}

/** Fills `values` from a DOUBLE vector (NULL already turned into NaN by the query). */
function doubles(vector: DuckDBVector, count: number, values: Float64Array): void {
  const items = rawItems(vector, Float64Array);
  if (items) values.set(items.subarray(0, count));
  else for (let k = 0; k < count; k++) values[k] = (vector.getItem(k) as number | null) ?? NaN;
}

/**
 * Reads interactions from a Parquet file through DuckDB, the columns `user`,
 * `item` and optionally `rating` and `timestamp` (names matched without case; integer or string
 * ids; timestamps as numbers of Unix seconds, TIMESTAMP or DATE). Only those columns are read
 * (projection pushdown), chunk by chunk, into the same compact columns as
 * {@link readInteractionsCsv}. DuckDB decodes the next chunk on its own threads while the
 * current one is interned, and integer ids are copied from DuckDB's vectors without a
 * JavaScript value each.
 *
 * @param path - a `.parquet` file (or a glob of them: anything DuckDB's `read_parquet` takes).
 * @param options - as for {@link readInteractionsCsv}.
 * @throws Error naming `@duckdb/node-api` when it is not installed; DataFormatError naming the
 *   file and row for a missing column, an empty user or item, or a floating-point id that is not
 *   an integer within 2^53.
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
    const ingester = new ColumnBatchIngester(path, options, {
      rowCount,
      timestamps: timestamp !== undefined,
      ratings: rating !== undefined,
    });
    const idOf = (column: ColumnInfo): string =>
      INTEGER_TYPES.test(column.type) ? `${quoteName(column.name)}::BIGINT` : quoteName(column.name);
    // user, item, then the optional columns the file has (NULL as NaN)
    const select = [
      idOf(user),
      idOf(item),
      ...(timestamp ? [`coalesce(${secondsOf(timestamp)}, 'NaN'::DOUBLE)`] : []),
      ...(rating ? [`coalesce(${quoteName(rating.name)}::DOUBLE, 'NaN'::DOUBLE)`] : []),
    ].join(', ');
    const result = await connection.stream(`SELECT ${select} FROM ${scan}`);
    const size = DuckDBVectorSize;
    const batch = {
      count: 0,
      userKeys: new Float64Array(size),
      itemKeys: new Float64Array(size),
      times: new Float64Array(size),
      ratings: new Float64Array(size),
      userAt: (_k: number): unknown => null,
      itemAt: (_k: number): unknown => null,
    };
    // the next chunk is decoded (on DuckDB's threads) while this one is interned
    let next = result.fetchChunk();
    for (;;) {
      const chunk = await next;
      if (!chunk || chunk.rowCount === 0) break;
      next = result.fetchChunk();
      const count = chunk.rowCount;
      if (count > batch.userKeys.length) {
        for (const key of ['userKeys', 'itemKeys', 'times', 'ratings'] as const)
          batch[key] = new Float64Array(count);
      }
      const userVector = chunk.getColumnVector(0);
      const itemVector = chunk.getColumnVector(1);
      batch.count = count;
      idKeys(userVector, count, batch.userKeys);
      idKeys(itemVector, count, batch.itemKeys);
      if (timestamp) doubles(chunk.getColumnVector(2), count, batch.times);
      else batch.times.fill(NaN, 0, count);
      if (rating) doubles(chunk.getColumnVector(timestamp ? 3 : 2), count, batch.ratings);
      else batch.ratings.fill(NaN, 0, count);
      batch.userAt = (k) => userVector.getItem(k);
      batch.itemAt = (k) => itemVector.getItem(k);
      ingester.add(batch);
      options.onProgress?.(ingester.rows, rowCount);
    }
    return ingester.finish();
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
 * @param target - the `.parquet` file to write (`writeFileAtomically`: a temporary file, then renamed).
 */
export async function convertToParquet(source: string, target: string): Promise<void> {
  const { instance, connection } = await connect();
  try {
    const read = /\.jsonl?$/i.test(source)
      ? `read_json(${literal(source)}, format = 'newline_delimited')`
      : `read_csv(${literal(source)}, header = true)`;
    await writeFileAtomically(target, async (temporary) => {
      await connection.run(`COPY (SELECT * FROM ${read}) TO ${literal(temporary)} (FORMAT parquet)`);
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
