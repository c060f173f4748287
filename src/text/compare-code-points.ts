/**
 * Orders two strings by Unicode code points (the order of Python's `sorted`), which differs from
 * JavaScript's default UTF-16 order only when a character above U+FFFF meets one in
 * U+E000..U+FFFF.
 *
 * @returns a negative number when `a` comes first, positive when `b` does, 0 when equal.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const left = a.charCodeAt(index);
    const right = b.charCodeAt(index);
    if (left === right) continue;
    // A surrogate (U+D800..U+DFFF) encodes a code point above every BMP character.
    const leftSurrogate = left >= 0xd800 && left <= 0xdfff;
    const rightSurrogate = right >= 0xd800 && right <= 0xdfff;
    if (leftSurrogate !== rightSurrogate) return leftSurrogate ? 1 : -1;
    return left - right;
  }
  return a.length - b.length;
}
