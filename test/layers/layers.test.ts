import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWordVectors, MemoryAttention, TextCnnEncoder } from '../../src/layers';
import { setHostKernels } from '../../src/layers/ops/host-backend';
import { SeededRandom } from '../../src/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

const vocabularySize = 13;
const config = { vocabularySize, embeddingDim: 4, filters: 5, kernelSizes: [3, 2], outputDim: 3, seed: 7 };

/** Plain-loop reference of the encoder: embedding, 'same' conv per width, ReLU, masked max, dense. */
function referenceEncode(encoder: TextCnnEncoder, documents: number[][]): number[][] {
  const weights = encoder.getWeights().map((w) => w.arraySync());
  const embedding = weights[0] as number[][];
  const widths = config.kernelSizes;
  const kernels = widths.map((_, i) => weights[1 + i] as number[][][]);
  const biases = widths.map((_, i) => weights[1 + widths.length + i] as number[]);
  const denseKernel = weights[1 + 2 * widths.length] as number[][];
  const denseBias = weights[2 + 2 * widths.length] as number[];
  return documents.map((document) => {
    const pooled: number[] = [];
    widths.forEach((k, w) => {
      const padLeft = Math.floor((k - 1) / 2);
      for (let f = 0; f < config.filters; f++) {
        let best = 0; // empty document pools to 0
        for (let t = 0; t < document.length; t++) {
          let value = biases[w][f];
          for (let o = 0; o < k; o++) {
            const source = t + o - padLeft;
            if (source < 0 || source >= document.length) continue;
            for (let e = 0; e < config.embeddingDim; e++)
              value += embedding[document[source]][e] * kernels[w][o][e][f];
          }
          best = Math.max(best, Math.max(0, value));
        }
        pooled.push(best);
      }
    });
    return denseBias.map((bias, d) => pooled.reduce((sum, x, i) => sum + x * denseKernel[i][d], bias));
  });
}

function batchOf(
  documents: number[][],
  width: number,
  padId = 0,
): { ids: Int32Array; lengths: Int32Array; width: number } {
  const ids = new Int32Array(documents.length * width).fill(padId);
  documents.forEach((document, row) => ids.set(document, row * width));
  return { ids, lengths: Int32Array.from(documents.map((d) => d.length)), width };
}

describe('TextCnnEncoder', () => {
  const documents = [[2, 3, 4, 5, 2], [7], [], [12, 11, 10, 9, 8, 7, 6, 5], [3, 3]];

  it('matches a per-document brute-force reference, with an empty document giving the dense bias', () => {
    const encoder = new TextCnnEncoder(config);
    const output = tf.tidy(() => encoder.encodeTokens(batchOf(documents, 8)).arraySync());
    const expected = referenceEncode(encoder, documents);
    output.forEach((row, r) => row.forEach((value, d) => expect(value).toBeCloseTo(expected[r][d], 5)));
    const denseBias = encoder.getWeights()[6].arraySync() as number[];
    expect(output[2]).toEqual(denseBias.map((b) => expect.closeTo(b, 6)));
    encoder.dispose();
  });

  it('padding never matters: padded token ids and the padded width change neither outputs nor gradients', () => {
    const encoder = new TextCnnEncoder(config);
    const variables = encoder.trainableVariables();
    const run = (width: number, padId: number): { outputs: number[][]; gradients: number[][] } => {
      const batch = batchOf(documents, width, padId);
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.square(encoder.encodeTokens(batch))) as tf.Scalar,
        variables,
      );
      const result = {
        outputs: [[value.dataSync()[0]]],
        gradients: variables.map((v) => Array.from(grads[v.name].dataSync())),
      };
      tf.dispose([value, ...Object.values(grads)]);
      return result;
    };
    const reference = run(8, 0);
    for (const [width, padId] of [
      [8, 9],
      [20, 12],
    ]) {
      const other = run(width, padId);
      expect(other.outputs[0][0]).toBeCloseTo(reference.outputs[0][0], 4);
      other.gradients.forEach((gradient, i) =>
        gradient.forEach((g, j) => expect(g).toBeCloseTo(reference.gradients[i][j], 4)),
      );
    }
    encoder.dispose();
  });

  it('has the gradients of the same network built from stock TensorFlow.js ops', () => {
    const encoder = new TextCnnEncoder({ ...config, kernelSizes: [3] });
    const variables = encoder.trainableVariables();
    const docs = [
      [2, 3, 4, 5],
      [6, 7, 2, 2],
    ]; // full width: no masking needed for the stock reference
    const batch = batchOf(docs, 4);
    const loss = (output: tf.Tensor): tf.Scalar =>
      tf.sum(
        tf.mul(
          output,
          tf.tensor2d([
            [1, -2, 3],
            [0.5, 1, -1],
          ]),
        ),
      ) as tf.Scalar;
    const ours = tf.variableGrads(() => loss(encoder.encodeTokens(batch)), variables);
    const stock = tf.variableGrads(() => {
      const [embedding, kernel, bias, denseKernel, denseBias] = variables;
      const embedded = tf.gather(embedding, tf.tensor2d(batch.ids, [2, 4], 'int32')); // [2, 4, E]
      const convolved = tf.relu(
        tf.add(tf.conv1d(embedded as tf.Tensor3D, kernel as tf.Tensor3D, 1, 'same'), bias),
      );
      return loss(tf.add(tf.matMul(tf.max(convolved, 1), denseKernel as tf.Tensor2D), denseBias));
    }, variables);
    expect(ours.value.dataSync()[0]).toBeCloseTo(stock.value.dataSync()[0], 4);
    for (const variable of variables) {
      const a = ours.grads[variable.name].dataSync();
      const b = stock.grads[variable.name].dataSync();
      a.forEach((value, i) => expect(value).toBeCloseTo(b[i], 4));
    }
    tf.dispose([ours.value, stock.value, ...Object.values(ours.grads), ...Object.values(stock.grads)]);
    encoder.dispose();
  });

  it('host kernels (cpu, wasm) and device kernels (GPU backends) give the same outputs and gradients', () => {
    const encoder = new TextCnnEncoder(config);
    const variables = encoder.trainableVariables();
    const random = new SeededRandom(5);
    // ragged documents with repeated words, one empty, widths past every length
    const docs = Array.from({ length: 9 }, (_, row) =>
      Array.from(
        { length: row === 4 ? 0 : 1 + random.nextInt(7) },
        () => 2 + random.nextInt(vocabularySize - 2),
      ),
    );
    const batch = batchOf(docs, 9);
    const weights = tf.randomNormal([docs.length, config.outputDim], 0, 1, 'float32', 3);
    const run = (host: boolean): { value: Float32Array; grads: Float32Array[] } => {
      setHostKernels(host);
      try {
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.mul(encoder.encodeTokens(batch), weights)) as tf.Scalar,
          variables,
        );
        const result = {
          value: value.dataSync() as Float32Array,
          grads: variables.map((variable) => grads[variable.name].dataSync() as Float32Array),
        };
        tf.dispose([value, ...Object.values(grads)]);
        return result;
      } finally {
        setHostKernels('auto');
      }
    };
    const host = run(true);
    const device = run(false);
    expect(host.value[0]).toBeCloseTo(device.value[0], 4);
    host.grads.forEach((gradient, v) => {
      expect(gradient.some((value) => value !== 0)).toBe(true);
      gradient.forEach((value, i) => expect(value).toBeCloseTo(device.grads[v][i], 4));
    });
    weights.dispose();
    encoder.dispose();
  });

  it('leaks no tensors across repeated encodes and gradient steps', () => {
    const encoder = new TextCnnEncoder(config);
    const variables = encoder.trainableVariables();
    const optimizer = tf.train.adam(0.01);
    const batch = batchOf(documents, 8);
    optimizer.minimize(
      () => tf.sum(encoder.encodeTokens(batch, { training: true })) as tf.Scalar,
      false,
      variables,
    );
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) {
      tf.dispose(encoder.encodeTokens(batch));
      optimizer.minimize(
        () => tf.sum(encoder.encodeTokens(batch, { training: true })) as tf.Scalar,
        false,
        variables,
      );
    }
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    encoder.dispose();
  });

  it('rejects token ids outside the vocabulary and inconsistent batches, naming the value', () => {
    const encoder = new TextCnnEncoder(config);
    expect(() => encoder.encodeTokens(batchOf([[2, 13]], 2))).toThrow(
      /token id 13 is outside the vocabulary \[0, 13\)/,
    );
    expect(() =>
      encoder.encodeTokens({ ids: new Int32Array(3), lengths: Int32Array.of(1), width: 2 }),
    ).toThrow(/rows x width/);
    expect(() =>
      encoder.encodeTokens({ ids: new Int32Array(2), lengths: Int32Array.of(3), width: 2 }),
    ).toThrow(/length 3 of row 0/);
    expect(() => new TextCnnEncoder({ ...config, pretrainedEmbeddings: new Float32Array(5) })).toThrow(
      /pretrainedEmbeddings/,
    );
    encoder.dispose();
  });

  it('starts from pretrained word vectors, frozen when asked', () => {
    const pretrained = Float32Array.from({ length: vocabularySize * 4 }, (_, i) => i / 100);
    const encoder = new TextCnnEncoder({
      ...config,
      pretrainedEmbeddings: pretrained,
      trainableEmbeddings: false,
    });
    encoder.build();
    const embedding = encoder.weights.find((weight) => weight.originalName.endsWith('embedding'));
    expect(Array.from(embedding?.read().dataSync() ?? [])).toEqual(Array.from(pretrained));
    expect(encoder.trainableVariables()).toHaveLength(6); // embedding excluded
    encoder.dispose();
  });
});

/** Plain-loop reference of the memory attention for one batch entry. */
function referenceAttention(memory: number[][], valid: number, candidates: number[][]): number[] {
  return candidates.map((v) => {
    if (valid === 0) return 0;
    const logits = memory.slice(0, valid).map((c) => c.reduce((s, x, k) => s + x * v[k], 0));
    const top = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - top));
    const total = exps.reduce((a, b) => a + b, 0);
    const u = v.map((_, k) => memory.slice(0, valid).reduce((s, c, h) => s + (exps[h] / total) * c[k], 0));
    return u.reduce((s, x, k) => s + x * v[k], 0);
  });
}

describe('MemoryAttention', () => {
  const rng = new SeededRandom(3);
  const random = (): number => rng.nextFloat() * 2 - 1;
  const batch = 3;
  const history = 4;
  const dim = 5;
  const memory = Array.from({ length: batch }, () =>
    Array.from({ length: history }, () => Array.from({ length: dim }, random)),
  );
  const candidates = Array.from({ length: batch }, () =>
    Array.from({ length: 2 }, () => Array.from({ length: dim }, random)),
  );
  const valid = [4, 1, 0];
  const mask = valid.map((v) => Array.from({ length: history }, (_, h) => (h < v ? 1 : 0)));

  it('matches a per-example reference; a row with no valid slot scores 0', () => {
    const attention = new MemoryAttention();
    const scores = tf.tidy(() =>
      attention.score(tf.tensor3d(memory), tf.tensor2d(mask), tf.tensor3d(candidates)).arraySync(),
    );
    for (let b = 0; b < batch; b++) {
      const expected = referenceAttention(memory[b], valid[b], candidates[b]);
      scores[b].forEach((score, j) => expect(score).toBeCloseTo(expected[j], 5));
    }
    expect(scores[2]).toEqual([0, 0]);
  });

  it('gives padded slots exactly zero weight and user vectors u = C a', () => {
    const attention = new MemoryAttention();
    const [weights, users, scores] = tf.tidy(() => {
      const inputs = [tf.tensor3d(memory), tf.tensor2d(mask), tf.tensor3d(candidates)] as const;
      const both = attention.scoreWithUserVectors(...inputs);
      return [
        attention.attentionWeights(...inputs).arraySync(),
        both.userVectors.arraySync(),
        both.scores.arraySync(),
      ];
    });
    expect(weights[1][0].slice(1)).toEqual([0, 0, 0]);
    expect(weights[1][0][0]).toBeCloseTo(1, 6);
    expect(weights[2][1]).toEqual([0, 0, 0, 0]);
    // r = u . v
    users.forEach((row, b) =>
      row.forEach((u, j) =>
        expect(u.reduce((s, x, k) => s + x * candidates[b][j][k], 0)).toBeCloseTo(scores[b][j], 5),
      ),
    );
  });

  it('changing padded memory changes neither scores nor gradients', () => {
    const attention = new MemoryAttention();
    const noisy = memory.map((slots, b) => slots.map((slot, h) => (mask[b][h] ? slot : slot.map(() => 50))));
    const gradientsFor = (values: number[][][]): number[] => {
      const memoryTensor = tf.tensor3d(values);
      const candidateTensor = tf.tensor3d(candidates);
      const maskTensor = tf.tensor2d(mask);
      const gradient = tf.grad((c: tf.Tensor) =>
        tf.sum(attention.score(memoryTensor, maskTensor, c as tf.Tensor3D)),
      )(candidateTensor);
      const result = Array.from(gradient.dataSync());
      tf.dispose([memoryTensor, candidateTensor, maskTensor, gradient]);
      return result;
    };
    const clean = gradientsFor(memory);
    const dirty = gradientsFor(noisy);
    dirty.forEach((g, i) => expect(g).toBeCloseTo(clean[i], 6));
    expect(clean.every(Number.isFinite)).toBe(true);
  });

  it("'mean' averages the valid slots (the attention ablation)", () => {
    const mean = new MemoryAttention({ aggregation: 'mean' });
    const scores = tf.tidy(() =>
      mean.score(tf.tensor3d(memory), tf.tensor2d(mask), tf.tensor3d(candidates)).arraySync(),
    );
    const v = candidates[0][0];
    const average = v.map((_, k) => memory[0].reduce((s, c) => s + c[k], 0) / 4);
    expect(scores[0][0]).toBeCloseTo(
      average.reduce((s, x, k) => s + x * v[k], 0),
      5,
    );
    expect(scores[2]).toEqual([0, 0]);
  });
});

describe('layers inside a LayersModel', () => {
  it('save and load through a tfjs IO handler with identical outputs', async () => {
    const ids = tfl.input({ shape: [6], dtype: 'int32' });
    const lengths = tfl.input({ shape: [1], dtype: 'int32' });
    const encoder = new TextCnnEncoder({ ...config, name: 'encoder' });
    const output = encoder.apply([ids, lengths]) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [ids, lengths], outputs: output });
    const inputs = [
      tf.tensor2d(
        [
          [2, 3, 4, 0, 0, 0],
          [5, 6, 7, 8, 9, 10],
        ],
        [2, 6],
        'int32',
      ),
      tf.tensor1d([3, 6], 'int32'),
    ];
    const before = (model.predict(inputs) as tf.Tensor).arraySync();
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    const after = (loaded.predict(inputs) as tf.Tensor).arraySync();
    expect(after).toEqual(before);
    expect(
      (saved?.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers.map(
        (l) => l.class_name,
      ),
    ).toContain('MarsTextCnnEncoder');
  });
});

describe('wasm backend', () => {
  it('encodes, attends and takes a training step like the cpu backend (within 1e-4)', async () => {
    const run = async (backend: string): Promise<number[]> => {
      await tf.setBackend(backend);
      const encoder = new TextCnnEncoder(config);
      const attention = new MemoryAttention();
      const variables = encoder.trainableVariables();
      const optimizer = tf.train.sgd(0.1);
      const batch = batchOf(
        [
          [2, 3, 4],
          [5, 6],
          [7, 8, 9, 10],
        ],
        4,
      );
      const loss = (): tf.Scalar => {
        const vectors = encoder.encodeTokens(batch, { training: true });
        const memory = tf.reshape(tf.slice(vectors, [0, 0], [2, 3]), [1, 2, 3]) as tf.Tensor3D;
        const candidate = tf.reshape(tf.slice(vectors, [2, 0], [1, 3]), [1, 1, 3]) as tf.Tensor3D;
        return tf.neg(tf.sum(attention.score(memory, tf.ones([1, 2]), candidate))) as tf.Scalar;
      };
      optimizer.minimize(loss, false, variables);
      const result = [...(await tf.tidy(loss).data())];
      optimizer.dispose();
      encoder.dispose();
      return result;
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(wasm[0]).toBeCloseTo(cpu[0], 4);
  });
});

describe('loadWordVectors', () => {
  const vocabulary = { size: 4, idOf: (token: string): number => ({ apple: 2, pear: 3 })[token] ?? 1 };

  it('lays word2vec/GloVe lines out by vocabulary id, skipping the header and unknown words', async () => {
    const loaded = await loadWordVectors(['3 2', 'apple 0.5 -1', 'kiwi 9 9', 'pear 2 3e-1'], vocabulary);
    expect(loaded.dim).toBe(2);
    expect(loaded.found).toBe(2);
    expect(Array.from(loaded.vectors)).toEqual([0, 0, 0, 0, 0.5, -1, 2, expect.closeTo(0.3, 6)]);
  });

  it('names the line of a malformed vector', async () => {
    await expect(loadWordVectors(['apple 1 2', 'pear 1'], vocabulary)).rejects.toThrow(
      /line 2 has 1 values, the first vector had 2/,
    );
    await expect(loadWordVectors(['apple 1 x'], vocabulary)).rejects.toThrow(
      /line 1, value 2 \('x'\) is not a number/,
    );
  });
});

describe('gradients against central differences', () => {
  it('MemoryAttention: d score / d memory and d score / d candidates match numerical derivatives', () => {
    const rng = new SeededRandom(21);
    const values = (n: number): number[] => Array.from({ length: n }, () => rng.nextFloat() - 0.5);
    const memoryValues = values(1 * 3 * 2);
    const candidateValues = values(1 * 2 * 2);
    const mask = tf.tensor2d([[1, 1, 0]]);
    const attention = new MemoryAttention();
    const objective = (memory: number[], candidates: number[]): number =>
      tf.tidy(() => {
        const scores = attention.score(
          tf.tensor3d(memory, [1, 3, 2]),
          mask,
          tf.tensor3d(candidates, [1, 2, 2]),
        );
        return tf.sum(tf.mul(scores, tf.tensor2d([[1, -0.5]]))).dataSync()[0];
      });
    const [memoryGradient, candidateGradient] = tf.tidy(() => {
      const grads = tf.grads((m: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(attention.score(m as tf.Tensor3D, mask, c as tf.Tensor3D), tf.tensor2d([[1, -0.5]]))),
      )([tf.tensor3d(memoryValues, [1, 3, 2]), tf.tensor3d(candidateValues, [1, 2, 2])]);
      return grads.map((g) => Array.from(g.dataSync()));
    });
    const epsilon = 1e-2;
    const numerical = (base: number[], index: number, f: (v: number[]) => number): number => {
      const plus = base.slice();
      const minus = base.slice();
      plus[index] += epsilon;
      minus[index] -= epsilon;
      return (f(plus) - f(minus)) / (2 * epsilon);
    };
    memoryValues.forEach((_, i) => {
      const expected = numerical(memoryValues, i, (m) => objective(m, candidateValues));
      expect(memoryGradient[i]).toBeCloseTo(expected, 2);
    });
    candidateValues.forEach((_, i) => {
      const expected = numerical(candidateValues, i, (c) => objective(memoryValues, c));
      expect(candidateGradient[i]).toBeCloseTo(expected, 2);
    });
    // the padded slot (h = 2) gets no gradient at all
    expect(memoryGradient.slice(4)).toEqual([0, 0]);
    mask.dispose();
  });
});

describe('MemoryAttention inside a LayersModel', () => {
  it('saves and loads with identical scores, and leaks no tensors when called repeatedly', async () => {
    const memory = tfl.input({ shape: [3, 2] });
    const mask = tfl.input({ shape: [3] });
    const candidates = tfl.input({ shape: [2, 2] });
    const attention = new MemoryAttention({ name: 'attention' });
    const model = tfl.model({
      inputs: [memory, mask, candidates],
      outputs: attention.apply([memory, mask, candidates]) as tfl.SymbolicTensor,
    });
    const inputs = [
      tf.tensor3d([
        [
          [1, 0],
          [0, 1],
          [9, 9],
        ],
      ]),
      tf.tensor2d([[1, 1, 0]]),
      tf.tensor3d([
        [
          [1, 2],
          [-1, 0.5],
        ],
      ]),
    ];
    const before = (model.predict(inputs) as tf.Tensor).arraySync();
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    expect((loaded.predict(inputs) as tf.Tensor).arraySync()).toEqual(before);
    const count = tf.memory().numTensors;
    for (let k = 0; k < 3; k++)
      tf.dispose(
        attention.score(inputs[0] as tf.Tensor3D, inputs[1] as tf.Tensor2D, inputs[2] as tf.Tensor3D),
      );
    expect(tf.memory().numTensors).toBe(count);
  });
});

describe('TextCnnEncoder gradients against central differences', () => {
  it('match numerical derivatives for every weight tensor (sampled entries)', () => {
    const encoder = new TextCnnEncoder({ ...config, seed: 5 });
    const variables = encoder.trainableVariables();
    const batch = batchOf([[2, 3, 4, 5], [6, 7], [8]], 4);
    const projection = tf.tensor2d([
      [0.3, -1, 0.7],
      [1, 0.2, -0.4],
      [-0.6, 0.9, 0.1],
    ]);
    const objective = (): number =>
      tf.tidy(() => tf.sum(tf.mul(encoder.encodeTokens(batch), projection)).dataSync()[0]);
    const { grads, value } = tf.variableGrads(
      () => tf.sum(tf.mul(encoder.encodeTokens(batch), projection)) as tf.Scalar,
      variables,
    );
    // small steps: the network is piecewise linear (ReLU, max-pool), so a step must not cross a kink
    const epsilon = 1e-3;
    const rng = new SeededRandom(8);
    for (const variable of variables) {
      const analytical = grads[variable.name].dataSync();
      const original = variable.dataSync().slice();
      for (let sample = 0; sample < 4; sample++) {
        const index = rng.nextInt(original.length);
        const perturbed = original.slice();
        perturbed[index] = original[index] + epsilon;
        variable.assign(tf.tensor(perturbed, variable.shape));
        const plus = objective();
        perturbed[index] = original[index] - epsilon;
        variable.assign(tf.tensor(perturbed, variable.shape));
        const minus = objective();
        variable.assign(tf.tensor(original, variable.shape));
        expect(analytical[index], `${variable.name}[${index}]`).toBeCloseTo(
          (plus - minus) / (2 * epsilon),
          2,
        );
      }
    }
    tf.dispose([value, projection, ...Object.values(grads)]);
    encoder.dispose();
  });
});
