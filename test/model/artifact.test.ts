import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkWeightSpecs, loadArtifact, saveArtifact } from '../../src/model/artifact';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('model artifacts', () => {
  const metadata = { config: { outputDim: 2 }, itemIds: ['a', 'b'] };

  it('round-trips metadata, float32 and int32 tensors through a directory', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'mars-artifact-'));
    const weights = tf.tensor2d([
      [0.5, -1.25],
      [3, 4],
    ]);
    const tokens = tf.tensor1d([7, 0, 2 ** 30], 'int32');
    await saveArtifact(directory, {
      metadata,
      tensors: new Map<string, tf.Tensor>([
        ['w', weights],
        ['tokens', tokens],
      ]),
    });
    const loaded = await loadArtifact<typeof metadata>(directory);
    expect(loaded.metadata).toEqual(metadata);
    expect(loaded.tensors.get('w')?.arraySync()).toEqual([
      [0.5, -1.25],
      [3, 4],
    ]);
    expect(loaded.tensors.get('tokens')?.dtype).toBe('int32');
    expect(loaded.tensors.get('tokens')?.arraySync()).toEqual([7, 0, 2 ** 30]);
    tf.dispose([weights, tokens, ...loaded.tensors.values()]);
  });

  it('works with any tfjs IO handler (memory)', async () => {
    let saved: tf.io.ModelArtifacts | undefined;
    const weights = tf.tensor1d([1, 2, 3]);
    await saveArtifact(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { metadata, tensors: new Map([['w', weights]]) },
    );
    const loaded = await loadArtifact<typeof metadata>(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    expect(loaded.tensors.get('w')?.arraySync()).toEqual([1, 2, 3]);
    tf.dispose([weights, ...loaded.tensors.values()]);
  });

  it('refuses a newer format version and names it', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'mars-artifact-'));
    await saveArtifact(directory, { metadata, tensors: new Map() });
    const modelPath = join(directory, 'model.json');
    const json = JSON.parse(readFileSync(modelPath, 'utf8')) as { modelTopology: { formatVersion: number } };
    json.modelTopology.formatVersion = 99;
    writeFileSync(modelPath, JSON.stringify(json));
    await expect(loadArtifact(directory)).rejects.toThrow(
      /format version 99, newer than this mars-rec reads/,
    );
  });

  it('says clearly when a directory holds no model or something else', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'mars-artifact-'));
    await expect(loadArtifact(empty)).rejects.toThrow(/Cannot read .*model\.json.*saved mars-rec model/);
    writeFileSync(join(empty, 'model.json'), JSON.stringify({ modelTopology: { class_name: 'Sequential' } }));
    await expect(loadArtifact(empty)).rejects.toThrow(/does not hold a mars-rec model/);
  });
});

describe('model artifacts: damage is named', () => {
  const metadata = { note: 'x' };
  async function saved(): Promise<string> {
    const directory = join(mkdtempSync(join(tmpdir(), 'mars-artifact-')), 'model');
    const weights = tf.tensor1d([1, 2, 3, 4]);
    await saveArtifact(directory, { metadata, tensors: new Map([['w', weights]]) });
    weights.dispose();
    return directory;
  }

  it('records a SHA-256 checksum of weights.bin and of model.json itself', async () => {
    const directory = await saved();
    const json = JSON.parse(readFileSync(join(directory, 'model.json'), 'utf8')) as {
      checksums: { algorithm: string; 'model.json': string; files: Record<string, string> };
    };
    const weights = readFileSync(join(directory, 'weights.bin'));
    expect(json.checksums.algorithm).toBe('SHA-256');
    expect(json.checksums.files['weights.bin']).toBe(createHash('sha256').update(weights).digest('hex'));
  });

  it('names weights.bin when it is truncated, longer or altered', async () => {
    const directory = await saved();
    const weightsPath = join(directory, 'weights.bin');
    const good = readFileSync(weightsPath);
    writeFileSync(weightsPath, good.subarray(0, 10));
    await expect(loadArtifact(directory)).rejects.toThrow(
      /weights\.bin is truncated: it holds 10 bytes, but the weight shapes in .*model\.json need 16/,
    );
    writeFileSync(weightsPath, Buffer.concat([good, Buffer.from([0])]));
    await expect(loadArtifact(directory)).rejects.toThrow(/weights\.bin is longer than expected/);
    const flipped = Buffer.from(good);
    flipped[5] ^= 0x10;
    writeFileSync(weightsPath, flipped);
    await expect(loadArtifact(directory)).rejects.toThrow(
      /weights\.bin has been altered or damaged: its SHA-256 does not match the checksum in .*model\.json/,
    );
    writeFileSync(weightsPath, good);
    expect((await loadArtifact(directory)).tensors.get('w')?.dataSync()).toEqual(Float32Array.of(1, 2, 3, 4));
  });

  it('names model.json when it is truncated or altered', async () => {
    const directory = await saved();
    const modelPath = join(directory, 'model.json');
    const text = readFileSync(modelPath, 'utf8');
    writeFileSync(modelPath, text.slice(0, text.length - 20));
    await expect(loadArtifact(directory)).rejects.toThrow(
      /model\.json is not valid JSON \(truncated or damaged\?\)/,
    );
    writeFileSync(modelPath, text.replace('"note":"x"', '"note":"y"'));
    await expect(loadArtifact(directory)).rejects.toThrow(
      /model\.json has been altered or damaged: its content does not match the SHA-256 checksum/,
    );
    writeFileSync(modelPath, 'null');
    await expect(loadArtifact(directory)).rejects.toThrow(/model\.json does not hold a JSON object/);
  });

  it('reads weight files only from its own directory', async () => {
    const directory = await saved();
    const modelPath = join(directory, 'model.json');
    const json = JSON.parse(readFileSync(modelPath, 'utf8')) as {
      weightsManifest: { paths: string[] }[];
      checksums?: unknown;
    };
    json.weightsManifest[0].paths = ['../../../etc/passwd'];
    delete json.checksums;
    writeFileSync(modelPath, JSON.stringify(json));
    await expect(loadArtifact(directory)).rejects.toThrow(/paths are file names in the same directory/);
  });

  it('saves over a saved model, but never over a directory holding something else', async () => {
    const directory = await saved();
    const weights = tf.tensor1d([5, 6]);
    await saveArtifact(directory, { metadata, tensors: new Map([['w', weights]]) });
    expect((await loadArtifact(directory)).tensors.get('w')?.dataSync()).toEqual(Float32Array.of(5, 6));
    const other = mkdtempSync(join(tmpdir(), 'mars-artifact-'));
    writeFileSync(join(other, 'thesis.tex'), 'years of work');
    await expect(saveArtifact(other, { metadata, tensors: new Map([['w', weights]]) })).rejects.toThrow(
      /is not empty and holds no mars-rec model \(it has thesis\.tex\)/,
    );
    expect(readFileSync(join(other, 'thesis.tex'), 'utf8')).toBe('years of work');
    weights.dispose();
  });

  it('checks a handler manifest against its bytes before decoding', () => {
    const names = { manifest: 'M', weights: 'W' };
    const spec = (shape: number[], dtype = 'float32'): tf.io.WeightsManifestEntry =>
      ({ name: 'w', shape, dtype }) as tf.io.WeightsManifestEntry;
    expect(() => checkWeightSpecs([spec([2, 3])], 24, names)).not.toThrow();
    expect(() => checkWeightSpecs([spec([1e9, 1e9])], 24, names)).toThrow(
      /W is truncated: it holds 24 bytes/,
    );
    expect(() => checkWeightSpecs([spec([-1, 3])], 24, names)).toThrow(
      /M: weight entry 0 \('w'\) has shape \[-1,3\]/,
    );
    expect(() => checkWeightSpecs([spec([2, 3], 'complex64')], 48, names)).toThrow(/dtype "complex64"/);
    expect(() => checkWeightSpecs([spec([1]), spec([1])], 8, names)).toThrow(/appears twice/);
  });
});
