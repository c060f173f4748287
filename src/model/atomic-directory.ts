// Node-only: `node:fs` and `node:path` are imported when a function runs, so a browser bundle
// that never calls them never loads them.

/** Options of {@link writeDirectoryAtomically}. */
export interface AtomicDirectoryOptions {
  /**
   * Called with the existing target directory before anything is written, when it exists and
   * is not empty; throw to refuse replacing it (say what it holds and how to proceed). Default:
   * replace any directory.
   */
  checkReplaceable?: (directory: string) => Promise<void>;
}

/** What {@link settleDirectory} found and did. */
export interface DirectorySettlement {
  /**
   * `'clean'`: nothing was left over from an interrupted write; `'completed'`: a complete new
   * version was waiting and was moved into place; `'restored'`: the target was missing and its
   * previous version, waiting aside, was put back; `'cleaned'`: only leftovers (an old version
   * after the swap, staging directories of writers no longer running) were removed.
   */
  outcome: 'clean' | 'completed' | 'restored' | 'cleaned';
  /**
   * The directory that holds the complete current version: the target, or, where the
   * process may not rename (a read-only model directory), the waiting version it would have
   * moved into place. Undefined when there is none.
   */
  location: string | undefined;
}

/** Where the pieces of an atomic write of `target` live, beside it in the same parent directory. */
export function atomicDirectoryPaths(target: string): {
  /** A complete new version, waiting to be moved into place. */
  ready: string;
  /** The previous version, moved aside while the new one moves in. */
  previous: string;
  /** Prefix of the staging directories (`<prefix><pid>-<random>`) writers fill. */
  stagingPrefix: string;
} {
  const base = target.replace(/[\\/]+$/, '');
  return {
    ready: `${base}.mars-rec-ready`,
    previous: `${base}.mars-rec-previous`,
    stagingPrefix: `${base}.mars-rec-partial-`,
  };
}

/**
 * Writes a directory so that a crash at any point leaves either the previous version or the
 * new one, complete, at `target` (after {@link settleDirectory}, which every mars-rec reader
 * and writer calls first):
 *
 * 1. `write` fills a staging directory beside the target (`<target>.mars-rec-partial-<pid>-<random>`);
 *    the files are flushed to disk (fsync);
 * 2. the staging directory is renamed to `<target>.mars-rec-ready` (the new version is complete);
 * 3. the target, if any, is renamed aside to `<target>.mars-rec-previous`;
 * 4. `<target>.mars-rec-ready` is renamed to the target;
 * 5. the previous version is deleted.
 *
 * A crash before 2 leaves the target untouched (the staging directory is removed later, once
 * its writer's process is gone); after 2, settling completes the swap. A directory cannot be
 * renamed over a non-empty one, hence the rename aside. One writer per target at a time.
 *
 * @param target - the directory to create or replace; its parent is created if missing.
 * @param write - fills the staging directory it is given (an absolute path); if it throws, the
 *   staging directory is removed and the target stays as it was.
 */
export async function writeDirectoryAtomically(
  target: string,
  write: (staging: string) => Promise<void>,
  options: AtomicDirectoryOptions = {},
): Promise<void> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const absolute = path.resolve(target);
  await settleDirectory(absolute);
  const existing = await fs.stat(absolute).catch(notFound);
  if (existing && !existing.isDirectory())
    throw new Error(`'${target}' exists and is not a directory; remove it or choose another path`);
  if (existing && options.checkReplaceable && (await fs.readdir(absolute)).length > 0)
    await options.checkReplaceable(absolute);
  const parent = path.dirname(absolute);
  await fs.mkdir(parent, { recursive: true });
  const { ready, stagingPrefix } = atomicDirectoryPaths(absolute);
  const staging = `${stagingPrefix}${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  await fs.mkdir(staging);
  try {
    await write(staging);
    await syncTree(staging);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  }
  try {
    await fs.rename(staging, ready);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw new Error(
      `Cannot move the new '${target}' into place (${(error as Error).message}); is another process writing it?`,
    );
  }
  await syncDirectory(parent);
  await settleDirectory(absolute);
}

/**
 * Finishes or undoes an interrupted {@link writeDirectoryAtomically} of `target`: moves a
 * complete new version into place, puts a previous version back when the target is missing,
 * removes an old version left after the swap and the staging directories of writers that are
 * no longer running. Safe to call at any time and from several processes; a no-op (`'clean'`)
 * when nothing was interrupted.
 */
export async function settleDirectory(target: string): Promise<DirectorySettlement> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const absolute = path.resolve(target);
  const { ready, previous } = atomicDirectoryPaths(absolute);
  let outcome: DirectorySettlement['outcome'] = 'clean';
  // each pass makes one step; a step another process made first shows as a missing path
  for (let pass = 0; pass < 8; pass++) {
    const [hasTarget, hasReady, hasPrevious] = await Promise.all(
      [absolute, ready, previous].map((where) => exists(where)),
    );
    try {
      if (hasReady) {
        if (hasTarget && hasPrevious) await fs.rm(previous, { recursive: true, force: true });
        else if (hasTarget) await fs.rename(absolute, previous);
        else {
          await fs.rename(ready, absolute);
          await syncDirectory(path.dirname(absolute));
          outcome = 'completed';
        }
      } else if (hasPrevious) {
        if (hasTarget) {
          await fs.rm(previous, { recursive: true, force: true });
          if (outcome === 'clean') outcome = 'cleaned';
        } else {
          await fs.rename(previous, absolute);
          await syncDirectory(path.dirname(absolute));
          outcome = 'restored';
        }
      } else {
        if ((await removeDeadStaging(absolute)) && outcome === 'clean') outcome = 'cleaned';
        return { outcome, location: hasTarget ? absolute : undefined };
      }
    } catch (error) {
      if (isRaceError(error)) continue;
      if (!isPermissionError(error)) throw error;
      // a reader that may not rename here: the complete version is where the swap stopped
      return { outcome, location: hasReady ? ready : hasTarget ? absolute : previous };
    }
  }
  throw new Error(`Cannot settle '${target}': its pieces keep moving; is another process writing it?`);
}

/** Removes staging directories of `target` whose writer process is gone; true if any was. */
async function removeDeadStaging(target: string): Promise<boolean> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const { stagingPrefix } = atomicDirectoryPaths(target);
  const parent = path.dirname(stagingPrefix);
  const prefix = path.basename(stagingPrefix);
  const names = await fs.readdir(parent).catch(() => [] as string[]);
  let removed = false;
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || processIsAlive(pid)) continue;
    try {
      await fs.rm(path.join(parent, name), { recursive: true, force: true });
      removed = true;
    } catch (error) {
      if (!isPermissionError(error)) throw error; // another owner's leftovers stay
    }
  }
  return removed;
}

function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}

/** Flushes every file and directory under `directory` to disk. */
async function syncTree(directory: string): Promise<void> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  for (const entry of await fs.readdir(directory, { withFileTypes: true })) {
    const child = path.join(directory, entry.name);
    if (entry.isDirectory()) await syncTree(child);
    else if (entry.isFile()) {
      const handle = await fs.open(child, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }
  await syncDirectory(directory);
}

/** fsync of a directory (its entries); a no-op where the platform cannot open directories. */
async function syncDirectory(directory: string): Promise<void> {
  const fs = await import('node:fs/promises');
  let handle: Awaited<ReturnType<typeof fs.open>> | undefined;
  try {
    handle = await fs.open(directory, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open or fsync a directory; renames there are durable without it
  } finally {
    await handle?.close();
  }
}

async function exists(where: string): Promise<boolean> {
  const fs = await import('node:fs/promises');
  return (await fs.lstat(where).catch(notFound)) !== undefined;
}

function notFound(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT') return undefined;
  throw error;
}

/** The process may not change the directory (read-only file system, another owner). */
function isPermissionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
}

/** An error of a step that another process made first (the path moved or appeared meanwhile). */
function isRaceError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EEXIST' || code === 'ENOTEMPTY';
}
