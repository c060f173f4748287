import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadItemTokens } from '../../src/data/load-items';
import type { CsrMatrix } from '../../src/data/csr';
import { MarsModel } from '../../src/model/mars-model';
import { Tokenizer } from '../../src/text/tokenizer';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('MarsModel.fit with itemTokens', () => {
  const texts = [
    'The cat sat on the mat',
    'A dog and a cat',
    '<p>Dogs run</p> far',
    'mat cat dog',
    'run far away',
  ];
  const itemIds = texts.map((_, k) => `i${k}`);
  const rows = [
    [0, 1],
    [1, 2, 3],
    [0, 3],
    [2, 4],
    [1, 4],
  ];
  const offsets = Int32Array.from([0, ...rows.map((_, u) => rows.slice(0, u + 1).flat().length)]);
  const train: CsrMatrix = { rowCount: 5, columnCount: 5, offsets, indices: Int32Array.from(rows.flat()) };
  const config = {
    embeddingDim: 4,
    filters: 4,
    outputDim: 4,
    collaborativeFactors: 0,
    minWordCount: 1,
    stripHtml: true,
  };

  it('builds the same vocabulary and catalogue as from the texts, and refuses another tokenizer', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mars-tokens-')), 'items.jsonl');
    writeFileSync(path, itemIds.map((id, k) => JSON.stringify({ id, text: texts[k] })).join('\n'));
    const fromTexts = MarsModel.create(config);
    await fromTexts.fit({ itemIds, itemTexts: texts, train }, { steps: 1, batchSize: 4 });
    const tokenizer = new Tokenizer({ html: true, stopwords: fromTexts.config.stopwords as never });
    const { store } = await loadItemTokens(path, { tokenizer, cache: false });
    const fromTokens = MarsModel.create(config);
    await fromTokens.fit({ itemIds, itemTokens: store, train }, { steps: 1, batchSize: 4 });
    expect(fromTokens.catalog?.tokens).toEqual(fromTexts.catalog?.tokens);
    const other = await loadItemTokens(path, { tokenizer: new Tokenizer({ html: false }), cache: false });
    const refused = MarsModel.create(config);
    await expect(refused.fit({ itemIds, itemTokens: other.store, train }, { steps: 1 })).rejects.toThrow(
      /itemTokens were made by a tokenizer with other settings/,
    );
    await expect(refused.fit({ itemIds, train }, { steps: 1 })).rejects.toThrow(
      /give itemTexts or itemTokens/,
    );
    for (const model of [fromTexts, fromTokens, refused]) model.dispose();
  });
});
