// The one file that imports Apache Arrow (`apache-arrow`, an optional peer dependency): Arrow IPC
// input (the file format, `.arrow` / `.feather` v2, and the stream format), record batch by
// record batch.
import type * as ArrowApi from 'apache-arrow';
import type { Data, RecordBatch, Schema, Vector } from 'apache-arrow';
import { ColumnBatchIngester, keysFromInt64Words, keysFromIntegers } from './column-batches';
import type { InteractionBatch } from './column-batches';
import { DataFormatError } from './loaders';
import type { ReadInteractionsOptions, StreamedInteractions } from './streaming-csv';

type Arrow = typeof ArrowApi;

/** Loads Apache Arrow, or explains how to install it. */
async function arrow(): Promise<Arrow> {
  // a name in a variable: bundlers (a browser build of the library) leave the import to run time
  const packageName = 'apache-arrow';
  try {
    return (await import(/* @vite-ignore */ packageName)) as Arrow;
  } catch (error) {
    throw new Error(
      `reading Arrow IPC files needs the optional package apache-arrow: run 'npm install apache-arrow' ` +
        `(${(error as Error).message.split('\n')[0]})`,
    );
  }
}

/** An open Arrow IPC file: its schema and record batches, read one at a time. */
interface OpenedArrow {
  api: Arrow;
  schema: Schema;
  batches: AsyncIterable<RecordBatch>;
  close(): Promise<void>;
}

async function openArrow(path: string): Promise<OpenedArrow> {
  const api = await arrow();
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'r');
  try {
    const reader = await api.RecordBatchReader.from(handle);
    await reader.open();
    return {
      api,
      schema: reader.schema,
      batches: reader,
      close: async () => {
        await reader.cancel();
        await handle.close().catch(() => undefined);
      },
    };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw new DataFormatError(
      path,
      1,
      `cannot be read as an Arrow IPC file: ${(error as Error).message.split('\n')[0]}`,
    );
  }
}

/** The index of the field named `name` (without case), or -1. */
function fieldIndex(schema: Schema, name: string): number {
  return schema.fields.findIndex((field) => field.name.toLowerCase() === name);
}

/** The single data chunk of a record batch's column (batches from IPC have one), unsliced. */
function plainData(vector: Vector): Data | undefined {
  const data = vector.data.length === 1 ? vector.data[0] : undefined;
  return data && data.offset === 0 ? data : undefined;
}

/** Whether row `k` of `data` is null. */
function isNull(data: Data, k: number): boolean {
  const bitmap = data.nullBitmap;
  return (
    data.nullCount > 0 && bitmap !== undefined && bitmap.length > 0 && ((bitmap[k >> 3] >> (k & 7)) & 1) === 0
  );
}

/** Ids of an integer column as numbers (see {@link InteractionBatch.userKeys}); NaN elsewhere. */
function idKeys(api: Arrow, vector: Vector, count: number, keys: Float64Array): void {
  const data = plainData(vector);
  if (!data || !api.DataType.isInt(data.type)) {
    keys.fill(NaN, 0, count);
    return;
  }
  const values = data.values as ArrayLike<number> | BigInt64Array | BigUint64Array;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    keysFromInt64Words(new Int32Array(values.buffer, values.byteOffset, count * 2), count, keys);
  } else keysFromIntegers(values, count, keys);
  if (data.nullCount > 0) for (let k = 0; k < count; k++) if (isNull(data, k)) keys[k] = NaN;
}

/** Divisors from a TIMESTAMP's unit (second, millisecond, microsecond, nanosecond) to seconds. */
const SECONDS_PER_UNIT = [1, 1e3, 1e6, 1e9];

/**
 * A numeric column as float64 (NaN for null): integers, floats, and for timestamps TIMESTAMP
 * (any unit) and DATE, in Unix seconds.
 * @throws DataFormatError for any other type.
 */
function numbers(
  api: Arrow,
  vector: Vector,
  count: number,
  out: Float64Array,
  what: string,
  path: string,
): void {
  const data = plainData(vector);
  const type = vector.type;
  // seconds = value * multiplier / divisor (a division, exact where the seconds are whole)
  let multiplier = 1;
  let divisor = 1;
  if (api.DataType.isTimestamp(type)) divisor = SECONDS_PER_UNIT[type.unit];
  else if (api.DataType.isDate(type)) {
    if (type.unit === api.DateUnit.DAY) multiplier = 86_400;
    else divisor = 1000;
  } else if (!api.DataType.isInt(type) && !api.DataType.isFloat(type)) {
    throw new DataFormatError(path, 1, `column "${what}" has type ${String(type)}; expected numbers`);
  }
  const values = data?.values as ArrayLike<number> | BigInt64Array | BigUint64Array | undefined;
  if (!data || !values || (api.DataType.isFloat(type) && type.precision === api.Precision.HALF)) {
    // value by value: Arrow gives numbers, bigints, and for TIMESTAMP and DATE milliseconds
    const milliseconds = !api.DataType.isInt(type) && !api.DataType.isFloat(type);
    for (let k = 0; k < count; k++) {
      const value = vector.get(k) as unknown;
      if (value === null || value === undefined) out[k] = NaN;
      else if (value instanceof Date) out[k] = value.getTime() / 1000;
      else out[k] = milliseconds ? Number(value) / 1000 : Number(value);
    }
    return;
  }
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    // int64 as two int32 words: exact within 2^53, no BigInt a value
    const words = new Int32Array(values.buffer, values.byteOffset, count * 2);
    const unsigned = values instanceof BigUint64Array;
    for (let k = 0; k < count; k++) {
      const high = unsigned ? words[2 * k + 1] >>> 0 : words[2 * k + 1];
      out[k] = ((high * 4294967296 + (words[2 * k] >>> 0)) * multiplier) / divisor;
    }
  } else for (let k = 0; k < count; k++) out[k] = (values[k] * multiplier) / divisor;
  if (data.nullCount > 0) for (let k = 0; k < count; k++) if (isNull(data, k)) out[k] = NaN;
}

/**
 * Reads interactions from an Arrow IPC file (`.arrow`, `.feather` v2, or the stream format)
 * through Apache Arrow (`apache-arrow`, an optional peer dependency), record batch by record
 * batch: the columns `user`, `item` and optionally `rating` and `timestamp` (names matched
 * without case; integer or string ids, dictionary-encoded too; timestamps as numbers of Unix
 * seconds, TIMESTAMP or DATE), into the same compact columns as {@link readInteractionsCsv}.
 * Integer ids are copied from the batches' buffers without a JavaScript value each.
 *
 * @param path - the Arrow IPC file.
 * @param options - as for {@link readInteractionsCsv}.
 * @throws Error naming `apache-arrow` when it is not installed; DataFormatError naming the file
 *   (and row) for a file that is not Arrow IPC, a missing column, an empty user or item, or a
 *   floating-point id that is not an integer within 2^53.
 */
export async function readInteractionsArrow(
  path: string,
  options: ReadInteractionsOptions = {},
): Promise<StreamedInteractions> {
  const { stat } = await import('node:fs/promises');
  const fileBytes = (await stat(path)).size;
  const { api, schema, batches, close } = await openArrow(path);
  try {
    const user = fieldIndex(schema, 'user');
    const item = fieldIndex(schema, 'item');
    if (user < 0 || item < 0) {
      throw new DataFormatError(
        path,
        1,
        `the file must have the columns user,item[,rating,timestamp]; got ${schema.fields.map((f) => f.name).join(',')}`,
      );
    }
    const rating = fieldIndex(schema, 'rating');
    const timestamp = fieldIndex(schema, 'timestamp');
    const ingester = new ColumnBatchIngester(path, options, {
      // at least 8 bytes a row (two 32-bit ids): a generous reservation, not resident until used
      rowCount: Math.min(fileBytes / 8, 2 ** 31 - 1),
      timestamps: timestamp >= 0,
      ratings: rating >= 0,
    });
    let buffers = new Float64Array(0);
    for await (const recordBatch of batches) {
      const count = recordBatch.numRows;
      if (count === 0) continue;
      if (buffers.length < 4 * count) buffers = new Float64Array(4 * count);
      const users = recordBatch.getChildAt(user) as Vector;
      const items = recordBatch.getChildAt(item) as Vector;
      const batch: InteractionBatch = {
        count,
        userKeys: buffers.subarray(0, count),
        itemKeys: buffers.subarray(count, 2 * count),
        times: buffers.subarray(2 * count, 3 * count),
        ratings: buffers.subarray(3 * count, 4 * count),
        userAt: (k) => users.get(k) as unknown,
        itemAt: (k) => items.get(k) as unknown,
      };
      idKeys(api, users, count, batch.userKeys);
      idKeys(api, items, count, batch.itemKeys);
      if (timestamp >= 0)
        numbers(api, recordBatch.getChildAt(timestamp) as Vector, count, batch.times, 'timestamp', path);
      else batch.times.fill(NaN);
      if (rating >= 0)
        numbers(api, recordBatch.getChildAt(rating) as Vector, count, batch.ratings, 'rating', path);
      else batch.ratings.fill(NaN);
      ingester.add(batch);
      options.onProgress?.(ingester.rows, 0);
    }
    return ingester.finish();
  } finally {
    await close();
  }
}

/**
 * Reads items from an Arrow IPC file with the columns `id` and `text` (names matched without
 * case), calling `visit` for each row in file order (1-based row numbers).
 * @throws Error naming `apache-arrow` when it is not installed; DataFormatError naming the file
 *   and row for a missing column, id or text, or a floating-point id that is not an integer
 *   within 2^53.
 */
export async function readItemsArrow(
  path: string,
  visit: (id: string, text: string, row: number) => void,
): Promise<void> {
  const { schema, batches, close } = await openArrow(path);
  try {
    const id = fieldIndex(schema, 'id');
    const text = fieldIndex(schema, 'text');
    if (id < 0 || text < 0) {
      throw new DataFormatError(
        path,
        1,
        `the file must have the columns id,text; got ${schema.fields.map((f) => f.name).join(',')}`,
      );
    }
    let row = 0;
    for await (const recordBatch of batches) {
      const ids = recordBatch.getChildAt(id) as Vector;
      const texts = recordBatch.getChildAt(text) as Vector;
      for (let k = 0; k < recordBatch.numRows; k++) {
        row++;
        const value = ids.get(k) as unknown;
        if (typeof value === 'number' && !Number.isSafeInteger(value)) {
          throw new DataFormatError(
            path,
            row,
            `field "id" is ${value}, not an integer within 2^53 (neighbouring ids would merge); store ids as integers or strings`,
          );
        }
        const itemId = value === null || value === undefined ? '' : String(value);
        if (itemId === '') throw new DataFormatError(path, row, 'field "id" is empty');
        const itemText = texts.get(k) as unknown;
        if (typeof itemText !== 'string') {
          throw new DataFormatError(
            path,
            row,
            `field "text" of item '${itemId}' is ${itemText === null ? 'null' : typeof itemText}; use '' for no text`,
          );
        }
        visit(itemId, itemText, row);
      }
    }
  } finally {
    await close();
  }
}
