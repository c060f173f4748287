import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/**
 * The floors of the house, lowest first: a folder imports only folders on lower floors, so no
 * import arrow runs back up (and folders on one floor never import each other).
 */
const floors: string[][] = [
  ['random', 'text', 'ragged', 'backend', 'kernels'],
  ['data'],
  ['sampling', 'metrics', 'synthetic'],
  ['collaborative'],
  ['baselines', 'layers'],
  ['training', 'serving'],
  ['model', 'reporting'],
  ['cli'],
];
const floorOf = new Map(
  floors.flatMap((folders, floor) => folders.map((folder) => [folder, floor] as const)),
);

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function folderOf(file: string): string {
  return relative(srcRoot, file).split(sep)[0];
}

function localImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const pattern = /(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  return [...source.matchAll(pattern)].map((match) => resolve(dirname(file), match[1] ?? match[2]));
}

describe('import graph', () => {
  const files = sourceFiles(srcRoot).filter((file) => dirname(file) !== srcRoot); // the root index sits on top

  it('knows the floor of every folder of src/', () => {
    expect([...new Set(files.map(folderOf))].filter((folder) => !floorOf.has(folder))).toEqual([]);
  });

  it('has no import arrow running back up or sideways', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      for (const target of localImports(file)) {
        const to = folderOf(target);
        if (to !== from && !((floorOf.get(to) ?? Infinity) < (floorOf.get(from) ?? -1)))
          offenders.push(
            `${relative(srcRoot, file)} imports ${relative(srcRoot, target)} (${from} -> ${to})`,
          );
      }
    }
    expect(offenders).toEqual([]);
  });
});
