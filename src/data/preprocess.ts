import type { InteractionDataset } from './interaction-dataset';
import { subsetDataset as subset } from './subset';

/** Options of {@link preprocess}; every step is optional. */
export interface PreprocessOptions {
  /** Keep interactions rated at least this (report: 5 of 5; 4 for the movies data). Unrated interactions are kept. Default: no filter. */
  minRating?: number;
  /** Drop items whose text is empty or encodes to no token. Default true. */
  dropItemsWithoutText?: boolean;
  /**
   * Tokens of a text, used by `dropItemsWithoutText`; plug in the text pipeline
   * (`(text) => tokenizer.tokenize(text).length`). Default: the number of Unicode words.
   */
  tokenCount?: (text: string) => number;
  /** Keep users with at least this many interactions left (report: 3 or 10). Default 1. */
  minUserInteractions?: number;
  /** Drop items left without interactions. Default true. */
  dropItemsWithoutInteractions?: boolean;
}

/** What {@link preprocess} dropped and why, step by step. Nothing is dropped silently. */
export interface PreprocessReport {
  /** Interactions below `minRating`. */
  interactionsBelowMinRating: number;
  /** Items without text (or whose text has no token). */
  itemsWithoutText: number;
  /** Interactions with those items. */
  interactionsOfItemsWithoutText: number;
  /** Users with fewer than `minUserInteractions` interactions left (users left with none included). */
  usersBelowMinInteractions: number;
  /** Their interactions. */
  interactionsOfDroppedUsers: number;
  /** Items left without any interaction. */
  itemsWithoutInteractions: number;
  /**
   * Timestamps that are not plausible Unix seconds, over the interactions given (nothing is
   * dropped for them; the history order of `'recent'` sampling and chronological splits rests
   * on them): `negative` ones, ones that look like milliseconds or finer (at least 1e11, year
   * 5138 in seconds), and `mixedUnits` when such values sit beside plausible seconds.
   * All zero when the dataset has no timestamps.
   */
  implausibleTimestamps: { negative: number; milliseconds: number; mixedUnits: boolean };
  /** Sizes before and after. */
  before: { users: number; items: number; interactions: number };
  /** Sizes after. */
  after: { users: number; items: number; interactions: number };
}

const defaultTokenCount = (text: string): number => text.match(/[\p{L}\p{N}_]+/gu)?.length ?? 0;

/**
 * The report's preprocessing, in this order: (1) minimum rating, (2) items without text,
 * (3) users with too few interactions, (4) items left without interactions. Returns the new
 * dataset (re-indexed densely, ids kept) and a report of what each step dropped.
 */
export function preprocess(
  dataset: InteractionDataset,
  options: PreprocessOptions = {},
): { dataset: InteractionDataset; report: PreprocessReport } {
  const {
    minRating,
    dropItemsWithoutText = true,
    tokenCount = defaultTokenCount,
    minUserInteractions = 1,
    dropItemsWithoutInteractions = true,
  } = options;
  if (!Number.isInteger(minUserInteractions) || minUserInteractions < 0) {
    throw new RangeError(
      `preprocess: minUserInteractions must be an integer >= 0, got ${minUserInteractions}`,
    );
  }
  const { interactions: matrix, ratings } = dataset;
  const keepItem = new Uint8Array(dataset.itemCount).fill(1);
  let itemsWithoutText = 0;
  if (dropItemsWithoutText) {
    // a dataset loaded with a token store knows its items' tokens, not their texts
    const store = dataset.hasItemTexts ? undefined : dataset.itemTokens;
    const texts = store ? undefined : dataset.itemTexts;
    for (let item = 0; item < dataset.itemCount; item++) {
      const text = texts?.[item] ?? '';
      if (store ? store.lengthOf(item) === 0 : text.trim() === '' || tokenCount(text) === 0) {
        keepItem[item] = 0;
        itemsWithoutText++;
      }
    }
  }
  let interactionsBelowMinRating = 0;
  let interactionsOfItemsWithoutText = 0;
  const keepEntry = new Uint8Array(matrix.indices.length);
  for (let k = 0; k < matrix.indices.length; k++) {
    if (minRating !== undefined && ratings !== undefined && ratings[k] < minRating)
      interactionsBelowMinRating++;
    else if (!keepItem[matrix.indices[k]]) interactionsOfItemsWithoutText++;
    else keepEntry[k] = 1;
  }
  let usersBelowMinInteractions = 0;
  let interactionsOfDroppedUsers = 0;
  const keepUser = new Uint8Array(matrix.rowCount);
  for (let user = 0; user < matrix.rowCount; user++) {
    let count = 0;
    for (let k = matrix.offsets[user]; k < matrix.offsets[user + 1]; k++) count += keepEntry[k];
    if (count >= Math.max(1, minUserInteractions)) keepUser[user] = 1;
    else {
      usersBelowMinInteractions++;
      interactionsOfDroppedUsers += count;
      for (let k = matrix.offsets[user]; k < matrix.offsets[user + 1]; k++) keepEntry[k] = 0;
    }
  }
  const used = new Uint8Array(dataset.itemCount);
  for (let k = 0; k < matrix.indices.length; k++) if (keepEntry[k]) used[matrix.indices[k]] = 1;
  let itemsWithoutInteractions = 0;
  for (let item = 0; item < dataset.itemCount; item++) {
    if (keepItem[item] && !used[item]) {
      itemsWithoutInteractions++;
      if (dropItemsWithoutInteractions) keepItem[item] = 0;
    }
  }
  const result = subset(dataset, keepUser, keepItem, keepEntry);
  const implausibleTimestamps = checkTimestamps(matrix.timestamps);
  return {
    dataset: result,
    report: {
      interactionsBelowMinRating,
      itemsWithoutText,
      interactionsOfItemsWithoutText,
      usersBelowMinInteractions,
      interactionsOfDroppedUsers,
      itemsWithoutInteractions: dropItemsWithoutInteractions ? itemsWithoutInteractions : 0,
      implausibleTimestamps,
      before: { users: dataset.userCount, items: dataset.itemCount, interactions: dataset.interactionCount },
      after: { users: result.userCount, items: result.itemCount, interactions: result.interactionCount },
    },
  };
}

/** Smallest timestamp read as milliseconds (or finer) rather than seconds: 1e11 s is year 5138. */
const MILLISECONDS_FROM = 1e11;

function checkTimestamps(
  timestamps: ArrayLike<number> | undefined,
): PreprocessReport['implausibleTimestamps'] {
  let negative = 0;
  let milliseconds = 0;
  let seconds = 0;
  for (let k = 0; k < (timestamps?.length ?? 0); k++) {
    const time = (timestamps as ArrayLike<number>)[k];
    if (time < 0) negative++;
    else if (time >= MILLISECONDS_FROM) milliseconds++;
    else seconds++;
  }
  return { negative, milliseconds, mixedUnits: milliseconds > 0 && seconds > 0 };
}
