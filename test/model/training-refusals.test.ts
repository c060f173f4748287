import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CsrMatrix } from '../../src/data/csr';
import { loadArtifact } from '../../src/model/artifact';
import { resolveMarsConfig } from '../../src/model/config';
import { MarsModel } from '../../src/model/mars-model';
import { Vocabulary } from '../../src/text/vocabulary';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function rows(matrix: number[][], columnCount: number): CsrMatrix {
  const offsets = new Int32Array(matrix.length + 1);
  matrix.forEach((row, user) => (offsets[user + 1] = offsets[user] + row.length));
  return { rowCount: matrix.length, columnCount, offsets, indices: Int32Array.from(matrix.flat()) };
}

const tiny = { embeddingDim: 4, filters: 4, outputDim: 4, collaborativeFactors: 0, minWordCount: 1 };

describe('MarsModel.fit refuses data it cannot learn from, and trains on the smallest data it can', () => {
  it('an empty vocabulary (only stopwords, or no word seen twice) is refused with the fields to change', async () => {
    const model = MarsModel.create({ ...tiny, minWordCount: 2 });
    const data = {
      itemIds: ['a', 'b', 'c'],
      itemTexts: ['The cat', 'and a dog', 'of the fox'], // after stopwords: cat, dog, fox, each once
      train: rows([[0, 1]], 3),
    };
    await expect(model.fit(data, { steps: 1 })).rejects.toThrow(
      /the vocabulary is empty: no word of the 3 item texts is left after HTML cleanup, stopword removal \(stopwords: en\) and the minimum count \(minWordCount 2\).*--config '\{"minWordCount":1,"stopwords":\[\]\}'/,
    );
    model.dispose();
    const stopwordsOnly = MarsModel.create({ ...tiny });
    await expect(
      stopwordsOnly.fit({ ...data, itemTexts: ['the', 'and of', '<b>it</b>'] }, { steps: 1 }),
    ).rejects.toThrow(/the vocabulary is empty/);
    stopwordsOnly.dispose();
  });

  it('no positive, or fewer than two items, is refused', async () => {
    const model = MarsModel.create(tiny);
    const texts = { itemIds: ['a', 'b'], itemTexts: ['red apple', 'green pear'] };
    await expect(model.fit({ ...texts, train: rows([[], []], 2) }, { steps: 1 })).rejects.toThrow(
      /train holds no positive \(2 users, none with an item\)/,
    );
    await expect(
      model.fit({ itemIds: ['a'], itemTexts: ['red apple'], train: rows([[0]], 1) }, { steps: 1 }),
    ).rejects.toThrow(/the catalogue has 1 item\(s\); BPR training needs at least 2/);
    model.dispose();
  });

  it('one user with one positive among two items trains, recommends and saves', async () => {
    const before = tf.memory().numTensors;
    const model = MarsModel.create(tiny);
    const fit = await model.fit(
      { itemIds: ['a', 'b'], itemTexts: ['red apple', 'green pear'], train: rows([[0]], 2) },
      { steps: 3, batchSize: 2 },
    );
    expect(fit.steps).toBe(3);
    expect(fit.losses.every(Number.isFinite)).toBe(true);
    expect((await model.recommend(['a'], { k: 5 })).map((r) => r.id)).toEqual(['b']);
    const directory = join(mkdtempSync(join(tmpdir(), 'mars-degenerate-')), 'model');
    await model.save(directory);
    const loaded = await MarsModel.load(directory);
    expect(await loaded.recommend(['a'])).toEqual(await model.recommend(['a']));
    loaded.dispose();
    model.dispose();
    await new Promise((done) => setTimeout(done, 0));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('MARS on non-Latin texts', () => {
  const itemIds = ['h1', 'h2', 'h3', 'h4'];
  const itemTexts = ['हिन्दी भाषा सुंदर', 'हिन्दी किताब', 'भाषा किताब पढ़ना', 'सुंदर पढ़ना'];
  const train = rows(
    [
      [0, 1],
      [2, 3],
      [1, 2],
    ],
    4,
  );

  it('learns whole words by default; a model saved with the report words keeps them and scores the same', async () => {
    const words = async (
      config: object,
    ): Promise<{ tokens: readonly string[]; directory: string; model: MarsModel }> => {
      const model = MarsModel.create({ ...tiny, stopwords: [], ...config });
      await model.fit({ itemIds, itemTexts, train }, { steps: 2, batchSize: 2 });
      const directory = join(mkdtempSync(join(tmpdir(), 'mars-script-')), 'model');
      await model.save(directory);
      const { metadata, tensors } = await loadArtifact<{ vocabulary: unknown }>(directory);
      tf.dispose([...tensors.values()]);
      return { tokens: Vocabulary.fromJSON(metadata.vocabulary).tokens, directory, model };
    };
    const unicode = await words({});
    expect([...unicode.tokens].sort()).toEqual(['किताब', 'पढ़ना', 'भाषा', 'सुंदर', 'हिन्दी'].sort());
    unicode.model.dispose();
    const report = await words({ wordBoundaries: 'report' });
    expect(report.tokens).not.toContain('हिन्दी');
    expect(report.tokens).toContain('ह'); // हिन्दी broken at its vowel signs
    const loaded = await MarsModel.load(report.directory);
    expect(loaded.config.wordBoundaries).toBe('report');
    expect(await loaded.recommend(['h1'], { k: 3 })).toEqual(await report.model.recommend(['h1'], { k: 3 }));
    loaded.dispose();
    report.model.dispose();
  });

  it('MarsConfig takes wordBoundaries and refuses sizes beyond MARS_CONFIG_BOUNDS', () => {
    expect(resolveMarsConfig().wordBoundaries).toBe('unicode');
    expect(() => resolveMarsConfig({ wordBoundaries: 'words' as 'unicode' })).toThrow(
      /wordBoundaries must be/,
    );
    expect(() => resolveMarsConfig({ embeddingDim: 1e12 })).toThrow(
      /embeddingDim must be a positive integer at most 4,096/,
    );
    expect(() => resolveMarsConfig({ maxHistory: 1e9 })).toThrow(/maxHistory .* at most 10,000/);
    expect(() => resolveMarsConfig({ collaborativeFactors: 5000 })).toThrow(
      /collaborativeFactors must be an integer >= 0 at most 4,096/,
    );
    expect(() => resolveMarsConfig(null as never)).toThrow(/MarsConfig must be an object/);
    expect(() => resolveMarsConfig({ kernelSizes: '3' as never })).toThrow(/kernelSizes must be an array/);
  });
});
