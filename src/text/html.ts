import { decodeHTML } from 'entities';

// Elements whose content is never text a reader sees.
const invisibleElementPattern = /<(script|style|noscript|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const commentPattern = /<!--[\s\S]*?(?:-->|$)/g;
// A tag starts with a letter, `/`, `!` or `?` right after `<`, so `a < b` and `<3` survive.
const tagPattern = /<[a-zA-Z/!?][^<>]*>/g;

/**
 * Turns an HTML fragment into plain text: drops comments, `script`/`style`/`noscript`/`template`
 * elements with their content and every tag (each replaced by a space, so `a<br>b` gives two
 * words), then decodes character references (`&amp;`, `&eacute;`, `&#233;`, `&#xE9;`) with the
 * `entities` package. A `<` not followed by a letter, `/`, `!` or `?` is kept as text.
 *
 * @param html - the fragment, e.g. an Amazon product description.
 * @returns the text, with tags replaced by single spaces; whitespace is not collapsed.
 *
 * @example
 * ```ts
 * import { stripHtml } from 'mars-rec/text';
 *
 * stripHtml('<p>Fits A4 &amp; letter<br>paper</p><script>track()</script>');
 * // ' Fits A4 & letter paper  '
 * ```
 */
export function stripHtml(html: string): string {
  if (html.indexOf('<') === -1) {
    return html.indexOf('&') === -1 ? html : decodeHTML(html);
  }
  const withoutMarkup = html
    .replace(commentPattern, ' ')
    .replace(invisibleElementPattern, ' ')
    .replace(tagPattern, ' ');
  return withoutMarkup.indexOf('&') === -1 ? withoutMarkup : decodeHTML(withoutMarkup);
}
