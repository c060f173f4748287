import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../../src/text/tokenizer';
import { builtInStopwords, STOPWORD_LANGUAGES } from '../../src/text/stopwords';

// Independent reference: the report's word definition, Python's re.findall(r'\w+', ...), after
// NFKC and lowercasing, written with the Unicode regex findings.md names.
function referenceTokens(text: string): string[] {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}_]+/gu) ?? []
  );
}

describe('Tokenizer (wordBoundaries: report): hand-worked examples (expected values checked against Python 3 re.findall(r"\\w+", unicodedata.normalize("NFKC", s).lower()))', () => {
  const tokenizer = new Tokenizer({ wordBoundaries: 'report' });
  const cases: [string, string, string[]][] = [
    ['umlauts', 'Müller über Straße', ['müller', 'über', 'straße']],
    ['ß stays ß, capital ẞ lowercases to ß', 'STRASSE ẞ Groß', ['strasse', 'ß', 'groß']],
    ['precomposed accents', 'Café naïve résumé', ['café', 'naïve', 'résumé']],
    ['combining accents are composed by NFKC', 'Cafe\u0301 nai\u0308ve', ['café', 'naïve']],
    [
      'CJK runs without spaces are one token',
      '東京タワーは高い。北京 2008',
      ['東京タワーは高い', '北京', '2008'],
    ],
    ['emoji are not word characters', 'I ❤️ pizza 🍕🍕 really😀!', ['i', 'pizza', 'really']],
    [
      'NFKC folds ligatures, full-width, superscripts, fractions',
      'ﬁle Ｆｕｌｌ x² ½ ①',
      ['file', 'full', 'x2', '1', '2', '1'],
    ],
    [
      'numbers, underscores and punctuation',
      'snake_case foo-bar 3.14 1,000 42nd',
      ['snake_case', 'foo', 'bar', '3', '14', '1', '000', '42nd'],
    ],
    ['Greek final sigma', 'ΟΔΟΣ Σίσυφος', ['\u03bf\u03b4\u03bf\u03c2', 'σίσυφος']],
    ['Devanagari marks break words, as in Python', 'हिन्दी भाषा', ['ह', 'न', 'द', 'भ', 'ष']],
    ['empty text', '', []],
    ['only punctuation and emoji', ' ... !!! 🎉 — ', []],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(tokenizer.tokenize(text)).toEqual(expected);
  });

  it('combiningMarks: true keeps Devanagari words and i̇ whole', () => {
    const marks = new Tokenizer({ wordBoundaries: 'report', combiningMarks: true });
    expect(marks.tokenize('हिन्दी भाषा')).toEqual(['हिन्दी', 'भाषा']);
    expect(marks.tokenize('İstanbul')).toEqual(['i\u0307stanbul']);
    expect(tokenizer.tokenize('İstanbul')).toEqual(['i', 'stanbul']);
  });

  it('nfkc: false leaves a decomposed accent as a word break and keeps full-width letters', () => {
    const raw = new Tokenizer({ nfkc: false, wordBoundaries: 'report' });
    expect(raw.tokenize('Cafe\u0301 bar')).toEqual(['cafe', 'bar']);
    expect(raw.tokenize('Ｆｕｌｌ')).toEqual(['ｆｕｌｌ']);
  });

  it('lowercase: false keeps case but still removes stopwords case-insensitively', () => {
    const cased = new Tokenizer({ lowercase: false, stopwords: 'en' });
    expect(cased.tokenize('The Cat and THE Hat')).toEqual(['Cat', 'Hat']);
  });
});

describe('Tokenizer (wordBoundaries: report): matches the Unicode word reference on any input', () => {
  const tokenizer = new Tokenizer({ wordBoundaries: 'report' });
  it('on ASCII strings (the fast path)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 80 }), (text) => {
        expect(tokenizer.tokenize(text)).toEqual(referenceTokens(text));
      }),
      { numRuns: 300 },
    );
  });
  it('on arbitrary Unicode strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        expect(tokenizer.tokenize(text)).toEqual(referenceTokens(text));
      }),
      { numRuns: 300 },
    );
  });
  it('on mixed ASCII words and accented letters', () => {
    const piece = fc.constantFrom('Ab', 'ç', 'É', ' ', '-', '9', '_', 'ß', '\u0301', '😀', 'ﬁ', '東');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        expect(tokenizer.tokenize(text)).toEqual(referenceTokens(text));
      }),
      { numRuns: 300 },
    );
  });
});

describe('Tokenizer: HTML cleanup', () => {
  const html = new Tokenizer({ html: true });
  it('drops tags, comments and scripts and decodes entities', () => {
    const text =
      '<p class="x">Great&nbsp;game &amp; fun</p><br/>Rock&#39;n&#x27;roll <!-- note --><script>var x = 1;</script>&eacute;t&eacute;';
    expect(html.tokenize(text)).toEqual(['great', 'game', 'fun', 'rock', 'n', 'roll', 'été']);
  });
  it('a tag between letters separates words', () => {
    expect(html.tokenize('one<br>two<b>three</b>')).toEqual(['one', 'two', 'three']);
  });
  it('keeps a lone < that starts no tag', () => {
    expect(html.tokenize('a < b and i <3 it')).toEqual(['a', 'b', 'and', 'i', '3', 'it']);
  });
  it('a description of markup only reduces to no tokens', () => {
    expect(html.tokenize('<div><img src="a.png"/><br/>&nbsp;&middot;</div>')).toEqual([]);
  });
  it('is off by default: markup words and entity names stay', () => {
    expect(new Tokenizer().tokenize('<b>x</b> &amp;')).toEqual(['b', 'x', 'b', 'amp']);
  });
});

describe('Tokenizer: stopwords and minimum length', () => {
  it('removes built-in English stopwords', () => {
    const tokenizer = new Tokenizer({ stopwords: 'en' });
    expect(tokenizer.tokenize('The cat and the hat are on the mat')).toEqual(['cat', 'hat', 'mat']);
  });
  it('removes built-in German stopwords, umlauts included', () => {
    const tokenizer = new Tokenizer({ stopwords: 'de' });
    expect(tokenizer.tokenize('Der Hund läuft über die Straße, weil er müde ist')).toEqual([
      'hund',
      'läuft',
      'straße',
      'müde',
    ]);
  });
  it('combines several languages and user words, matched after normalization', () => {
    const tokenizer = new Tokenizer({ stopwords: ['en', 'de'], extraStopwords: ['FILM', 'ﬁlm'] });
    expect(tokenizer.tokenize('The Film und der Hund film')).toEqual(['hund']);
    expect(tokenizer.isStopword('Film')).toBe(true);
    expect(tokenizer.isStopword('hund')).toBe(false);
  });
  it('an all-stopword text gives no tokens', () => {
    expect(new Tokenizer({ stopwords: 'en' }).tokenize('The and of, to the!')).toEqual([]);
  });
  it('built-in lists are lowercase words and every listed language has one', () => {
    for (const language of STOPWORD_LANGUAGES) {
      const list = builtInStopwords(language);
      expect(list.length).toBeGreaterThan(10);
      for (const word of list) expect(word).toBe(word.toLowerCase());
    }
    expect(builtInStopwords('en')).toContain('the');
    expect(builtInStopwords('de')).toContain('und');
  });
  it('minTokenLength counts code points, not UTF-16 units', () => {
    const tokenizer = new Tokenizer({ minTokenLength: 2, wordBoundaries: 'report' });
    // U+20000 is one letter written as two UTF-16 units
    expect(tokenizer.tokenize('a ab \u{20000} \u{20000}x 東 東京')).toEqual(['ab', '\u{20000}x', '東京']);
  });
});

describe('Tokenizer: fast path and state', () => {
  const tokenizer = new Tokenizer({ stopwords: 'en' });
  it('forEachToken visits the same tokens as tokenize and stops on false', () => {
    const text = 'The quick brown fox jumps over the lazy dog';
    const seen: string[] = [];
    const visited = tokenizer.forEachToken(text, (token) => {
      seen.push(token);
      return seen.length < 3;
    });
    expect(seen).toEqual(tokenizer.tokenize(text).slice(0, 3));
    expect(visited).toBe(3);
  });
  it('is re-entrant: a visitor may tokenize with the same tokenizer', () => {
    const outer: string[][] = [];
    tokenizer.forEachToken('ö alpha ü beta', (token) => {
      outer.push(tokenizer.tokenize(`${token} gamma ä`));
    });
    expect(outer).toEqual([
      ['ö', 'gamma', 'ä'],
      ['alpha', 'gamma', 'ä'],
      ['ü', 'gamma', 'ä'],
      ['beta', 'gamma', 'ä'],
    ]);
  });
  it('gives the same tokens on repeated calls', () => {
    const text = 'Straße <b>x</b> ÄÖÜ 12 ab';
    expect(tokenizer.tokenize(text)).toEqual(tokenizer.tokenize(text));
  });
});

describe('Tokenizer: bad input and JSON', () => {
  it('a non-string text is a TypeError', () => {
    const tokenizer = new Tokenizer();
    expect(() => tokenizer.tokenize(42 as unknown as string)).toThrow(TypeError);
    expect(() => tokenizer.tokenize(null as unknown as string)).toThrow(/got null/);
  });
  it('rejects bad options with the option named', () => {
    expect(() => new Tokenizer({ minTokenLength: 0 })).toThrow(/minTokenLength/);
    expect(() => new Tokenizer({ stopwords: 'xx' as 'en' })).toThrow(/unknown stopword language "xx"/);
    expect(() => new Tokenizer({ extraStopwords: ['a', 3 as unknown as string] })).toThrow(
      /extraStopwords\[1\]/,
    );
    expect(() => new Tokenizer({ html: 'yes' as unknown as boolean })).toThrow(/html/);
  });
  it('round-trips its settings through JSON', () => {
    const tokenizer = new Tokenizer({
      lowercase: false,
      html: true,
      stopwords: ['de'],
      extraStopwords: ['Kino'],
      minTokenLength: 2,
      combiningMarks: true,
    });
    const copy = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tokenizer)));
    expect(copy.toJSON()).toEqual(tokenizer.toJSON());
    const text = '<p>Das Kino in München &amp; der Film</p> a';
    expect(copy.tokenize(text)).toEqual(tokenizer.tokenize(text));
    expect(copy.tokenize(text)).toEqual(['München', 'Film']);
  });
  it('fromJSON rejects other formats and unknown versions', () => {
    const json = { ...new Tokenizer().toJSON() };
    expect(() => Tokenizer.fromJSON({ ...json, version: 3 })).toThrow(/unsupported format version 3/);
    expect(() => Tokenizer.fromJSON({ ...json, wordBoundaries: 'words' })).toThrow(/"wordBoundaries"/);
    expect(() => Tokenizer.fromJSON({ ...json, format: 'other' })).toThrow(/format/);
    expect(() => Tokenizer.fromJSON({ ...json, html: 'no' })).toThrow(/"html"/);
    expect(() => Tokenizer.fromJSON([])).toThrow(TypeError);
  });
});

// Independent reference of wordBoundaries 'unicode' by its definition: UAX #29 word segments
// (Intl.Segmenter), then runs of letters, digits, _ and marks inside each; always segmenting.
const unicodeWord = /[\p{L}\p{N}_](?:[\p{L}\p{M}\p{N}_]|[\u200c\u200d](?=[\p{L}\p{M}\p{N}_]))*/gu;
function unicodeReferenceTokens(text: string): string[] {
  const prepared = text.normalize('NFKC').toLowerCase();
  const segmenter = new Intl.Segmenter('und', { granularity: 'word' });
  return [...segmenter.segment(prepared)].flatMap(({ segment }) => segment.match(unicodeWord) ?? []);
}

describe('Tokenizer (wordBoundaries: unicode, the default): real sentences keep their words', () => {
  const tokenizer = new Tokenizer();
  const report = new Tokenizer({ wordBoundaries: 'report' });
  // expected tokens: the space-separated words of each sentence, punctuation removed, checked
  // by hand; Thai has no spaces: ภาษา (language) ไทย (Thai) ง่าย (easy) นิด เดียว (a little)
  const sentences: [string, string, string[]][] = [
    ['Hindi (Devanagari)', 'हिन्दी भारत की राजभाषा है।', ['हिन्दी', 'भारत', 'की', 'राजभाषा', 'है']],
    ['Arabic with harakat', 'اللُّغَةُ العَرَبِيَّةُ جميلة.', ['اللُّغَةُ', 'العَرَبِيَّةُ', 'جميلة']],
    ['Thai (no spaces)', 'ภาษาไทยง่ายนิดเดียว', ['ภาษา', 'ไทย', 'ง่าย', 'นิด', 'เดียว']],
    ['Vietnamese', 'Tiếng Việt có sáu thanh điệu.', ['tiếng', 'việt', 'có', 'sáu', 'thanh', 'điệu']],
    ['Hebrew with niqqud', 'שָׁלוֹם עוֹלָם', ['שָׁלוֹם', 'עוֹלָם']],
    ['Bengali', 'আমি বাংলায় গান গাই।', ['আমি', 'বাংলায়', 'গান', 'গাই']],
    ['Tamil', 'தமிழ் மொழி', ['தமிழ்', 'மொழி']],
    ['Persian, a zero-width non-joiner inside a word', 'من می‌خواهم بروم', ['من', 'می\u200cخواهم', 'بروم']],
  ];
  it.each(sentences)('%s', (_script, text, expected) => {
    expect(tokenizer.tokenize(text)).toEqual(expected);
  });

  it("'report' breaks the same words at their marks, as Python's \\w+ does", () => {
    expect(report.tokenize('हिन्दी भारत')).toEqual(['ह', 'न', 'द', 'भ', 'रत']);
    expect(report.tokenize('اللُّغَةُ')).toEqual(['الل', 'غ', 'ة']);
    expect(report.tokenize('ภาษาไทยง่ายนิดเดียว')).toEqual(['ภาษาไทยง', 'ายน', 'ดเด', 'ยว']);
    expect(report.tokenize('שָׁלוֹם')).toEqual(['ש', 'לו', 'ם']);
  });

  it('keeps decomposed Vietnamese words whole even without NFKC (report mode breaks them)', () => {
    const text = 'Tiếng Việt'.normalize('NFD');
    const words = new Tokenizer({ nfkc: false }).tokenize(text);
    expect(words.map((word) => word.normalize('NFC'))).toEqual(['tiếng', 'việt']);
    const broken = new Tokenizer({ nfkc: false, wordBoundaries: 'report' }).tokenize(text);
    expect(broken.map((word) => word.normalize('NFC'))).toEqual(['tie', 'ng', 'vie', 't']);
  });

  it('tokenizes ASCII text exactly as the report does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 80 }), (text) => {
        expect(tokenizer.tokenize(text)).toEqual(referenceTokens(text));
      }),
      { numRuns: 300 },
    );
    expect(tokenizer.tokenize("don't stop_me 3.14 U.S.A.")).toEqual([
      'don',
      't',
      'stop_me',
      '3',
      '14',
      'u',
      's',
      'a',
    ]);
  });

  it('matches the segmenting reference on any input (the no-segmenter fast path changes nothing)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        expect(tokenizer.tokenize(text)).toEqual(unicodeReferenceTokens(text));
      }),
      { numRuns: 500 },
    );
    // mixed scripts, marks, joiners and punctuation where boundaries are subtle
    const piece = fc.constantFrom(
      'a',
      'É',
      ' ',
      "'",
      '.',
      '1',
      '_',
      '\u0301',
      '\u200c',
      '\u200d',
      'ह',
      'ि',
      '्',
      'ب',
      'َ',
      'ש',
      'ָ',
      '"',
      'ก',
      '่',
      '東',
      'タ',
      'の',
      '한',
      'ж',
      '٣',
      '①',
      '𐅵',
      '😀',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
        const text = pieces.join('');
        expect(tokenizer.tokenize(text)).toEqual(unicodeReferenceTokens(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips through JSON; a version 1 JSON (saved before the option) keeps the report words', () => {
    const json = tokenizer.toJSON();
    expect(json).toMatchObject({ version: 2, wordBoundaries: 'unicode' });
    expect(Tokenizer.fromJSON(JSON.parse(JSON.stringify(json))).tokenize('हिन्दी')).toEqual(['हिन्दी']);
    const legacy = { ...report.toJSON() };
    expect(legacy.version).toBe(1);
    expect('wordBoundaries' in legacy).toBe(false);
    expect(Tokenizer.fromJSON(legacy).tokenize('हिन्दी')).toEqual(['ह', 'न', 'द']);
    // a version 1 JSON claiming another mode is read as what version 1 means
    expect(Tokenizer.fromJSON({ ...legacy, wordBoundaries: 'unicode' }).tokenize('हिन्दी')).toEqual([
      'ह',
      'न',
      'द',
    ]);
  });

  it('refuses unknown modes and combiningMarks: false with unicode boundaries', () => {
    expect(() => new Tokenizer({ wordBoundaries: 'words' as 'unicode' })).toThrow(/wordBoundaries must be/);
    expect(() => new Tokenizer({ combiningMarks: false })).toThrow(
      /combiningMarks: false needs wordBoundaries: 'report'/,
    );
  });
});
