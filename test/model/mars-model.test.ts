import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { CsrMatrix } from '../../src/data/csr';
import { evaluateRanking } from '../../src/metrics/evaluate-ranking';
import { loadArtifact } from '../../src/model/artifact';
import { MarsModel } from '../../src/model/mars-model';
import { buildMarsModel } from '../../src/model/build-model';
import { resolveMarsConfig } from '../../src/model/config';
import { marsTrainableVariables } from '../../src/layers/mars-blocks';
import { BprTripletSampler } from '../../src/sampling/bpr-triplet-sampler';
import { attentionUniformity } from '../../src/serving/attention-uniformity';
import { marsBprLoss } from '../../src/training/mars-bpr-loss';
import { TfjsStepEngine } from '../../src/training/step-engine';
import { tuneBprMf } from '../../src/training/tune-bpr-mf';
import { NonFiniteLossError } from '../../src/training/non-finite-loss-error';
import { tfjsStepEngine } from '../../src/training/mars-step';
import { Vocabulary } from '../../src/text/vocabulary';
import type { MarsTrainingData } from '../../src/model/fit-options';
import { SeededRandom } from '../../src/random';
import { generateSyntheticCorpus } from '../../src/synthetic';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

function csrFromRows(rows: number[][], columnCount: number): CsrMatrix {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((row, u) => (offsets[u + 1] = offsets[u] + row.length));
  return {
    rowCount: rows.length,
    columnCount,
    offsets,
    indices: Int32Array.from(rows.flatMap((row) => [...row].sort((a, b) => a - b))),
  };
}

/** A small synthetic dataset with a per-user 50/50 split. */
function smallData(): { data: MarsTrainingData; test: CsrMatrix; topicOf: Map<string, string> } {
  const corpus = generateSyntheticCorpus({ seed: 4, itemCount: 120, userCount: 80, clicksPerUser: [6, 12] });
  const index = new Map(corpus.items.map((item, i) => [item.id, i]));
  const byUser = new Map<string, number[]>();
  for (const click of corpus.interactions)
    byUser.set(click.user, [...(byUser.get(click.user) ?? []), index.get(click.item) as number]);
  const rng = new SeededRandom(1);
  const train: number[][] = [];
  const test: number[][] = [];
  for (const items of byUser.values()) {
    const shuffled = rng.shuffle(items.slice());
    const half = Math.ceil(shuffled.length / 2);
    train.push(shuffled.slice(0, half));
    test.push(shuffled.slice(half));
  }
  return {
    data: {
      itemIds: corpus.items.map((item) => item.id),
      itemTexts: corpus.items.map((item) => item.text),
      train: csrFromRows(train, corpus.items.length),
    },
    test: csrFromRows(test, corpus.items.length),
    topicOf: new Map(corpus.items.map((item) => [item.id, item.topic])),
  };
}

const smallConfig = { embeddingDim: 16, filters: 16, outputDim: 16, maxDocumentLength: 40 };

describe('MarsModel', () => {
  const { data, test, topicOf } = smallData();

  it('learns planted topics: beats a random ranking by a wide margin after a short fit', async () => {
    const model = MarsModel.create({ ...smallConfig, collaborativeFactors: 0 }); // the text pathway alone
    const result = await model.fit(data, { steps: 120, batchSize: 64, learningRate: 0.01, seed: 2 });
    expect(result.steps).toBe(120);
    expect(result.losses[119]).toBeLessThan(result.losses[0]);
    const evaluation = await model.evaluate(test, data.train, { metrics: ['recall@10'] });
    // a random ranking of ~115 candidates puts 10/115 = 8.7% of the targets in the top 10
    expect(evaluation.mean['recall@10']).toBeGreaterThan(0.2);
    model.dispose();
  });

  it('is reproducible: the same seed gives the same losses and scores', async () => {
    const run = async (): Promise<{ losses: number[]; scores: number[] }> => {
      const model = MarsModel.create(smallConfig);
      const fit = await model.fit(data, { steps: 5, batchSize: 32, seed: 11 });
      const scores = Array.from(await model.scoreItemsForHistories([Int32Array.of(1, 2, 3)]));
      model.dispose();
      return { losses: fit.losses, scores };
    };
    const a = await run();
    const b = await run();
    expect(b.losses).toEqual(a.losses);
    expect(b.scores).toEqual(a.scores);
  });

  it('saves and loads into a model that scores exactly the same', async () => {
    const model = MarsModel.create({ ...smallConfig, itemBias: true, itemIdEmbedding: true });
    await model.fit(data, { steps: 5, batchSize: 32, learningRate: 0.01 });
    const directory = mkdtempSync(join(tmpdir(), 'mars-model-'));
    await model.save(directory);
    const loaded = await MarsModel.load(directory);
    const history = ['n001', 'n017', 'n033'];
    expect(await loaded.recommend(history, { k: 8 })).toEqual(await model.recommend(history, { k: 8 }));
    expect(await loaded.explain(history, 'n050')).toEqual(await model.explain(history, 'n050'));
    expect(loaded.config).toEqual(model.config);
    model.dispose();
    loaded.dispose();

    // an artifact written before collaborativeFactors existed (no such config field) loads as
    // the text-only model it is
    const older = MarsModel.create({ ...smallConfig, collaborativeFactors: 0 });
    await older.fit(data, { steps: 2, batchSize: 16 });
    const olderDirectory = mkdtempSync(join(tmpdir(), 'mars-older-'));
    await older.save(olderDirectory);
    const manifest = JSON.parse(readFileSync(join(olderDirectory, 'model.json'), 'utf8')) as {
      modelTopology: { metadata: { config: Record<string, unknown> } };
      checksums?: unknown;
    };
    delete manifest.modelTopology.metadata.config.collaborativeFactors;
    delete manifest.checksums; // artifacts of that time recorded none
    writeFileSync(join(olderDirectory, 'model.json'), JSON.stringify(manifest));
    const reloaded = await MarsModel.load(olderDirectory);
    expect(reloaded.config.collaborativeFactors).toBe(0);
    expect(await reloaded.recommend(history, { k: 8 })).toEqual(await older.recommend(history, { k: 8 }));
    reloaded.dispose();
    older.dispose();
  });

  it('fit runs the public BPR step: a hand loop of marsBprLoss on the same blocks gives the same losses', async () => {
    const config = { ...smallConfig, itemBias: true, collaborativeFactors: 4 };
    const model = MarsModel.create(config);
    // the TF.js step, bit for bit (the default fast CPU step matches it within float tolerance)
    const fit = await model.fit(data, {
      steps: 4,
      batchSize: 16,
      learningRate: 0.01,
      seed: 5,
      stepEngine: tfjsStepEngine,
    });
    model.dispose();
    const { parts } = await buildMarsModel(resolveMarsConfig(config), data, { seed: 5 });
    parts.blocks.itemBias?.markSeen(data.train);
    const sampler = new BprTripletSampler(data.train, { batchSize: 16, maxHistory: 50, seed: 5 });
    const optimizer = tf.train.adam(0.01);
    const engine = new TfjsStepEngine({
      loss: (batch) => marsBprLoss(parts.blocks, parts.catalog.tokens, batch, { maxHistory: 50 }),
      variables: marsTrainableVariables(parts.blocks),
      optimizer,
    });
    const losses: number[] = [];
    for (let step = 0; step < 4; step++) losses.push(await engine.step(sampler.nextBatch()));
    expect(losses).toEqual(fit.losses);
    optimizer.dispose();
    parts.blocks.userEncoder.dispose();
    parts.blocks.itemEncoder.dispose();
    parts.blocks.itemBias?.dispose();
  });

  it('without steps, epochs or validation: holds out a slice, trains until validation stops improving, says how it ended', async () => {
    const model = MarsModel.create(smallConfig);
    const lines: string[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line));
    // a lower pass cap than the default keeps the test short; the rule is the same
    const result = await model.fit(data, {
      batchSize: 32,
      learningRate: 0.01,
      seed: 2,
      verbose: true,
      maxPasses: 6,
    });
    error.mockRestore();
    const positives = data.train.offsets[data.train.rowCount];
    expect(result.heldOutPositives).toBe(Math.floor(0.1 * positives)); // HOLDOUT_MAX_FRACTION binds here
    expect(['early-stopping', 'pass-cap']).toContain(result.stopReason);
    const cap = Math.ceil((6 * (positives - (result.heldOutPositives ?? 0))) / 32); // 6 passes
    if (result.stopReason === 'pass-cap') expect(result.steps).toBe(cap);
    else expect(result.steps).toBeLessThan(cap);
    expect(result.passes).toBeCloseTo((result.steps * 32) / (positives - (result.heldOutPositives ?? 0)), 10);
    expect(result.validations[0].step).toBe(0); // the collaborative part alone first
    expect(result.bestStep).toBe(
      result.validations.reduce((best, v) => (v.metrics['recall@50'] > best.metrics['recall@50'] ? v : best))
        .step,
    );
    expect(result.summary).toMatch(/^validated on \d+ training positives held out for it/);
    expect(result.summary).toMatch(/collaborative part: BPR-MF L2/);
    expect(result.summary).toMatch(new RegExp(`best step ${result.bestStep}`));
    // verbose: the same story on the console's error stream, ending with the summary
    expect(lines[0]).toMatch(/^fit: training up to \d+ steps/);
    expect(lines.filter((line) => line.startsWith('fit: validation at step'))).toHaveLength(
      result.validations.length,
    );
    expect(lines.at(-1)).toMatch(/^fit: (stopped early|reached the pass cap)/);
    model.dispose();
  });

  it('stops with an error naming the step and the cause when the loss turns non-finite', async () => {
    const model = MarsModel.create({ ...smallConfig, collaborativeFactors: 0, itemBias: true });
    const error = await model
      .fit(data, { steps: 50, batchSize: 16, learningRate: 1e30, optimizer: 'sgd' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    const { step } = error as NonFiniteLossError;
    expect(step).toBeGreaterThan(1);
    expect((error as Error).message).toMatch(
      new RegExp(
        `became (NaN|Infinity) at step ${step} \\(learning rate 1e\\+30\\): training diverged\\. The likely cause is a learning rate too large`,
      ),
    );
    model.dispose();
  });

  it('stops on an aborted signal and stays usable', async () => {
    const model = MarsModel.create(smallConfig);
    const controller = new AbortController();
    const result = await model.fit(data, {
      steps: 100,
      batchSize: 16,
      signal: controller.signal,
      onBatchEnd: ({ step }) => {
        if (step === 3) controller.abort();
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.steps).toBe(3);
    const recommendations = await model.recommend(['n002'], { k: 3 });
    expect(recommendations).toHaveLength(3);
    expect(recommendations.every((r) => Number.isFinite(r.score))).toBe(true);
    model.dispose();
  });

  it('recommend excludes the history and honours exclude and candidates; explain weights sum to 1', async () => {
    const model = MarsModel.create(smallConfig);
    await model.fit(data, { steps: 3, batchSize: 16 });
    const history = ['n001', 'n002'];
    const all = await model.recommend(history, { k: 200 });
    expect(all).toHaveLength(118);
    expect(all.map((r) => r.id)).not.toContain('n001');
    const restricted = await model.recommend(history, {
      k: 5,
      candidates: ['n010', 'n011', 'n001'],
      exclude: ['n011'],
    });
    expect(restricted.map((r) => r.id)).toEqual(['n010']);
    const explanation = await model.explain(history, 'n010');
    expect(explanation.history.map((h) => h.id)).toEqual(history);
    expect(explanation.history.reduce((sum, h) => sum + h.weight, 0)).toBeCloseTo(1, 5);
    expect(explanation.uniformity).toEqual(attentionUniformity(explanation.history.map((h) => h.weight)));
    expect(explanation.score).toBeCloseTo(restricted[0].score, 4);
    expect(topicOf.size).toBe(120);
    model.dispose();
  });

  it('trains with SGD or a caller-owned optimizer; with itemBias it starts from the popularity order', async () => {
    const model = MarsModel.create({ ...smallConfig, itemBias: true, collaborativeFactors: 0 });
    // the warm start alone (a learning rate of 0 keeps it): scores follow the training counts
    await model.fit(data, { steps: 1, batchSize: 8, optimizer: 'sgd', learningRate: 0 });
    const counts = new Float64Array(data.itemIds.length);
    for (const item of data.train.indices) counts[item] += 1;
    const scores = await model.scoreItemsForHistories([new Int32Array(0)]); // empty memory: u = 0
    const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
    expect(counts[order[0]]).toBe(Math.max(...counts));
    expect(counts[order.at(-1) as number]).toBe(0);
    const directory = mkdtempSync(join(tmpdir(), 'mars-bias-'));
    await model.save(directory);
    const loaded = await MarsModel.load(directory);
    expect(Array.from(await loaded.scoreItemsForHistories([new Int32Array(0)]))).toEqual(Array.from(scores));
    loaded.dispose();
    const optimizer = tf.train.momentum(0.01, 0.9);
    const fit = await model.fit(data, { steps: 2, batchSize: 8, optimizer });
    expect(fit.losses.every(Number.isFinite)).toBe(true);
    expect(optimizer.getWeights).toBeDefined(); // still usable: the caller owns it
    optimizer.dispose();
    await expect(model.fit(data, { steps: 1, optimizer: 'lbfgs' as never })).rejects.toThrow(
      /optimizer must be 'adam', 'lazy-adam', 'sgd' or a tf.Optimizer, got 'lbfgs'/,
    );
    model.dispose();
  });

  it('with a collaborative part starts exactly at BPR-MF, adds p_u . q_j only for known users, and saves it', async () => {
    const model = MarsModel.create({ ...smallConfig, collaborativeFactors: 8 });
    // zero steps: the collaborative part alone, the item encoder's output still zero
    const validation = test;
    const fit = await model.fit({ ...data, validation }, { steps: 0, seed: 3 });
    expect(fit.steps).toBe(0);
    // with validation data, its L2 and epochs are chosen on it: the tuned BPR-MF
    const reference = (await tuneBprMf(data.train, validation, { factors: 8, seed: 3 })).model;
    expect(fit.collaborative).toMatchObject({ l2: expect.any(Number), epochs: expect.any(Number) });
    expect(fit.summary).toMatch(/^collaborative part: BPR-MF L2 [\d.]+, \d+ epochs chosen on validation/);
    const users = Int32Array.from([0, 5, 17]);
    const histories = Array.from(users, (user) =>
      data.train.indices.subarray(data.train.offsets[user], data.train.offsets[user + 1]),
    );
    const scores = await model.scoreItemsForHistories(histories, users);
    const expected = reference.scoreUsers(users);
    const seen = new Set(data.train.indices);
    for (let row = 0; row < users.length; row++)
      for (const item of seen) expect(scores[row * 120 + item]).toBeCloseTo(expected[row * 120 + item], 5);
    // an anonymous history gets a folded-in user vector: on the held-out items of these users it
    // ranks better than the item biases alone (the popularity part of the same model)
    const everyUser = Int32Array.from({ length: data.train.rowCount }, (_, user) => user);
    const anonymousScores = async (rows: Int32Array): Promise<Float32Array> =>
      model.scoreItemsForHistories(
        Array.from(rows, (user) =>
          data.train.indices.subarray(data.train.offsets[user], data.train.offsets[user + 1]),
        ),
      );
    const recallOf = async (
      score: (rows: Int32Array) => Promise<Float32Array> | Float32Array,
    ): Promise<number> =>
      (
        await evaluateRanking({
          itemCount: 120,
          targets: test,
          exclude: data.train,
          metrics: ['recall@10'],
          score,
        })
      ).mean['recall@10'];
    const foldedIn = await recallOf(anonymousScores);
    const biasesOnly = await recallOf((rows) => {
      const out = new Float32Array(rows.length * 120);
      for (let row = 0; row < rows.length; row++) out.set(reference.itemBiases, row * 120);
      return out;
    });
    expect(foldedIn).toBeGreaterThan(biasesOnly + 0.05);
    expect(everyUser.length).toBe(80);

    // after training the text term is live; the user term still applies, and save/load keeps all
    const trained = await model.fit({ ...data, validation }, { steps: 4, batchSize: 16, learningRate: 0.01 });
    expect(trained.validations[0].step).toBe(0); // the collaborative ranking is the first candidate
    const history = data.itemIds.filter((_, item) => histories[1].includes(item));
    const withUser = await model.recommend(history, { k: 5, user: 5 });
    const withoutUser = await model.recommend(history, { k: 5 });
    expect(withUser).not.toEqual(withoutUser);
    const directory = mkdtempSync(join(tmpdir(), 'mars-cf-'));
    await model.save(directory);
    const loaded = await MarsModel.load(directory);
    expect(await loaded.recommend(history, { k: 5, user: 5 })).toEqual(withUser);
    expect(await loaded.explain(history, withUser[0].id, { user: 5 })).toEqual(
      await model.explain(history, withUser[0].id, { user: 5 }),
    );
    expect((await model.explain(history, withUser[0].id, { user: 5 })).score).toBeCloseTo(
      withUser[0].score,
      4,
    );
    await expect(model.recommend(history, { user: 80 })).rejects.toThrow(
      /user 80 \(history 0\) is not a training user index in \[0, 80\) or -1/,
    );
    loaded.dispose();
    model.dispose();
    const plain = MarsModel.create({ ...smallConfig, collaborativeFactors: 0 });
    await plain.fit(data, { steps: 1, batchSize: 8 });
    await expect(plain.recommend(history, { user: 1 })).rejects.toThrow(/no collaborative part/);
    plain.dispose();
  });

  it('starts the word embeddings from pretrained vectors, keeps them fixed on request, and saves them', async () => {
    // vectors for the first words of the corpus, in the GloVe text format
    const tokens = [...new Set((data.itemTexts ?? []).join(' ').toLowerCase().split(/\W+/))].filter(
      (w) => w.length > 3,
    );
    const chosen = tokens.slice(0, 12);
    const vectorOf = (word: string, k: number): number => ((word.charCodeAt(k % word.length) % 17) - 8) / 10;
    const lines = chosen.map(
      (word) => `${word} ${Array.from({ length: 16 }, (_, k) => vectorOf(word, k)).join(' ')}`,
    );
    const config = { ...smallConfig, collaborativeFactors: 0, trainableWordEmbeddings: false };
    const model = MarsModel.create(config);
    const fit = await model.fit(data, { steps: 3, batchSize: 16, learningRate: 0.01, wordVectors: lines });
    expect(fit.wordVectorsFound).toBeGreaterThan(6);
    const directory = mkdtempSync(join(tmpdir(), 'mars-vectors-'));
    await model.save(directory);
    const { metadata, tensors } = await loadArtifact<{ vocabulary: unknown }>(directory);
    const vocabulary = Vocabulary.fromJSON(metadata.vocabulary);
    // weights are saved by name: the fixed embedding is the user encoder's 'embedding'
    const table = tensors.get('user_encoder/embedding') as tf.Tensor;
    expect(table.shape).toEqual([vocabulary.size, 16]);
    const values = await table.data();
    let checked = 0;
    for (const word of chosen) {
      const id = vocabulary.idOf(word);
      if (id < 2) continue;
      checked++;
      // fixed: still exactly the given vectors after three training steps
      for (let k = 0; k < 16; k++) expect(values[id * 16 + k]).toBeCloseTo(vectorOf(word, k), 6);
    }
    expect(checked).toBe(fit.wordVectorsFound);
    tf.dispose([...tensors.values()]);
    const loaded = await MarsModel.load(directory);
    expect(await loaded.recommend(['n001', 'n002'], { k: 5 })).toEqual(
      await model.recommend(['n001', 'n002'], { k: 5 }),
    );
    loaded.dispose();
    model.dispose();
    const mismatched = MarsModel.create({ ...smallConfig, embeddingDim: 8 });
    await expect(mismatched.fit(data, { steps: 1, wordVectors: lines })).rejects.toThrow(
      /the word vectors have 16 dimensions but embeddingDim is 8; set embeddingDim to 16/,
    );
    mismatched.dispose();
  });

  it('reports bad input clearly', async () => {
    const model = MarsModel.create(smallConfig);
    await expect(model.recommend(['n001'])).rejects.toThrow(/has not been trained or loaded/);
    await model.fit(data, { steps: 1, batchSize: 8 });
    await expect(model.recommend(['n001', 'nope'])).rejects.toThrow(
      /Unknown history item \(user 0\) id 'nope' at position 1/,
    );
    await expect(model.fit({ ...data, itemTexts: (data.itemTexts ?? []).slice(1) })).rejects.toThrow(
      /item texts/,
    );
    expect(() => MarsModel.create({ filters: 0 })).toThrow(/filters must be a positive integer/);
    expect(() => MarsModel.create({ nonsense: 1 } as never)).toThrow(/unknown field 'nonsense'/);
    model.dispose();
  });
});
