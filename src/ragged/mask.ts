import type { Side } from './side';
import { checkCount, checkSide } from './side';

/**
 * A `[rows, width]` row-major mask, 1 on real positions and 0 on padding, from each row's length.
 * With `padding: 'post'` (default) the real positions of row `r` are `0 .. lengths[r] - 1`;
 * with `'pre'` they are the last `lengths[r]`.
 * @param lengths - `[rows]` real lengths, each in `[0, width]`.
 * @param width - padded width (positions per row).
 * @returns `[rows * width]` float32 of 1 and 0, the layout of a `[rows, width]` tensor.
 * @throws RangeError naming the row whose length is negative or wider than `width`.
 */
export function maskFromLengths(
  lengths: ArrayLike<number>,
  width: number,
  padding: Side = 'post',
): Float32Array {
  checkCount(width, 'width', 'maskFromLengths', 0);
  checkSide(padding, 'padding', 'maskFromLengths');
  const mask = new Float32Array(lengths.length * width);
  for (let row = 0; row < lengths.length; row++) {
    const length = lengths[row];
    if (!Number.isInteger(length) || length < 0 || length > width) {
      throw new RangeError(
        `maskFromLengths: row ${row} has length ${String(length)}, outside [0, width = ${width}]; pad or truncate the rows to the width first`,
      );
    }
    const start = row * width + (padding === 'post' ? 0 : width - length);
    mask.fill(1, start, start + length);
  }
  return mask;
}
