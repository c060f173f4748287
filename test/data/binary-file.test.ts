import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBinaryFile, readBinaryFile, writeBinaryFile } from '../../src/data/binary-file';

const folders: string[] = [];
afterAll(async () => {
  for (const path of folders) await rm(path, { recursive: true, force: true });
});

describe('parseBinaryFile', () => {
  it('gives from bytes in memory what readBinaryFile gives from the file, wherever the bytes start', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'mars-rec-binary-'));
    folders.push(directory);
    const path = join(directory, 'columns.bin');
    const columns = {
      offsets: Int32Array.from([0, 2, 5]),
      scores: Float64Array.from([0.5, -1.25, 3]),
      flags: Uint8Array.from([1, 0, 1]),
    };
    await writeBinaryFile(path, { kind: 'test' }, columns);
    const bytes = new Uint8Array(await readFile(path));
    // the same bytes 3 bytes into a larger buffer: views cannot start there for Float64Array
    const shifted = new Uint8Array(bytes.length + 3).subarray(3);
    shifted.set(bytes);
    for (const contents of [
      await readBinaryFile(path),
      parseBinaryFile(bytes, path),
      parseBinaryFile(shifted, path),
    ]) {
      expect(contents.meta).toEqual({ kind: 'test' });
      expect(Array.from(contents.columns.offsets)).toEqual([0, 2, 5]);
      expect(Array.from(contents.columns.scores)).toEqual([0.5, -1.25, 3]);
      expect(Array.from(contents.columns.flags)).toEqual([1, 0, 1]);
    }
    expect(() => parseBinaryFile(bytes.slice(0, bytes.length - 4), path)).toThrow(/cut short/);
    expect(() => parseBinaryFile(new Uint8Array(16), path)).toThrow(/not a mars-rec binary file/);
  });
});
