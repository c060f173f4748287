/**
 * Which end of a row padding or truncation applies to: `'pre'` works on the beginning, `'post'`
 * on the end (the Keras `padding` / `truncating` meaning). Padding `'post'` puts the real values
 * first; truncating `'pre'` drops the beginning and keeps the end (the most recent items of a
 * chronological history).
 */
export type Side = 'pre' | 'post';

/** Throws a RangeError naming `option` and `where` when `side` is not `'pre'` or `'post'`. */
export function checkSide(side: unknown, option: string, where: string): Side {
  if (side !== 'pre' && side !== 'post') {
    throw new RangeError(`${where}: ${option} must be 'pre' or 'post', got ${JSON.stringify(side)}`);
  }
  return side;
}

/** Throws a RangeError unless `value` is an integer in `[minimum, 2^31)` (or Infinity when allowed). */
export function checkCount(
  value: number,
  option: string,
  where: string,
  minimum: number,
  allowInfinity = false,
): number {
  const ok =
    (allowInfinity && value === Infinity) ||
    (Number.isInteger(value) && value >= minimum && value <= 0x7fffffff);
  if (!ok) {
    const range = allowInfinity ? `an integer >= ${minimum} or Infinity` : `an integer in [${minimum}, 2^31)`;
    throw new RangeError(`${where}: ${option} must be ${range}, got ${String(value)}`);
  }
  return value;
}
