/** What {@link writeFileAtomically} writes: text (UTF-8), bytes, or a writer of the temporary file. */
export type AtomicFileContent = string | Uint8Array | ((temporary: string) => Promise<void>);

/**
 * Writes a file so that a crash leaves either the old file or the new one, never a part: the
 * content goes to a temporary file beside `path` (`<path>.tmp-<pid>-<random>`), is flushed to
 * disk, and is renamed over `path`; on failure the temporary file is removed and `path` is left
 * as it was. Every single-file writer of mars-rec goes through it. Node only (`node:fs` is
 * loaded on the first call).
 * @param content - the text or bytes, or a writer that fills the temporary file at the path it
 *   is given (closing what it opens); it is flushed to disk afterwards.
 */
export async function writeFileAtomically(path: string, content: AtomicFileContent): Promise<void> {
  const { open, rename, rm } = await import('node:fs/promises');
  const temporary = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    if (typeof content === 'function') await content(temporary);
    const file = await open(temporary, typeof content === 'function' ? 'r+' : 'w');
    try {
      if (typeof content !== 'function') await file.writeFile(content);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
