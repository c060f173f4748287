import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const tensorFlowFreeFolders = [
  'random',
  'text',
  'data',
  'sampling',
  'metrics',
  'ragged',
  'synthetic',
  'collaborative',
  'baselines',
];
/** Files allowed to import TensorFlow inside otherwise TF-free folders. */
const tensorHelpers = new Set(['ragged/tensors.ts']);

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  const pattern = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const match of source.matchAll(pattern)) specifiers.push(match[1] ?? match[2]);
  return specifiers;
}

function resolveLocal(fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(fromFile), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

describe('package boundaries', () => {
  it.each(tensorFlowFreeFolders)('mars-rec/%s never reaches TensorFlow, even transitively', (folder) => {
    const seen = new Set<string>();
    const queue = sourceFiles(join(srcRoot, folder)).filter(
      (file) => !tensorHelpers.has(relative(srcRoot, file)),
    );
    const offenders: string[] = [];
    while (queue.length > 0) {
      const file = queue.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const specifier of importsOf(file)) {
        if (specifier.startsWith('@tensorflow/') || specifier === 'webgpu') {
          offenders.push(`${relative(srcRoot, file)} imports ${specifier}`);
        }
        const local = resolveLocal(file, specifier);
        if (local) queue.push(local);
      }
    }
    expect(offenders).toEqual([]);
  });
});
