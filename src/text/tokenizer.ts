import { stripHtml } from './html';
import type { StopwordLanguage } from './stopwords';
import { builtInStopwords, STOPWORD_LANGUAGES } from './stopwords';

/** Options of a {@link Tokenizer}. Every field is optional; the defaults are given per field. */
export interface TokenizerOptions {
  /** Lowercase the text (Unicode full case mapping: `Ä` to `ä`, `ẞ` to `ß`; `ß` stays). Default `true`. */
  lowercase?: boolean;
  /**
   * Apply Unicode NFKC normalization first: composes `a` + U+0308 into `ä`, folds ligatures
   * (`ﬁ` to `fi`), full-width letters (`Ａ` to `A`) and superscripts (`²` to `2`). Pure-ASCII
   * texts skip it (NFKC leaves ASCII unchanged). Default `true`.
   */
  nfkc?: boolean;
  /**
   * Treat the text as HTML: drop tags, comments and script/style content, decode character
   * references (`&amp;`, `&eacute;`, `&#233;`) before tokenizing. Turn it on for Amazon
   * descriptions; plain texts (synopses, news) do not need it. Default `false`, so a plain text
   * such as `a <b> c` keeps every word.
   */
  html?: boolean;
  /**
   * Built-in stopword lists to remove, by ISO 639-1 code (`'en'`, `'de'`, ...; see
   * `STOPWORD_LANGUAGES`). Default none.
   */
  stopwords?: StopwordLanguage | readonly StopwordLanguage[];
  /** Further words to remove, e.g. domain words. Default none. */
  extraStopwords?: Iterable<string>;
  /**
   * Drop tokens shorter than this many code points (after normalization). Default `1`, which
   * keeps every token.
   */
  minTokenLength?: number;
  /**
   * Where words begin and end.
   * - `'unicode'` (the default): runs of letters, digits, `_` and combining marks (a mark never
   *   starts a word; a zero-width joiner or non-joiner between two word characters stays inside,
   *   as in Persian `می‌خواهم`), cut further at Unicode word boundaries (UAX #29, `Intl.Segmenter`
   *   with `granularity: 'word'`), whose dictionaries split Thai, Lao, Khmer, Myanmar, Chinese
   *   and Japanese text into words. `हिन्दी` stays one word, `ภาษาไทย` becomes `ภาษา`, `ไทย`.
   *   ASCII text tokenizes exactly as in `'report'`.
   * - `'report'`: the MARS report's words, Python's `re.finditer(r'\w+')`: runs of letters,
   *   digits and `_`, which break words at every combining mark NFKC cannot compose away
   *   (Devanagari vowel signs, Arabic harakat, Thai tone marks: `हिन्दी` gives `ह`, `न`, `द`) and
   *   keep a run of Thai or CJK text as one token. Models saved before this option existed
   *   keep this mode.
   *
   * Dictionary segmentation comes from the ICU data of the JavaScript engine; where
   * `Intl.Segmenter` is missing, `'unicode'` keeps marks but does not split Thai or CJK runs.
   */
  wordBoundaries?: WordBoundaries;
  /**
   * With `wordBoundaries: 'report'` only: keep combining marks (Unicode category M) inside
   * words, without the word segmentation of `'unicode'`. Default `false` (the report's words).
   * `'unicode'` always keeps marks.
   */
  combiningMarks?: boolean;
}

/** How a {@link Tokenizer} finds words; see {@link TokenizerOptions.wordBoundaries}. */
export type WordBoundaries = 'unicode' | 'report';

/** The values of {@link WordBoundaries}. */
export const WORD_BOUNDARIES: readonly WordBoundaries[] = Object.freeze(['unicode', 'report']);

/** The JSON form of a {@link Tokenizer}'s settings, as written by {@link Tokenizer.toJSON}. */
export interface TokenizerJson {
  /** Always `'mars-rec/tokenizer'`. */
  format: 'mars-rec/tokenizer';
  /**
   * Format version: `1` (no `wordBoundaries`, always the report's words) or `2`. This release
   * reads both and writes `1` for `wordBoundaries: 'report'`, so older releases read it.
   */
  version: 1 | 2;
  /** See {@link TokenizerOptions.lowercase}. */
  lowercase: boolean;
  /** See {@link TokenizerOptions.nfkc}. */
  nfkc: boolean;
  /** See {@link TokenizerOptions.html}. */
  html: boolean;
  /** See {@link TokenizerOptions.stopwords}. */
  stopwords: StopwordLanguage[];
  /** See {@link TokenizerOptions.extraStopwords}, in the order given. */
  extraStopwords: string[];
  /** See {@link TokenizerOptions.minTokenLength}. */
  minTokenLength: number;
  /** See {@link TokenizerOptions.combiningMarks}. */
  combiningMarks: boolean;
  /** See {@link TokenizerOptions.wordBoundaries}; absent in version 1 (`'report'`). */
  wordBoundaries?: WordBoundaries;
}

/**
 * Called for each token by {@link Tokenizer.forEachToken}; return `false` to stop early (any
 * other return value goes on).
 */
export type TokenVisitor = (token: string) => boolean | void;

// any UTF-16 unit above U+007F (surrogates included)
const nonAsciiPattern = /[\u0080-\uffff]/;
// Python's Unicode `\w`: letters, digits and numbers of any script, and `_`.
const pythonWordPattern = /[\p{L}\p{N}_]+/gu;
const markedWordPattern = /[\p{L}\p{N}_][\p{L}\p{M}\p{N}_]*/gu;
// 'unicode': marks inside words, and a ZWJ/ZWNJ between two word characters
const unicodeWordPattern = /[\p{L}\p{N}_](?:[\p{L}\p{M}\p{N}_]|[\u200c\u200d](?=[\p{L}\p{M}\p{N}_]))*/gu;
// Letters and numbers whose UAX #29 word boundaries can fall inside a run of word characters:
// everything but the letters of the alphabetic scripts below and decimal digits (so: dictionary
// scripts such as Thai and Han, Hangul, Katakana, numerals such as U+10175). A text without
// them needs no segmenter: the pattern alone gives the same words (a property test checks it).
const alphabeticLetter =
  '[\\p{sc=Latin}\\p{sc=Greek}\\p{sc=Cyrillic}\\p{sc=Armenian}\\p{sc=Hebrew}\\p{sc=Arabic}' +
  '\\p{sc=Syriac}\\p{sc=Thaana}\\p{sc=Devanagari}\\p{sc=Bengali}\\p{sc=Gurmukhi}' +
  '\\p{sc=Gujarati}\\p{sc=Oriya}\\p{sc=Tamil}\\p{sc=Telugu}\\p{sc=Kannada}' +
  '\\p{sc=Malayalam}\\p{sc=Sinhala}\\p{sc=Georgian}\\p{sc=Ethiopic}]';
const needsSegmenterPattern = new RegExp(`[\\p{Nl}\\p{No}]|(?!${alphabeticLetter})\\p{L}`, 'u');
let wordSegmenter: Intl.Segmenter | null | undefined;
/** The UAX #29 word segmenter (root locale, so results do not depend on the machine's locale). */
function segmenter(): Intl.Segmenter | null {
  if (wordSegmenter === undefined)
    wordSegmenter =
      typeof Intl === 'object' && typeof Intl.Segmenter === 'function'
        ? new Intl.Segmenter('und', { granularity: 'word' })
        : null;
  return wordSegmenter;
}

// 1 for the ASCII word characters [0-9A-Za-z_].
const asciiWordCharacter = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const character = String.fromCharCode(code);
  asciiWordCharacter[code] = /[0-9A-Za-z_]/.test(character) ? 1 : 0;
}

function codePointLength(token: string): number {
  let count = 0;
  for (let index = 0; index < token.length; index++) {
    const code = token.charCodeAt(index);
    // a high surrogate followed by a low one is one code point
    if (code >= 0xd800 && code <= 0xdbff && index + 1 < token.length) {
      const next = token.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index++;
    }
    count++;
  }
  return count;
}

/**
 * Unicode-aware word tokenizer: optional HTML cleanup, NFKC normalization, lowercasing, then
 * words, then stopword removal and a minimum length. Words (see
 * {@link TokenizerOptions.wordBoundaries}) are by default runs of letters, digits, `_` and
 * combining marks of any script, cut at Unicode word boundaries (UAX #29), so Hindi, Arabic,
 * Thai or Vietnamese words stay whole; `wordBoundaries: 'report'` gives the MARS report's words
 * (Python's `re.finditer(r'\w+')`, JavaScript `/[\p{L}\p{N}_]+/gu`). Both agree on ASCII text.
 * Emoji and punctuation are not word characters.
 *
 * A tokenizer is immutable and safe to share; {@link Tokenizer.forEachToken} is the
 * allocation-light path for throughput.
 *
 * @example
 * ```ts
 * const tokenizer = new Tokenizer({ stopwords: 'de' });
 * tokenizer.tokenize('Die Straße nach Köln'); // ['straße', 'köln']
 * ```
 */
export class Tokenizer {
  private readonly lowercase: boolean;
  private readonly nfkc: boolean;
  private readonly html: boolean;
  private readonly stopwordLanguages: readonly StopwordLanguage[];
  private readonly extraStopwords: readonly string[];
  private readonly minTokenLength: number;
  private readonly combiningMarks: boolean;
  private readonly wordBoundaries: WordBoundaries;
  private readonly stopwordSet: ReadonlySet<string>;
  private readonly wordPattern: RegExp;

  /** @param options - see {@link TokenizerOptions} for every field and its default. */
  constructor(options: TokenizerOptions = {}) {
    this.lowercase = booleanOption(options.lowercase, true, 'lowercase');
    this.nfkc = booleanOption(options.nfkc, true, 'nfkc');
    this.html = booleanOption(options.html, false, 'html');
    const wordBoundaries = options.wordBoundaries ?? 'unicode';
    if (!WORD_BOUNDARIES.includes(wordBoundaries)) {
      throw new RangeError(
        `Tokenizer: wordBoundaries must be 'unicode' or 'report', got ${JSON.stringify(wordBoundaries)}`,
      );
    }
    this.wordBoundaries = wordBoundaries;
    if (wordBoundaries === 'unicode' && options.combiningMarks === false) {
      throw new RangeError(
        "Tokenizer: combiningMarks: false needs wordBoundaries: 'report' ('unicode' always keeps marks inside words)",
      );
    }
    this.combiningMarks =
      wordBoundaries === 'unicode' || booleanOption(options.combiningMarks, false, 'combiningMarks');
    const minTokenLength = options.minTokenLength ?? 1;
    if (!Number.isInteger(minTokenLength) || minTokenLength < 1) {
      throw new RangeError(
        `Tokenizer: minTokenLength must be an integer >= 1 (code points), got ${String(minTokenLength)}`,
      );
    }
    this.minTokenLength = minTokenLength;

    const languages =
      options.stopwords === undefined
        ? []
        : typeof options.stopwords === 'string'
          ? [options.stopwords]
          : [...options.stopwords];
    const stopwordSet = new Set<string>();
    for (const language of languages) {
      if (!STOPWORD_LANGUAGES.includes(language)) {
        throw new RangeError(
          `Tokenizer: unknown stopword language ${JSON.stringify(language)}; ` +
            `use one of ${STOPWORD_LANGUAGES.join(', ')} or pass the words as extraStopwords`,
        );
      }
      for (const word of builtInStopwords(language)) stopwordSet.add(this.foldStopword(word));
    }
    const extra: string[] = [];
    let position = 0;
    for (const word of options.extraStopwords ?? []) {
      if (typeof word !== 'string') {
        throw new TypeError(`Tokenizer: extraStopwords[${position}] must be a string, got ${typeof word}`);
      }
      extra.push(word);
      stopwordSet.add(this.foldStopword(word));
      position++;
    }
    this.stopwordLanguages = Object.freeze(languages);
    this.extraStopwords = Object.freeze(extra);
    this.stopwordSet = stopwordSet;
    this.wordPattern = new RegExp(
      wordBoundaries === 'unicode'
        ? unicodeWordPattern.source
        : this.combiningMarks
          ? markedWordPattern.source
          : pythonWordPattern.source,
      'gu',
    );
  }

  /**
   * The tokens of a text, in order.
   *
   * @param text - any string; an empty or all-stopword text gives `[]`.
   * @throws TypeError when `text` is not a string.
   */
  tokenize(text: string): string[] {
    const tokens: string[] = [];
    this.forEachToken(text, (token) => {
      tokens.push(token);
    });
    return tokens;
  }

  /**
   * Calls `visit` with each token of a text, in order, without building an array: the fast path
   * for counting and encoding. Stops as soon as `visit` returns `false`.
   *
   * @param text - any string.
   * @param visit - receives each token; return `false` to stop.
   * @returns the number of tokens visited (including the one that returned `false`).
   * @throws TypeError when `text` is not a string.
   */
  forEachToken(text: string, visit: TokenVisitor): number {
    if (typeof text !== 'string') {
      throw new TypeError(`Tokenizer: text must be a string, got ${text === null ? 'null' : typeof text}`);
    }
    let prepared = this.html ? stripHtml(text) : text;
    const ascii = !nonAsciiPattern.test(prepared);
    if (this.nfkc && !ascii) prepared = prepared.normalize('NFKC');
    if (this.lowercase) prepared = prepared.toLowerCase();
    return ascii ? this.visitAscii(prepared, visit) : this.visitUnicode(prepared, visit);
  }

  /**
   * Whether a word is removed as a stopword. The comparison folds case and NFKC, so `The`
   * matches `the` even with `lowercase: false`.
   */
  isStopword(word: string): boolean {
    return this.stopwordSet.has(this.foldStopword(word));
  }

  /**
   * The settings as JSON, for {@link Tokenizer.fromJSON}; stores user stopwords verbatim.
   * Version 1 (readable by older releases) for `wordBoundaries: 'report'`, 2 otherwise.
   */
  toJSON(): TokenizerJson {
    return {
      format: 'mars-rec/tokenizer',
      version: this.wordBoundaries === 'report' ? 1 : 2,
      lowercase: this.lowercase,
      nfkc: this.nfkc,
      html: this.html,
      stopwords: [...this.stopwordLanguages],
      extraStopwords: [...this.extraStopwords],
      minTokenLength: this.minTokenLength,
      combiningMarks: this.combiningMarks,
      ...(this.wordBoundaries === 'report' ? {} : { wordBoundaries: this.wordBoundaries }),
    };
  }

  /**
   * Rebuilds a tokenizer from {@link Tokenizer.toJSON}'s output. A version 1 JSON (written
   * before `wordBoundaries` existed, or for `'report'`) gives the report's words, so a saved
   * model keeps the tokenizer it was trained with.
   *
   * @param json - a parsed {@link TokenizerJson} object.
   * @throws TypeError when it is not a mars-rec tokenizer, RangeError for an unknown version.
   */
  static fromJSON(json: unknown): Tokenizer {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new TypeError('Tokenizer.fromJSON: expected an object written by Tokenizer.toJSON()');
    }
    const record = json as Record<string, unknown>;
    if (record.format !== 'mars-rec/tokenizer') {
      throw new TypeError(
        `Tokenizer.fromJSON: field "format" must be "mars-rec/tokenizer", got ${JSON.stringify(record.format)}`,
      );
    }
    if (record.version !== 1 && record.version !== 2) {
      throw new RangeError(
        `Tokenizer.fromJSON: unsupported format version ${JSON.stringify(record.version)}; ` +
          'this mars-rec reads versions 1 and 2: upgrade mars-rec to read it',
      );
    }
    const wordBoundaries = record.version === 1 ? 'report' : record.wordBoundaries;
    if (wordBoundaries !== 'unicode' && wordBoundaries !== 'report') {
      throw new TypeError(
        `Tokenizer.fromJSON: field "wordBoundaries" must be "unicode" or "report", got ${JSON.stringify(wordBoundaries)}`,
      );
    }
    for (const field of ['lowercase', 'nfkc', 'html', 'combiningMarks'] as const) {
      if (typeof record[field] !== 'boolean') {
        throw new TypeError(`Tokenizer.fromJSON: field "${field}" must be a boolean`);
      }
    }
    if (!Array.isArray(record.stopwords) || !Array.isArray(record.extraStopwords)) {
      throw new TypeError(
        'Tokenizer.fromJSON: fields "stopwords" and "extraStopwords" must be arrays of strings',
      );
    }
    return new Tokenizer({
      lowercase: record.lowercase as boolean,
      nfkc: record.nfkc as boolean,
      html: record.html as boolean,
      wordBoundaries,
      ...(wordBoundaries === 'report' ? { combiningMarks: record.combiningMarks as boolean } : {}),
      stopwords: record.stopwords as StopwordLanguage[],
      extraStopwords: record.extraStopwords as string[],
      minTokenLength: record.minTokenLength as number,
    });
  }

  private foldStopword(word: string): string {
    return word.normalize('NFKC').toLowerCase();
  }

  private keeps(token: string): boolean {
    if (token.length < this.minTokenLength) return false;
    if (
      this.minTokenLength > 1 &&
      token.length < 2 * this.minTokenLength &&
      codePointLength(token) < this.minTokenLength
    ) {
      return false;
    }
    if (this.stopwordSet.size === 0) return true;
    return !this.stopwordSet.has(this.lowercase ? token : token.toLowerCase());
  }

  private visitAscii(text: string, visit: TokenVisitor): number {
    const length = text.length;
    let visited = 0;
    let index = 0;
    while (index < length) {
      if (asciiWordCharacter[text.charCodeAt(index)] === 0) {
        index++;
        continue;
      }
      const start = index;
      index++;
      while (index < length && asciiWordCharacter[text.charCodeAt(index)] === 1) index++;
      const token = text.slice(start, index);
      if (!this.keeps(token)) continue;
      visited++;
      if (visit(token) === false) break;
    }
    return visited;
  }

  private visitUnicode(text: string, visit: TokenVisitor): number {
    const words = this.wordBoundaries === 'unicode' ? segmenter() : null;
    if (words === null || !needsSegmenterPattern.test(text)) {
      const visited = this.visitWords(text, visit);
      return visited < 0 ? -visited : visited;
    }
    let visited = 0;
    for (const { segment } of words.segment(text)) {
      const counted = this.visitWords(segment, visit);
      if (counted < 0) return visited - counted;
      visited += counted;
    }
    return visited;
  }

  /** Visits the words of a text; returns the count, negated when `visit` asked to stop. */
  private visitWords(text: string, visit: TokenVisitor): number {
    const pattern = this.wordPattern;
    let visited = 0;
    let position = 0;
    for (;;) {
      // set lastIndex before every exec: `visit` may re-enter this tokenizer
      pattern.lastIndex = position;
      const match = pattern.exec(text);
      if (match === null) break;
      position = pattern.lastIndex;
      const token = match[0];
      if (!this.keeps(token)) continue;
      visited++;
      if (visit(token) === false) return -visited;
    }
    return visited;
  }
}

function booleanOption(value: boolean | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TypeError(`Tokenizer: option ${name} must be a boolean, got ${typeof value}`);
  }
  return value;
}
