import { dan, deu, eng, fin, fra, ita, nld, nob, pol, por, rus, spa, swe } from 'stopword';

/**
 * Languages with a built-in stopword list, as ISO 639-1 codes. The lists come from the
 * maintained `stopword` npm package (its `eng`, `deu`, ... exports).
 */
export type StopwordLanguage =
  'en' | 'de' | 'fr' | 'es' | 'it' | 'nl' | 'pt' | 'sv' | 'da' | 'no' | 'fi' | 'ru' | 'pl';

const listsByLanguage: Readonly<Record<StopwordLanguage, readonly string[]>> = {
  en: eng,
  de: deu,
  fr: fra,
  es: spa,
  it: ita,
  nl: nld,
  pt: por,
  sv: swe,
  da: dan,
  no: nob,
  fi: fin,
  ru: rus,
  pl: pol,
};

/** Every language code {@link builtInStopwords} accepts, in alphabetical order. */
export const STOPWORD_LANGUAGES: readonly StopwordLanguage[] = Object.freeze(
  (Object.keys(listsByLanguage) as StopwordLanguage[]).sort(),
);

/**
 * The built-in stopword list of a language (lowercase words, from the `stopword` package).
 *
 * @param language - an ISO 639-1 code from {@link STOPWORD_LANGUAGES}, e.g. `'en'` or `'de'`.
 * @returns the list; do not mutate it.
 * @throws RangeError when the language has no built-in list.
 *
 * @example
 * ```ts
 * import { builtInStopwords, Tokenizer } from 'mars-rec/text';
 *
 * builtInStopwords('en').includes('the'); // true
 * builtInStopwords('de').length; // the German list, as Tokenizer({ stopwords: 'de' }) removes it
 * // words of your domain on top of a built-in list
 * const tokenizer = new Tokenizer({ stopwords: ['en'], extraStopwords: ['film', 'movie'] });
 * ```
 */
export function builtInStopwords(language: StopwordLanguage): readonly string[] {
  const list = Object.prototype.hasOwnProperty.call(listsByLanguage, language)
    ? listsByLanguage[language]
    : undefined;
  if (list === undefined) {
    throw new RangeError(
      `builtInStopwords: no built-in stopword list for language ${JSON.stringify(language)}; ` +
        `use one of ${STOPWORD_LANGUAGES.join(', ')} or pass your own words as extraStopwords`,
    );
  }
  return list;
}
