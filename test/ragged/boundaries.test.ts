import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const raggedFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/ragged');

describe('mars-rec/ragged boundaries', () => {
  it('only tensors.ts imports TensorFlow, and nothing TensorFlow-free imports tensors.ts', () => {
    const offenders: string[] = [];
    for (const name of readdirSync(raggedFolder).filter((file) => file.endsWith('.ts'))) {
      const source = readFileSync(join(raggedFolder, name), 'utf8');
      const specifiers = [...source.matchAll(/from\s*['"]([^'"]+)['"]/g)].map((match) => match[1]);
      for (const specifier of specifiers) {
        const reachesTensorFlow = specifier.startsWith('@tensorflow/') || specifier === './tensors';
        const outsideTheTextDataSamplingLayers = specifier.startsWith('..');
        if (name !== 'tensors.ts' && (reachesTensorFlow || outsideTheTextDataSamplingLayers)) {
          offenders.push(`${name} imports ${specifier}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
