import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/random';
import { compareCodePoints } from '../../src/text/compare-code-points';
import { OOV_ID, OOV_TOKEN, PADDING_ID, PADDING_TOKEN } from '../../src/text/reserved';
import { TokenCounter } from '../../src/text/token-counter';
import { Tokenizer } from '../../src/text/tokenizer';
import { Vocabulary } from '../../src/text/vocabulary';

// Brute-force reference: count, keep >= minCount, sort by count desc then code points.
function referenceWords(corpus: string[][], minCount: number, maxSize = Infinity): string[] {
  const counts: Record<string, number> = {};
  for (const tokens of corpus) for (const token of tokens) counts[token] = (counts[token] ?? 0) + 1;
  const codePoints = (token: string): number[] => [...token].map((c) => c.codePointAt(0) as number);
  return Object.entries(counts)
    .filter(([, count]) => count >= minCount)
    .sort((a, b) => {
      if (a[1] !== b[1]) return b[1] - a[1];
      const left = codePoints(a[0]);
      const right = codePoints(b[0]);
      for (let i = 0; i < Math.min(left.length, right.length); i++) {
        if (left[i] !== right[i]) return left[i] - right[i];
      }
      return left.length - right.length;
    })
    .slice(0, Math.max(0, maxSize - 2))
    .map(([token]) => token);
}

const corpusArbitrary = fc.array(
  fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'ä', 'ß', '東', 'x1', '\u{20000}'), {
    maxLength: 12,
  }),
  { maxLength: 12 },
);

describe('Vocabulary: fitting', () => {
  it('hand-worked: ids from 2 by count descending, then token; count 1 left out by default', () => {
    // counts: a 3, b 2, c 2, d 1
    const vocabulary = Vocabulary.fit(['b a a', 'c b a', 'd c']);
    expect(vocabulary.tokens).toEqual(['a', 'b', 'c']);
    expect(vocabulary.size).toBe(5);
    expect([vocabulary.idOf('a'), vocabulary.idOf('b'), vocabulary.idOf('c')]).toEqual([2, 3, 4]);
    expect(vocabulary.idOf('d')).toBe(OOV_ID);
    expect(vocabulary.countOf('a')).toBe(3);
    expect(vocabulary.countOf('d')).toBeUndefined();
  });

  it('minCount and maxSize (the reserved ids included) limit the words', () => {
    const texts = ['b a a', 'c b a', 'd c'];
    expect(Vocabulary.fit(texts, { minCount: 1 }).tokens).toEqual(['a', 'b', 'c', 'd']);
    expect(Vocabulary.fit(texts, { minCount: 1, maxSize: 4 }).tokens).toEqual(['a', 'b']);
    expect(Vocabulary.fit(texts, { maxSize: 2 }).size).toBe(2);
    expect(Vocabulary.fit(texts, { minCount: 4 }).tokens).toEqual([]);
  });

  it('breaks count ties by code point, not UTF-16 unit (U+FF71 before U+20000)', () => {
    const vocabulary = Vocabulary.fromCounts(
      new Map([
        ['\u{20000}', 2],
        ['\uff71', 2],
        ['z', 2],
      ]),
    );
    expect(vocabulary.tokens).toEqual(['z', '\uff71', '\u{20000}']);
  });

  it('matches a brute-force count-and-sort reference', () => {
    fc.assert(
      fc.property(
        corpusArbitrary,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 2, max: 8 }),
        (corpus, minCount, maxSize) => {
          const vocabulary = Vocabulary.fit(corpus, { minCount, maxSize });
          expect(vocabulary.tokens).toEqual(referenceWords(corpus, minCount, maxSize));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is deterministic: the corpus order does not change the ids', () => {
    const texts = ['x y z', 'y z w', 'z w v', 'v w', 'q r q r', 'u u'];
    const random = new SeededRandom(7);
    const first = Vocabulary.fit(texts, { minCount: 1 }).toJSON();
    for (let round = 0; round < 5; round++) {
      const shuffled = random.shuffle([...texts]);
      expect(Vocabulary.fit(shuffled, { minCount: 1 }).toJSON()).toEqual(first);
    }
  });

  it('uses the given tokenizer for texts and token arrays as they are', () => {
    const tokenizer = new Tokenizer({ stopwords: 'en' });
    const vocabulary = Vocabulary.fit(['The film', 'the FILM', ['The', 'The']], { tokenizer });
    // both counted twice; 'T' (U+0054) sorts before 'f'
    expect(vocabulary.tokens).toEqual(['The', 'film']);
  });

  it('streams a one-shot generator and an async iterable to the same result', async () => {
    const texts = ['a b', 'b c', 'c d', 'a a'];
    function* once(): Generator<string> {
      yield* texts;
    }
    async function* lines(): AsyncGenerator<{ id: string; text: string }> {
      for (const [index, text] of texts.entries()) yield { id: `n${index}`, text };
    }
    const expected = Vocabulary.fit(texts).toJSON();
    expect(Vocabulary.fit(once()).toJSON()).toEqual(expected);
    expect((await Vocabulary.fitAsync(lines())).toJSON()).toEqual(expected);
    expect((await Vocabulary.fitAsync(texts)).toJSON()).toEqual(expected);
  });

  it('TokenCounter keeps running totals', () => {
    const counter = new TokenCounter();
    counter.add('a b a');
    counter.add(['b']);
    expect([counter.itemCount, counter.tokenCount, counter.distinctCount]).toEqual([2, 4, 2]);
    expect([counter.countOf('a'), counter.countOf('b'), counter.countOf('z')]).toEqual([2, 2, 0]);
  });

  it('a non-string item is a TypeError naming its index or id', () => {
    expect(() => Vocabulary.fit(['ok', 7 as unknown as string])).toThrow(/item 1\b.*got number/);
    expect(() => Vocabulary.fit([{ id: 'tt42', text: null as unknown as string }])).toThrow(
      /item 0 \(id "tt42"\): field "text" must be a string, got null/,
    );
    expect(() => Vocabulary.fit([['a', 3 as unknown as string]])).toThrow(/item 0: token 1/);
  });

  it('rejects bad options', () => {
    expect(() => Vocabulary.fit([], { minCount: 0 })).toThrow(/minCount/);
    expect(() => Vocabulary.fit([], { maxSize: 1 })).toThrow(/maxSize/);
    expect(() => Vocabulary.fromCounts([['a', -1]])).toThrow(/count of token "a"/);
  });
});

describe('Vocabulary: encode and decode', () => {
  const vocabulary = Vocabulary.fromTokens(['the', 'cat', 'sat']);

  it('hand-worked: OOV tokens stay as id 1 in place', () => {
    expect(Array.from(vocabulary.encode(['the', 'dog', 'sat']))).toEqual([2, OOV_ID, 4]);
    expect(vocabulary.encode([])).toEqual(new Int32Array(0));
  });

  it("truncates 'post' (keeps the beginning, default) and 'pre' (keeps the end)", () => {
    const tokens = ['the', 'cat', 'sat', 'dog'];
    expect(Array.from(vocabulary.encode(tokens, { maxLength: 2 }))).toEqual([2, 3]);
    expect(Array.from(vocabulary.encode(tokens, { maxLength: 2, truncate: 'pre' }))).toEqual([4, 1]);
    expect(Array.from(vocabulary.encode(tokens, { maxLength: 9, truncate: 'pre' }))).toEqual([2, 3, 4, 1]);
    expect(vocabulary.encode(tokens, { maxLength: 0 }).length).toBe(0);
  });

  it('decodes words, marks OOV, skips padding unless asked', () => {
    const ids = [2, 1, 0, 4, 0];
    expect(vocabulary.decode(ids)).toEqual(['the', OOV_TOKEN, 'sat']);
    expect(vocabulary.decode(ids, { skipPadding: false })).toEqual([
      'the',
      OOV_TOKEN,
      PADDING_TOKEN,
      'sat',
      PADDING_TOKEN,
    ]);
    expect(vocabulary.tokenOf(PADDING_ID)).toBe(PADDING_TOKEN);
    expect(vocabulary.tokenOf(3)).toBe('cat');
  });

  it('rejects ids outside [0, size) and non-string tokens, naming the position', () => {
    expect(() => vocabulary.decode([2, 5])).toThrow(/ids\[1\] = 5/);
    expect(() => vocabulary.decode([-1])).toThrow(RangeError);
    expect(() => vocabulary.tokenOf(1.5)).toThrow(/\[0, 5\)/);
    expect(() => vocabulary.encode(['the', 4 as unknown as string])).toThrow(/token 1/);
    expect(() => vocabulary.encode(['the'], { maxLength: -1 })).toThrow(/maxLength/);
    expect(() => vocabulary.encode(['the'], { truncate: 'left' as 'pre' })).toThrow(/truncate/);
  });

  it('properties: ids < size, length <= maxLength, decode(encode(x)) keeps in-vocabulary tokens', () => {
    fc.assert(
      fc.property(
        corpusArbitrary,
        fc.array(fc.constantFrom('a', 'b', 'c', 'ä', 'ß', 'x1', 'unseen', '\u{20000}'), { maxLength: 20 }),
        fc.integer({ min: 0, max: 25 }),
        fc.constantFrom<'pre' | 'post'>('pre', 'post'),
        (corpus, tokens, maxLength, truncate) => {
          const fitted = Vocabulary.fit(corpus, { minCount: 1 });
          const ids = fitted.encode(tokens, { maxLength, truncate });
          expect(ids.length).toBe(Math.min(tokens.length, maxLength));
          for (const id of ids) {
            expect(id).toBeGreaterThanOrEqual(OOV_ID);
            expect(id).toBeLessThan(fitted.size);
          }
          const kept =
            truncate === 'post' ? tokens.slice(0, maxLength) : tokens.slice(tokens.length - ids.length);
          const expected = kept.map((token) => (fitted.has(token) ? token : OOV_TOKEN));
          expect(fitted.decode(ids)).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Vocabulary: JSON', () => {
  it('round-trips through JSON text with identical ids and counts', () => {
    const vocabulary = Vocabulary.fit(['Straße straße 東京 東京 a a a', 'b b'], { minCount: 2 });
    const copy = Vocabulary.fromJSON(JSON.parse(JSON.stringify(vocabulary)));
    expect(copy.toJSON()).toEqual(vocabulary.toJSON());
    expect(copy.tokens).toEqual(['a', 'b', 'straße', '東京']);
    expect(copy.countOf('straße')).toBe(2);
    const tokens = ['東京', 'a', 'zz', 'straße'];
    expect(copy.encode(tokens)).toEqual(vocabulary.encode(tokens));
  });

  it('round-trips a vocabulary without counts', () => {
    const vocabulary = Vocabulary.fromTokens(['x', 'y']);
    expect(vocabulary.toJSON()).toEqual({ format: 'mars-rec/vocabulary', version: 1, tokens: ['x', 'y'] });
    expect(Vocabulary.fromJSON(vocabulary.toJSON()).idOf('y')).toBe(3);
  });

  it('rejects an unknown version and malformed input with the field named', () => {
    const good = { format: 'mars-rec/vocabulary', version: 1, tokens: ['x', 'y'], counts: [3, 2] };
    expect(() => Vocabulary.fromJSON({ ...good, version: 2 })).toThrow(/unsupported format version 2/);
    expect(() => Vocabulary.fromJSON({ ...good, format: 'keras' })).toThrow(/"format"/);
    expect(() => Vocabulary.fromJSON({ ...good, tokens: 'x y' })).toThrow(/"tokens"/);
    expect(() => Vocabulary.fromJSON({ ...good, tokens: ['x', 'x'] })).toThrow(/appears twice/);
    expect(() => Vocabulary.fromJSON({ ...good, tokens: ['x', ''] })).toThrow(/token 1 \(id 3\)/);
    expect(() => Vocabulary.fromJSON({ ...good, tokens: ['x', 5] })).toThrow(TypeError);
    expect(() => Vocabulary.fromJSON({ ...good, tokens: ['<oov>', 'y'] })).toThrow(/reserved/);
    expect(() => Vocabulary.fromJSON({ ...good, counts: [3] })).toThrow(/"counts"/);
    expect(() => Vocabulary.fromJSON({ ...good, counts: [3, 1.5] })).toThrow(/counts\[1\]/);
    expect(() => Vocabulary.fromJSON(null)).toThrow(TypeError);
    expect(() => Vocabulary.fromJSON('{}')).toThrow(TypeError);
  });
});

describe('compareCodePoints', () => {
  it('orders like a comparison of code point arrays', () => {
    const byCodePoints = (a: string, b: string): number => {
      const left = [...a].map((c) => c.codePointAt(0) as number);
      const right = [...b].map((c) => c.codePointAt(0) as number);
      for (let i = 0; i < Math.min(left.length, right.length); i++) {
        if (left[i] !== right[i]) return Math.sign(left[i] - right[i]);
      }
      return Math.sign(left.length - right.length);
    };
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 6 }),
        fc.string({ unit: 'grapheme', maxLength: 6 }),
        (a, b) => {
          expect(Math.sign(compareCodePoints(a, b))).toBe(byCodePoints(a, b));
        },
      ),
      { numRuns: 500 },
    );
    expect(compareCodePoints('\uff71', '\u{20000}')).toBeLessThan(0);
  });
});
