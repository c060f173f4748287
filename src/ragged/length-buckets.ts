import type { PaddedBlock } from './pad';
import type { RaggedRows } from './ragged-rows';
import { checkRaggedRows, raggedRowCount } from './ragged-rows';
import type { Side } from './side';
import { checkCount, checkSide } from './side';

/**
 * Default token budget of a length bucket: at most 4,096 padded tokens (rows x width) per
 * bucket. On the `ragged` benchmark (movies_tmdb_small, batches of 128 triplets, histories of at
 * most 50, documents of at most 300 tokens, about 1,900 unique documents a batch) it gives a
 * padded/real token ratio of 1.08 with about 28 buckets a batch (8,192: 1.14 with 15; 16,384:
 * 1.24 with 9; padding to the batch maximum: 3.39). One bucket's activations stay small: with 64
 * embedding dimensions and 100 filters, 4,096 x (64 + 100) x 4 bytes = 2.7 MB. A larger budget
 * means fewer, larger kernel calls (better on a GPU) at the cost of more padding.
 */
export const DEFAULT_TOKEN_BUDGET = 4096;

/** One length bucket: rows of similar length padded only to the bucket's own longest row. */
export interface LengthBucket extends PaddedBlock {
  /** Output row of the bucket's first row: the bucket covers output rows `start .. start + rows - 1`. */
  readonly start: number;
  /** `[rows]` the source row (index into the ragged rows) of each bucket row; a view into `order`. */
  readonly sourceRows: Int32Array;
  /** Where the padding of each row went (the `padding` option). */
  readonly padding: Side;
}

/**
 * Rows grouped into length buckets. Encoding each bucket and concatenating the results in bucket
 * order gives one output row per selected row, in `order`; `positions` gathers them back into
 * the selection's order.
 */
export interface LengthBuckets {
  /** The buckets, by increasing width; each satisfies `rows x width <= tokenBudget`. */
  readonly buckets: LengthBucket[];
  /** `[selected]` the source row of each output row (bucket after bucket). */
  readonly order: Int32Array;
  /** `[selected]` the output row of `select[i]` (or of row `i` without `select`). */
  readonly positions: Int32Array;
  /** Real tokens over all buckets, after truncation. */
  readonly realTokens: number;
  /** Padded tokens over all buckets: sum of rows x width; at least `realTokens`. */
  readonly paddedTokens: number;
  /** Rows that lost tokens to `maxLength` or to the token budget. */
  readonly truncatedRows: number;
  /** The budget the buckets respect, in tokens. */
  readonly tokenBudget: number;
}

/** Options of {@link bucketRows}. */
export interface BucketOptions {
  /**
   * Most padded tokens (rows x width) per bucket. Default {@link DEFAULT_TOKEN_BUDGET} (4,096). A
   * row longer than the budget is truncated to the budget (at `truncating`) and forms its own
   * bucket, so no bucket ever exceeds it.
   */
  tokenBudget?: number;
  /** Longest row kept, in tokens; longer rows are truncated at `truncating`. Default Infinity. */
  maxLength?: number;
  /** Smallest bucket width, in tokens. Default 1, so that empty rows still give a `[rows, 1]` block. */
  minWidth?: number;
  /** Where padding goes inside a bucket: `'post'` (default) or `'pre'`. */
  padding?: Side;
  /** Which end a truncated row loses: `'post'` (default) drops its end, `'pre'` its beginning. */
  truncating?: Side;
  /** Value of padded positions. Default 0 (the padding token id). */
  padValue?: number;
  /** Row indices to bucket (e.g. a batch's unique documents). Default every row. */
  select?: ArrayLike<number>;
}

/**
 * Groups rows by length under a token budget and pads each group only to its own longest row:
 * rows are sorted by (length, position) and cut greedily into consecutive buckets with
 * `rows x width <= tokenBudget`, the fewest buckets such sorted cuts allow. Padding then stays
 * close to the real token count whatever the longest row of the batch: the remedy for the
 * reproduction report's padding blow-up (a long document padded the whole batch).
 *
 * Scatter back: concatenate the buckets' encoder outputs in bucket order (`[selected, d]`), then
 * gather with `positions` to get them in the selection's order.
 * @throws RangeError for a bad option (a budget below `minWidth`) or a `select` entry that is not a row.
 */
export function bucketRows(rows: RaggedRows, options: BucketOptions = {}): LengthBuckets {
  const where = 'bucketRows';
  checkRaggedRows(rows, `${where}: rows`);
  const tokenBudget = checkCount(options.tokenBudget ?? DEFAULT_TOKEN_BUDGET, 'tokenBudget', where, 1);
  const maxLength = checkCount(options.maxLength ?? Infinity, 'maxLength', where, 0, true);
  const minWidth = checkCount(options.minWidth ?? 1, 'minWidth', where, 0);
  if (minWidth > tokenBudget) {
    throw new RangeError(
      `${where}: minWidth ${minWidth} exceeds tokenBudget ${tokenBudget}; raise the budget`,
    );
  }
  const padding = checkSide(options.padding ?? 'post', 'padding', where);
  const truncating = checkSide(options.truncating ?? 'post', 'truncating', where);
  const padValue = options.padValue ?? 0;
  if (!Number.isInteger(padValue) || padValue < -0x80000000 || padValue > 0x7fffffff) {
    throw new RangeError(`${where}: padValue must be an int32 integer, got ${String(padValue)}`);
  }
  const cap = Math.min(maxLength, tokenBudget);
  const count = raggedRowCount(rows);
  const splits = rows.rowSplits;
  const select = options.select;
  const selected = select === undefined ? count : select.length;

  // kept length of each selected row, and a sort key length * selected + position (exact in a double)
  const kept = new Int32Array(selected);
  const keys = new Float64Array(selected);
  let truncatedRows = 0;
  for (let position = 0; position < selected; position++) {
    const row = select === undefined ? position : select[position];
    if (select !== undefined && (!Number.isInteger(row) || row < 0 || row >= count)) {
      throw new RangeError(
        `${where}: select[${position}] = ${String(row)} is not a row index in [0, ${count})`,
      );
    }
    const full = splits[row + 1] - splits[row];
    const length = Math.min(full, cap);
    if (length < full) truncatedRows++;
    kept[position] = length;
    keys[position] = length * selected + position;
  }
  keys.sort();

  const order = new Int32Array(selected);
  const positions = new Int32Array(selected);
  const sortedPositions = new Int32Array(selected);
  for (let output = 0; output < selected; output++) {
    const position = keys[output] % selected;
    sortedPositions[output] = position;
    positions[position] = output;
    order[output] = select === undefined ? position : select[position];
  }

  const buckets: LengthBucket[] = [];
  let realTokens = 0;
  let paddedTokens = 0;
  let start = 0;
  while (start < selected) {
    let end = start + 1;
    // sorted ascending, so the last row of a bucket is its widest
    while (
      end < selected &&
      (end + 1 - start) * Math.max(minWidth, kept[sortedPositions[end]]) <= tokenBudget
    )
      end++;
    const bucketRowCount = end - start;
    const width = Math.max(minWidth, kept[sortedPositions[end - 1]]);
    const ids = new Int32Array(bucketRowCount * width);
    if (padValue !== 0) ids.fill(padValue);
    const lengths = new Int32Array(bucketRowCount);
    for (let r = 0; r < bucketRowCount; r++) {
      const row = order[start + r];
      const length = kept[sortedPositions[start + r]];
      const from = truncating === 'pre' ? splits[row + 1] - length : splits[row];
      ids.set(
        rows.values.subarray(from, from + length),
        r * width + (padding === 'post' ? 0 : width - length),
      );
      lengths[r] = length;
      realTokens += length;
    }
    paddedTokens += bucketRowCount * width;
    buckets.push({ start, sourceRows: order.subarray(start, end), ids, lengths, width, padding });
    start = end;
  }
  return { buckets, order, positions, realTokens, paddedTokens, truncatedRows, tokenBudget };
}
