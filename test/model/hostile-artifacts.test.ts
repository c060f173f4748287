import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CsrMatrix } from '../../src/data/csr';
import { loadArtifact } from '../../src/model/artifact';
import { resolveMarsConfig } from '../../src/model/config';
import type { MarsConfig } from '../../src/model/config';
import { marsWeightValues } from '../../src/model/mars-artifact-checks';
import { MarsModel } from '../../src/model/mars-model';
import type { MarsTrainingData } from '../../src/model/fit-options';
import { Vocabulary } from '../../src/text/vocabulary';
import { generateSyntheticCorpus } from '../../src/synthetic';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function tinyData(): MarsTrainingData {
  const corpus = generateSyntheticCorpus({ seed: 5, itemCount: 40, userCount: 20, clicksPerUser: [3, 6] });
  const index = new Map(corpus.items.map((item, i) => [item.id, i]));
  const rows = new Map<string, Set<number>>();
  for (const click of corpus.interactions)
    rows.set(click.user, (rows.get(click.user) ?? new Set()).add(index.get(click.item) as number));
  const sorted = [...rows.values()].map((row) => [...row].sort((a, b) => a - b));
  const offsets = new Int32Array(sorted.length + 1);
  sorted.forEach((row, user) => (offsets[user + 1] = offsets[user] + row.length));
  const train: CsrMatrix = {
    rowCount: sorted.length,
    columnCount: corpus.items.length,
    offsets,
    indices: Int32Array.from(sorted.flat()),
  };
  return {
    itemIds: corpus.items.map((item) => item.id),
    itemTexts: corpus.items.map((item) => item.text),
    train,
  };
}

const tinyConfig: Partial<MarsConfig> = {
  embeddingDim: 8,
  filters: 8,
  outputDim: 8,
  maxDocumentLength: 20,
  collaborativeFactors: 4,
  itemBias: true,
};

interface ModelJson {
  modelTopology: { metadata: Record<string, unknown> & { config: Record<string, unknown> } };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
  checksums?: unknown;
}

/** Records checksums for the files as they are now (what a careful forger would do). */
function resign(directory: string): void {
  const modelPath = join(directory, 'model.json');
  const { checksums: _old, ...content } = JSON.parse(readFileSync(modelPath, 'utf8')) as ModelJson;
  const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
  const checksums = {
    algorithm: 'SHA-256',
    'model.json': sha(JSON.stringify(content)),
    files: { 'weights.bin': sha(readFileSync(join(directory, 'weights.bin'))) },
  };
  writeFileSync(modelPath, JSON.stringify({ ...content, checksums }));
}

describe('loading hostile or damaged model files', () => {
  let original: string;
  let weightBytes: number;
  let catalogValuesOffset = 0; // byte offset of the encoded item texts in weights.bin
  beforeAll(async () => {
    const model = MarsModel.create(tinyConfig);
    await model.fit(tinyData(), { steps: 1, batchSize: 8 });
    original = join(mkdtempSync(join(tmpdir(), 'mars-hostile-')), 'model');
    await model.save(original);
    model.dispose();
    weightBytes = readFileSync(join(original, 'weights.bin')).byteLength;
    const json = JSON.parse(readFileSync(join(original, 'model.json'), 'utf8')) as ModelJson;
    let offset = 0;
    for (const weight of json.weightsManifest[0].weights) {
      if (weight.name === 'catalog/values') catalogValuesOffset = offset;
      offset += 4 * weight.shape.reduce((a, b) => a * b, 1);
    }
  });

  /** A copy of the good model with `model.json` and/or `weights.bin` changed. */
  function mutated(
    edit: {
      json?: (json: ModelJson) => void;
      weights?: (bytes: Buffer) => Buffer;
      text?: (text: string) => string;
    },
    sign: boolean,
  ): string {
    const directory = join(mkdtempSync(join(tmpdir(), 'mars-hostile-')), 'model');
    cpSync(original, directory, { recursive: true });
    const modelPath = join(directory, 'model.json');
    if (edit.json) {
      const json = JSON.parse(readFileSync(modelPath, 'utf8')) as ModelJson;
      edit.json(json);
      writeFileSync(modelPath, JSON.stringify(json));
    }
    if (edit.text) writeFileSync(modelPath, edit.text(readFileSync(modelPath, 'utf8')));
    const weightsPath = join(directory, 'weights.bin');
    if (edit.weights) writeFileSync(weightsPath, edit.weights(readFileSync(weightsPath)));
    if (sign) resign(directory);
    return directory;
  }

  const config = (change: Record<string, unknown>) => (json: ModelJson) =>
    Object.assign(json.modelTopology.metadata.config, change);
  const weightEntry = (name: string, change: Record<string, unknown>) => (json: ModelJson) =>
    Object.assign(json.weightsManifest[0].weights.find((w) => w.name === name) as object, change);
  const flipByte = (at: (length: number) => number) => (bytes: Buffer) => {
    const copy = Buffer.from(bytes);
    copy[at(copy.length)] ^= 0x40;
    return copy;
  };
  const mutations: {
    name: string;
    edit: Parameters<typeof mutated>[0];
    sign: boolean;
    error: RegExp;
  }[] = [
    // sizes in the config: beyond the bounds, or within them but not what the weights hold
    {
      name: 'outputDim 3e7',
      edit: { json: config({ outputDim: 3e7 }) },
      sign: true,
      error: /model\.json: "config": MarsConfig\.outputDim must be a positive integer at most 4,096/,
    },
    {
      name: 'embeddingDim 1e12',
      edit: { json: config({ embeddingDim: 1e12 }) },
      sign: true,
      error: /MarsConfig\.embeddingDim .* got 1000000000000/,
    },
    {
      name: 'kernelSizes of 1e6 tokens',
      edit: { json: config({ kernelSizes: [1e6] }) },
      sign: true,
      error: /MarsConfig\.kernelSizes must be a list of 1 to 16 integers in \[1, 64\]/,
    },
    {
      name: 'the widest config within bounds (4 GB of weights)',
      edit: { json: config({ filters: 4096, embeddingDim: 4096, kernelSizes: [64] }) },
      sign: true,
      error:
        /model\.json: the config \(.*\) needs [\d,]+ weight values .* but the saved weights hold [\d,]+: the config does not match the weights/,
    },
    {
      name: 'embeddingDim 4096',
      edit: { json: config({ embeddingDim: 4096 }) },
      sign: true,
      error: /the config does not match the weights/,
    },
    {
      name: 'collaborativeFactors 4096',
      edit: { json: config({ collaborativeFactors: 4096 }) },
      sign: true,
      error: /the config does not match the weights/,
    },
    {
      name: 'item-ID embedding of outputDim 4096',
      edit: { json: config({ itemIdEmbedding: true, outputDim: 4096 }) },
      sign: true,
      error: /the config does not match the weights/,
    },
    {
      name: 'outputDim 9 (a little off)',
      edit: { json: config({ outputDim: 9 }) },
      sign: true,
      error: /model\.json: weight '.*' has shape \[.*\] in the file but \[.*\] in the model/,
    },
    {
      name: 'config null',
      edit: { json: (json) => (json.modelTopology.metadata.config = null as never) },
      sign: true,
      error: /model\.json: "config" is null, not an object/,
    },
    {
      name: 'metadata null',
      edit: { json: (json) => (json.modelTopology.metadata = null as never) },
      sign: true,
      error: /model\.json: the model metadata is null/,
    },
    // the weight manifest: shapes, dtypes, files
    {
      name: 'a weight of shape [1e9, 1e9]',
      edit: { json: weightEntry('catalog/values', { shape: [1e9, 1e9] }) },
      sign: true,
      error: /weights\.bin is truncated: .* need [\d,]+/,
    },
    {
      name: 'a negative extent',
      edit: { json: weightEntry('catalog/values', { shape: [-5] }) },
      sign: true,
      error: /model\.json: weight entry \d+ \('catalog\/values'\) has shape \[-5\]/,
    },
    {
      name: 'dtype complex64',
      edit: { json: weightEntry('catalog/values', { dtype: 'complex64' }) },
      sign: true,
      error: /has dtype "complex64"; mars-rec writes float32 and int32 only/,
    },
    {
      name: 'token ids read as float32',
      edit: { json: weightEntry('catalog/rowSplits', { dtype: 'float32' }) },
      sign: true,
      error: /model\.json: the encoded item texts' row splits must run from 0 to/,
    },
    {
      name: 'a weight file outside the directory',
      edit: { json: (json) => (json.weightsManifest[0].paths = ['../../etc/passwd']) },
      sign: true,
      error: /paths are file names in the same directory/,
    },
    {
      name: 'a missing weight file',
      edit: { json: (json) => (json.weightsManifest[0].paths = ['gone.bin']) },
      sign: true,
      error: /Cannot read .*gone\.bin, named in .*model\.json/,
    },
    {
      name: 'a duplicated vocabulary word',
      edit: {
        json: (json) => {
          const v = json.modelTopology.metadata.vocabulary as { tokens: string[] };
          v.tokens[1] = v.tokens[0];
        },
      },
      sign: true,
      error: /model\.json: "vocabulary": .*appears twice/,
    },
    {
      name: 'one item id too many',
      edit: { json: (json) => (json.modelTopology.metadata.itemIds as string[]).push('extra') },
      sign: true,
      error: /model\.json: the encoded item texts have 40 rows for 41 item ids/,
    },
    {
      name: 'a token id beyond the vocabulary',
      edit: {
        weights: (bytes) => {
          const copy = Buffer.from(bytes);
          copy.writeInt32LE(99_999, catalogValuesOffset);
          return copy;
        },
      },
      sign: true,
      error: /token id 99999 at position 0 of the encoded item texts is outside the vocabulary/,
    },
    // damage the checksums catch
    {
      name: 'weights.bin cut in half',
      edit: { weights: (bytes) => bytes.subarray(0, bytes.length >> 1) },
      sign: false,
      error: /weights\.bin is truncated: it holds [\d,]+ bytes/,
    },
    {
      name: 'weights.bin empty',
      edit: { weights: () => Buffer.alloc(0) },
      sign: false,
      error: /weights\.bin is truncated: it holds 0 bytes/,
    },
    {
      name: 'a bit flipped in weights.bin',
      edit: { weights: flipByte((n) => n - 3) },
      sign: false,
      error: /weights\.bin has been altered or damaged/,
    },
    {
      name: 'bytes appended to weights.bin',
      edit: { weights: (bytes) => Buffer.concat([bytes, Buffer.alloc(8)]) },
      sign: false,
      error: /weights\.bin is longer than expected/,
    },
    {
      name: 'model.json cut short',
      edit: { text: (text) => text.slice(0, 300) },
      sign: false,
      error: /model\.json is not valid JSON \(truncated or damaged\?\)/,
    },
    {
      name: 'a digit changed in model.json',
      edit: { json: config({ outputDim: 9 }) },
      sign: false,
      error: /model\.json has been altered or damaged: its content does not match/,
    },
  ];
  it('the good model loads (the baseline of the mutations)', async () => {
    const model = await MarsModel.load(original);
    expect(model.catalog?.size).toBe(40);
    model.dispose();
  });

  it(`refuses ${mutations.length} mutated files, naming the file and the problem, each allocating at most a few MB`, async () => {
    expect(mutations.length).toBeGreaterThanOrEqual(20);
    const peakBefore = process.resourceUsage().maxRSS; // kB
    const stats: string[] = [];
    for (const { name, edit, sign, error } of mutations) {
      const directory = mutated(edit, sign);
      const tensorsBefore = tf.memory().numTensors;
      const before = process.memoryUsage();
      const started = performance.now();
      const failure = await MarsModel.load(directory).then(
        () => new Error(`${name}: loaded`),
        (caught: Error) => caught,
      );
      const milliseconds = performance.now() - started;
      const after = process.memoryUsage();
      stats.push(
        `${name}: ${milliseconds.toFixed(1)} ms, arrayBuffers ${((after.arrayBuffers - before.arrayBuffers) / 1024).toFixed(0)} KiB, rss ${((after.rss - before.rss) / 1024).toFixed(0)} KiB`,
      );
      expect(failure.message, name).toMatch(error);
      expect(failure.message, name).toContain(directory);
      // every byte the failed load kept or allocated in ArrayBuffers, and the process size
      expect(after.arrayBuffers - before.arrayBuffers, name).toBeLessThan(4 * 2 ** 20);
      expect(after.rss - before.rss, name).toBeLessThan(32 * 2 ** 20);
      expect(tf.memory().numTensors, name).toBe(tensorsBefore);
    }
    // the highest the process ever went: no mutation made a large allocation, even briefly
    expect((process.resourceUsage().maxRSS - peakBefore) * 1024).toBeLessThan(64 * 2 ** 20);
    if (process.env.MARS_REC_LOAD_STATS)
      console.info(
        `${stats.join('\n')}\npeak RSS growth ${process.resourceUsage().maxRSS - peakBefore} KiB; good model ${weightBytes} bytes`,
      );
  });
});

describe('marsWeightValues: the weights a config needs', () => {
  const data = tinyData();
  const configs: Partial<MarsConfig>[] = [
    { collaborativeFactors: 0 },
    { collaborativeFactors: 3, itemBias: true },
    { collaborativeFactors: 0, itemBias: true, itemIdEmbedding: true, kernelSizes: [2, 3] },
    { sharedEncoder: true, aggregation: 'mean', collaborativeFactors: 2, itemIdEmbedding: true },
  ];
  it.each(configs)('equals the float32 values a trained model saves (%o)', async (change) => {
    const partial = { embeddingDim: 6, filters: 5, outputDim: 7, maxDocumentLength: 12, ...change };
    const model = MarsModel.create(partial);
    await model.fit(data, { steps: 1, batchSize: 4 });
    const directory = join(mkdtempSync(join(tmpdir(), 'mars-count-')), 'model');
    await model.save(directory);
    model.dispose();
    const { metadata, tensors } = await loadArtifact<{ vocabulary: unknown }>(directory);
    let floats = 0;
    for (const tensor of tensors.values()) if (tensor.dtype === 'float32') floats += tensor.size;
    tf.dispose([...tensors.values()]);
    const config = resolveMarsConfig(partial);
    const vocabularySize = Vocabulary.fromJSON(metadata.vocabulary).size;
    // not in the config: the collaborative user factors
    const users = config.collaborativeFactors * data.train.rowCount;
    expect(floats).toBe(marsWeightValues(config, vocabularySize, data.itemIds.length) + users);
  });
});
