import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCorpus, encodeCorpusAsync, encodeText } from '../../src/text/encode-corpus';
import { Tokenizer } from '../../src/text/tokenizer';
import { Vocabulary } from '../../src/text/vocabulary';
import { sharedDatasetPath } from '../helpers/shared-data';

const tokenizer = new Tokenizer({ stopwords: 'en' });
const vocabulary = Vocabulary.fit(['the cat sat on the mat', 'a cat and a dog', 'dog mat'], {
  tokenizer,
});
// words: cat 2, dog 2, mat 2, sat 1 (dropped) -> cat 2, dog 3, mat 4

describe('encodeCorpus', () => {
  it('hand-worked: concatenated ids and row splits, empty rows for empty and all-stopword texts', () => {
    const encoded = encodeCorpus(['The cat sat', '', 'the and of', 'mat, dog; cat!'], tokenizer, vocabulary);
    expect(Array.from(encoded.values)).toEqual([2, 1, 4, 3, 2]);
    expect(Array.from(encoded.rowSplits)).toEqual([0, 2, 2, 2, 5]);
  });

  it('an empty corpus gives one split at 0', () => {
    const encoded = encodeCorpus([], tokenizer, vocabulary);
    expect(encoded.values.length).toBe(0);
    expect(Array.from(encoded.rowSplits)).toEqual([0]);
  });

  it('truncates each row after stopword removal', () => {
    const texts = ['the cat the dog the mat the fox', 'dog'];
    const post = encodeCorpus(texts, tokenizer, vocabulary, { maxLength: 2 });
    expect(Array.from(post.values)).toEqual([2, 3, 3]);
    const pre = encodeCorpus(texts, tokenizer, vocabulary, { maxLength: 2, truncate: 'pre' });
    expect(Array.from(pre.values)).toEqual([4, 1, 3]);
    expect(Array.from(pre.rowSplits)).toEqual([0, 2, 3]);
  });

  it('equals tokenize + Vocabulary.encode per item, for any texts and options', () => {
    const piece = fc.constantFrom('cat', 'dog', 'mat', 'the', 'Straße', 'x', ' ', ', ', '<b>', '😀');
    const text = fc.array(piece, { maxLength: 15 }).map((pieces) => pieces.join(' '));
    fc.assert(
      fc.property(
        fc.array(text, { maxLength: 8 }),
        fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
        fc.constantFrom<'pre' | 'post'>('pre', 'post'),
        (texts, maxLength, truncate) => {
          const options = { maxLength, truncate };
          const encoded = encodeCorpus(texts, tokenizer, vocabulary, options);
          expect(encoded.rowSplits.length).toBe(texts.length + 1);
          texts.forEach((item, row) => {
            const expected = vocabulary.encode(tokenizer.tokenize(item), options);
            const actual = encoded.values.subarray(encoded.rowSplits[row], encoded.rowSplits[row + 1]);
            expect(Array.from(actual)).toEqual(Array.from(expected));
            expect(Array.from(encodeText(item, tokenizer, vocabulary, options))).toEqual(
              Array.from(expected),
            );
          });
          expect(encoded.rowSplits[texts.length]).toBe(encoded.values.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('grows past its initial buffer without losing ids', () => {
    const texts = Array.from({ length: 600 }, (_, index) => (index % 2 === 0 ? 'cat dog mat' : 'dog'));
    const encoded = encodeCorpus(texts, tokenizer, vocabulary);
    expect(encoded.values.length).toBe(300 * 3 + 300);
    expect(Array.from(encoded.values.subarray(1197))).toEqual([2, 3, 4, 3].slice(1));
  });

  it('accepts { id, text } items and token arrays, and the async form agrees', async () => {
    const items = [{ id: 'm1', text: 'The cat' }, ['dog', 'unknown'], 'mat'];
    const expected = encodeCorpus(items, tokenizer, vocabulary);
    expect(Array.from(expected.values)).toEqual([2, 3, 1, 4]);
    async function* stream(): AsyncGenerator<(typeof items)[number]> {
      yield* items;
    }
    expect(await encodeCorpusAsync(stream(), tokenizer, vocabulary)).toEqual(expected);
  });

  it('a non-string text is a TypeError naming the item index or id', () => {
    expect(() => encodeCorpus(['cat', undefined as unknown as string], tokenizer, vocabulary)).toThrow(
      /item 1: expected a text.*got undefined/,
    );
    expect(() =>
      encodeCorpus([{ id: 17, text: 5 as unknown as string }], tokenizer, vocabulary, { maxLength: 0 }),
    ).toThrow(/item 0 \(id 17\)/);
    expect(() => encodeCorpus(['cat'], tokenizer, vocabulary, { maxLength: 1.5 })).toThrow(/maxLength/);
  });
});

describe('encodeCorpus on movies_tmdb_small', () => {
  const folder = sharedDatasetPath('movies_tmdb_small');
  it.skipIf(!folder)(
    'encodes 500 synopses consistently (skipped: ../shared/data/movies_tmdb_small absent)',
    () => {
      const texts = readFileSync(join(folder as string, 'items.jsonl'), 'utf8')
        .split('\n')
        .filter((line) => line.length > 0)
        .slice(0, 500)
        .map((line) => (JSON.parse(line) as { text: string }).text);
      const plain = new Tokenizer();
      const fitted = Vocabulary.fit(texts, { tokenizer: plain });
      const encoded = encodeCorpus(texts, plain, fitted, { maxLength: 300 });
      expect(encoded.rowSplits.length).toBe(501);
      texts.forEach((text, row) => {
        const reference =
          text
            .normalize('NFKC')
            .toLowerCase()
            .match(/[\p{L}\p{N}_]+/gu) ?? [];
        expect(encoded.rowSplits[row + 1] - encoded.rowSplits[row]).toBe(Math.min(300, reference.length));
      });
      for (const id of encoded.values) expect(id).toBeLessThan(fitted.size);
      // uncapped, the OOV ids are exactly the occurrences of tokens seen once in these texts
      const counts = new Map<string, number>();
      for (const text of texts)
        for (const token of plain.tokenize(text)) counts.set(token, (counts.get(token) ?? 0) + 1);
      const singletons = [...counts.values()].filter((count) => count === 1).length;
      const uncapped = encodeCorpus(texts, plain, fitted);
      expect(uncapped.values.filter((id) => id === 1).length).toBe(singletons);
    },
  );
});
