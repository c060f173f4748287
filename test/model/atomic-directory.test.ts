import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  atomicDirectoryPaths,
  settleDirectory,
  writeDirectoryAtomically,
} from '../../src/model/atomic-directory';

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'mars-atomic-'));
}

/** A directory holding one file `version` with the given text. */
function version(path: string, text: string): void {
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'version'), text);
}

const versionOf = (path: string): string => readFileSync(join(path, 'version'), 'utf8');

describe('writeDirectoryAtomically', () => {
  it('creates, then replaces a directory, leaving nothing beside it', async () => {
    const parent = folder();
    const target = join(parent, 'run');
    await writeDirectoryAtomically(target, async (staging) => version(staging, 'one'));
    expect(versionOf(target)).toBe('one');
    await writeDirectoryAtomically(target, async (staging) => {
      expect(staging.startsWith(`${target}.mars-rec-partial-${process.pid}-`)).toBe(true);
      expect(versionOf(target)).toBe('one'); // untouched while the new version is written
      version(staging, 'two');
    });
    expect(versionOf(target)).toBe('two');
    expect(readdirSync(parent)).toEqual(['run']);
  });

  it('leaves the previous version and no staging directory when the writer fails', async () => {
    const parent = folder();
    const target = join(parent, 'run');
    version(target, 'old');
    await expect(
      writeDirectoryAtomically(target, async (staging) => {
        version(staging, 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(versionOf(target)).toBe('old');
    expect(readdirSync(parent)).toEqual(['run']);
  });

  it('asks before replacing a non-empty directory, and not for an empty one', async () => {
    const parent = folder();
    const target = join(parent, 'run');
    const asked: string[] = [];
    const refuse = async (directory: string): Promise<void> => {
      asked.push(directory);
      throw new Error('not a run');
    };
    mkdirSync(target);
    await writeDirectoryAtomically(target, async (staging) => version(staging, 'one'), {
      checkReplaceable: refuse,
    });
    expect(asked).toEqual([]);
    await expect(
      writeDirectoryAtomically(target, async (staging) => version(staging, 'two'), {
        checkReplaceable: refuse,
      }),
    ).rejects.toThrow('not a run');
    expect(asked).toEqual([target]);
    expect(versionOf(target)).toBe('one');
    writeFileSync(join(parent, 'file'), 'x');
    await expect(writeDirectoryAtomically(join(parent, 'file'), async () => undefined)).rejects.toThrow(
      /exists and is not a directory/,
    );
  });
});

describe('settleDirectory: every state a crash can leave', () => {
  // the pieces of a write, in the order the steps create them: ready (step 2), previous
  // (step 3), the new target (step 4), previous removed (step 5)
  const states: {
    name: string;
    target?: string;
    ready?: string;
    previous?: string;
    expected: string;
    outcome: string;
  }[] = [
    {
      name: 'complete new version waiting, old in place (after step 2)',
      target: 'old',
      ready: 'new',
      expected: 'new',
      outcome: 'completed',
    },
    {
      name: 'old moved aside, new not yet in (after step 3)',
      ready: 'new',
      previous: 'old',
      expected: 'new',
      outcome: 'completed',
    },
    {
      name: 'new in place, old not yet removed (after step 4)',
      target: 'new',
      previous: 'old',
      expected: 'new',
      outcome: 'cleaned',
    },
    { name: 'first write, complete but not in place', ready: 'new', expected: 'new', outcome: 'completed' },
    {
      name: 'target missing, previous version aside only',
      previous: 'old',
      expected: 'old',
      outcome: 'restored',
    },
    {
      name: 'a half-removed previous beside a new ready one',
      target: 'old',
      ready: 'new',
      previous: 'older',
      expected: 'new',
      outcome: 'completed',
    },
    { name: 'nothing interrupted', target: 'old', expected: 'old', outcome: 'clean' },
  ];
  it.each(states)('$name', async ({ target, ready, previous, expected, outcome }) => {
    const parent = folder();
    const path = join(parent, 'run');
    const pieces = atomicDirectoryPaths(path);
    if (target) version(path, target);
    if (ready) version(pieces.ready, ready);
    if (previous) version(pieces.previous, previous);
    const settled = await settleDirectory(path);
    expect(settled).toEqual({ outcome, location: path });
    expect(versionOf(path)).toBe(expected);
    expect(readdirSync(parent)).toEqual(['run']);
    expect(await settleDirectory(path)).toEqual({ outcome: 'clean', location: path });
  });

  it('says there is nothing when there is nothing', async () => {
    expect(await settleDirectory(join(folder(), 'run'))).toEqual({ outcome: 'clean', location: undefined });
  });

  it('removes staging directories of writers that are gone, and only those', async () => {
    const parent = folder();
    const path = join(parent, 'run');
    version(path, 'old');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number; // exited: its pid is free
    const dead = `${atomicDirectoryPaths(path).stagingPrefix}${gone}-abc`;
    const alive = `${atomicDirectoryPaths(path).stagingPrefix}${process.pid}-def`;
    version(dead, 'half');
    version(alive, 'half');
    expect((await settleDirectory(path)).outcome).toBe('cleaned');
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(alive)).toBe(true);
  });

  it.skipIf(process.getuid?.() === 0)(
    'a reader that may not rename reads the waiting complete version where it is',
    async () => {
      const parent = folder();
      const path = join(parent, 'run');
      const pieces = atomicDirectoryPaths(path);
      version(pieces.ready, 'new');
      version(pieces.previous, 'old');
      chmodSync(parent, 0o555);
      try {
        expect(await settleDirectory(path)).toEqual({ outcome: 'clean', location: pieces.ready });
      } finally {
        chmodSync(parent, 0o755);
      }
    },
  );
});
