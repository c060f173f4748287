import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomically } from '../../src/data/write-file-atomically';

const folders: string[] = [];
async function folder(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'mars-rec-atomic-'));
  folders.push(path);
  return path;
}
afterAll(async () => {
  for (const path of folders) await rm(path, { recursive: true, force: true });
});

describe('writeFileAtomically', () => {
  it('replaces a file with text, bytes, or what a writer put in the temporary file', async () => {
    const directory = await folder();
    const path = join(directory, 'out.txt');
    await writeFileAtomically(path, 'first');
    expect(await readFile(path, 'utf8')).toBe('first');
    await writeFileAtomically(path, new TextEncoder().encode('sécond'));
    expect(await readFile(path, 'utf8')).toBe('sécond');
    await writeFileAtomically(path, (temporary) => writeFile(temporary, 'third'));
    expect(await readFile(path, 'utf8')).toBe('third');
    expect(await readdir(directory)).toEqual(['out.txt']);
  });

  it('leaves the old file and no temporary file when the writer fails', async () => {
    const directory = await folder();
    const path = join(directory, 'out.txt');
    await writeFile(path, 'old');
    const failing = async (temporary: string): Promise<void> => {
      await writeFile(temporary, 'half');
      throw new Error('disk full');
    };
    await expect(writeFileAtomically(path, failing)).rejects.toThrow('disk full');
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(directory)).toEqual(['out.txt']);
  });

  it('fails naming the path when its folder does not exist', async () => {
    const path = join(await folder(), 'missing', 'out.txt');
    await expect(writeFileAtomically(path, 'x')).rejects.toThrow(/missing\/out\.txt\.tmp-/);
  });
});
