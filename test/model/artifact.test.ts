import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadArtifact, saveArtifact } from '../../src/model/artifact';

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
