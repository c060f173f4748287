import type { Tokenizer } from '../text/tokenizer';
import { ARROW_FILE } from './column-batches';
import { checkItemRecord, DataFormatError, decodeUtf8Line } from './loaders';
import { TokenStore, TokenStoreBuilder } from './token-store';

/** Options of {@link loadItemTokens}. */
export interface LoadItemTokensOptions {
  /** The tokenizer (for MARS: the model's settings, `stripHtml` and `stopwords`). */
  tokenizer: Tokenizer;
  /**
   * Where the tokenised items are cached: a file path (e.g. beside the items file or the model),
   * or `false` for no cache. Default: the user's cache folder (`$XDG_CACHE_HOME/mars-rec` or
   * `~/.cache/mars-rec`), one file per items file and tokenizer. The cache is used when the items
   * file's content hash (SHA-256) and the tokenizer's settings match, and rebuilt otherwise; it
   * is written to a temporary file and renamed, and a cache that cannot be written is skipped.
   */
  cache?: string | false;
  /** Called as items are read: items so far. */
  onProgress?: (items: number) => void;
}

/** What {@link loadItemTokens} returns. */
export interface LoadedItemTokens {
  /** The tokenised items. */
  store: TokenStore;
  /** Whether it came from the cache. */
  fromCache: boolean;
  /** The cache file used or written (undefined without one). */
  cachePath?: string;
}

const CHUNK_BYTES = 4 << 20;

/**
 * Loads and tokenises the items of an `items.jsonl` (one `{"id": ..., "text": ...}` a line, the
 * format of {@link loadItemsJsonl}), of an Arrow IPC file (`.arrow`, `.feather`; columns `id`,
 * `text`; needs the optional package `apache-arrow`) or of a `.parquet` file (columns `id`, `text`; needs
 * `@duckdb/node-api`) in one streaming pass: each text is tokenised as it is read and only its
 * word indices are kept ({@link TokenStore}, 4 bytes a token), never the texts. The result is
 * cached (see {@link LoadItemTokensOptions.cache}) and reused while the file and the tokenizer
 * are unchanged.
 *
 * @param path - the items file.
 * @param options - see {@link LoadItemTokensOptions}.
 * @throws DataFormatError naming the file and line (row) for invalid JSON, a missing or
 *   non-string field, or an id that appeared before (both lines named).
 */
export async function loadItemTokens(
  path: string,
  options: LoadItemTokensOptions,
): Promise<LoadedItemTokens> {
  const { createHash } = await import('node:crypto');
  const tokenizerJson = JSON.stringify(options.tokenizer.toJSON());
  const tokenizerKey = createHash('sha256').update(tokenizerJson).digest('hex').slice(0, 12);
  const cachePath =
    options.cache === false ? undefined : (options.cache ?? (await defaultCachePath(path, tokenizerKey)));
  const contentHash = await hashFile(path);
  if (cachePath) {
    const cached = await TokenStore.load(cachePath).catch(() => undefined);
    if (cached && cached.contentHash === contentHash && JSON.stringify(cached.tokenizer) === tokenizerJson) {
      return { store: cached, fromCache: true, cachePath };
    }
  }
  const builder = new TokenStoreBuilder(options.tokenizer);
  const lineOfItem: number[] = [];
  const add = (id: string, text: string, line: number): void => {
    const index = builder.add(id, text);
    if (index < 0) {
      const previous = lineOfItem[builder.indexOf(id)];
      throw new DataFormatError(path, line, `item id '${id}' already appeared on line ${previous}`);
    }
    lineOfItem.push(line);
    if (options.onProgress && (index & 1023) === 0) options.onProgress(index + 1);
  };
  if (/\.parquet$/i.test(path)) {
    const { readItemsParquet } = await import('./parquet-source');
    await readItemsParquet(path, add);
  } else if (ARROW_FILE.test(path)) {
    const { readItemsArrow } = await import('./arrow-source');
    await readItemsArrow(path, add);
  } else {
    await forEachJsonLine(path, (record, line) => {
      const { id, text } = checkItemRecord(record, path, line);
      add(id, text, line);
    });
  }
  const store = builder.finish(contentHash);
  if (cachePath) {
    const written = await store.save(cachePath).then(
      () => true,
      () => false,
    );
    return { store, fromCache: false, cachePath: written ? cachePath : undefined };
  }
  return { store, fromCache: false };
}

/** `<cache folder>/tokens/<file name>-<hash of its absolute path>-<tokenizer key>.tokens`. */
async function defaultCachePath(path: string, tokenizerKey: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const { homedir } = await import('node:os');
  const { basename, join, resolve } = await import('node:path');
  const { mkdir } = await import('node:fs/promises');
  const folder = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mars-rec', 'tokens');
  await mkdir(folder, { recursive: true }).catch(() => undefined);
  const where = createHash('sha256').update(resolve(path)).digest('hex').slice(0, 8);
  return join(folder, `${basename(path)}-${where}-${tokenizerKey}.tokens`);
}

/** SHA-256 of a file's bytes, hex. */
export async function hashFile(path: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const { createReadStream } = await import('node:fs');
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Calls `visit` with the parsed JSON of each non-blank line of a file, read in large chunks
 * (lines of any length), each decoded as strict UTF-8.
 * @throws DataFormatError naming the line for invalid UTF-8 (and the byte) or invalid JSON.
 */
export async function forEachJsonLine(
  path: string,
  visit: (record: unknown, line: number) => void,
): Promise<void> {
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let filled = 0;
    let fileOffset = 0;
    let line = 0;
    for (;;) {
      if (filled === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, filled);
        buffer = larger;
      }
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, fileOffset);
      fileOffset += bytesRead;
      const end = filled + bytesRead;
      const last = bytesRead === 0;
      let position =
        line === 0 && end >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
      while (position < end) {
        let newline = buffer.indexOf(10, position);
        if (newline < 0 || newline >= end) {
          if (!last) break;
          newline = end;
        }
        line++;
        const bom = line === 1 ? position : 0;
        const text = decodeUtf8Line(buffer.subarray(position, newline), path, line, bom).trim();
        position = newline + 1;
        if (text === '') continue;
        let record: unknown;
        try {
          record = JSON.parse(text);
        } catch (error) {
          throw new DataFormatError(path, line, `invalid JSON (${(error as Error).message})`);
        }
        visit(record, line);
      }
      if (last) return;
      position = Math.min(position, end);
      buffer.copy(buffer, 0, position, end);
      filled = end - position;
    }
  } finally {
    await handle.close();
  }
}
