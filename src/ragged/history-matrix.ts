import { maskFromLengths } from './mask';
import type { PaddedRows } from './pad';
import { padRows } from './pad';
import type { RaggedRows } from './ragged-rows';
import type { Side } from './side';
import { checkCount } from './side';

/** Default cap on a history, in items: the report's 50. */
export const DEFAULT_MAX_HISTORY = 50;

/** A batch's histories as a padded `[batch, width]` matrix with a mask. */
export interface HistoryMatrix extends PaddedRows {
  /** `[batch * width]` history items (or memory rows), row-major; `padValue` on padded slots. */
  readonly ids: Int32Array;
  /** `[batch * width]` float32, 1 on a real history slot and 0 on padding: the attention mask. */
  readonly mask: Float32Array;
}

/** Options of {@link historyMatrix}. */
export interface HistoryMatrixOptions {
  /** Longest history kept, in items. Default {@link DEFAULT_MAX_HISTORY} (50). */
  maxHistory?: number;
  /**
   * Which end a longer history loses: `'pre'` (default) drops the oldest and keeps the last
   * `maxHistory` items (the most recent when histories are chronological), `'post'` keeps the first.
   */
  truncating?: Side;
  /** Where padding goes: `'post'` (default) after the real slots, `'pre'` before them. */
  padding?: Side;
  /**
   * Value of padded slots. Default 0: a valid row, so a gather with these indices never fails;
   * the mask zeroes its contribution.
   */
  padValue?: number;
  /** Smallest width, in slots. Default 1, so a batch of empty histories still gives `[batch, 1]`. */
  minWidth?: number;
}

/**
 * The padded history matrix of a batch: width = the batch's longest history, capped at
 * `maxHistory` (never the longest history of the whole dataset), with a `[batch, width]` mask.
 * An empty history gives an all-zero mask row (the model then scores 0).
 * @param histories - one row per batch entry (user or triplet), values = item indices.
 * @throws RangeError for a bad option or malformed ragged rows.
 */
export function historyMatrix(histories: RaggedRows, options: HistoryMatrixOptions = {}): HistoryMatrix {
  const maxHistory = checkCount(
    options.maxHistory ?? DEFAULT_MAX_HISTORY,
    'maxHistory',
    'historyMatrix',
    0,
    true,
  );
  const padded = padRows(histories, {
    maxWidth: maxHistory,
    minWidth: options.minWidth ?? 1,
    padding: options.padding ?? 'post',
    truncating: options.truncating ?? 'pre',
    padValue: options.padValue ?? 0,
  });
  return { ...padded, mask: maskFromLengths(padded.lengths, padded.width, padded.padding) };
}
