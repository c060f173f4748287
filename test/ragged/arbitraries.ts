import fc from 'fast-check';

/** Rows of small non-negative ids, lengths 0..maxLength (plain arrays, the reference form). */
export function rowsArbitrary(maxRows = 12, maxLength = 20, maxId = 50): fc.Arbitrary<number[][]> {
  return fc.array(fc.array(fc.integer({ min: 0, max: maxId }), { maxLength }), { maxLength: maxRows });
}

/** `'pre'` or `'post'`. */
export const sideArbitrary = fc.constantFrom<'pre' | 'post'>('pre', 'post');
