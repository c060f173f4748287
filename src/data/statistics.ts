import type { InteractionDataset } from './interaction-dataset';

/** min, mean, max and (population) standard deviation of a quantity. */
export interface Summary {
  /** Smallest value. */
  min: number;
  /** Mean. */
  avg: number;
  /** Largest value. */
  max: number;
  /** Population standard deviation. */
  std: number;
}

/** Dataset statistics in the form of the report's tables 1-4. */
export interface DatasetStatistics {
  /** Users. */
  users: number;
  /** Items. */
  items: number;
  /** (user, item) interactions. */
  interactions: number;
  /** interactions / (users x items). */
  density: number;
  /** Words per item text (`tokenCount`). */
  wordsPerItem: Summary;
  /** Interactions per user. */
  interactionsPerUser: Summary;
}

/** Summarises numbers; all NaN for an empty list. */
export function summarizeDistribution(values: ArrayLike<number>): Summary {
  if (values.length === 0) return { min: Number.NaN, avg: Number.NaN, max: Number.NaN, std: Number.NaN };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
    sum += values[i];
  }
  const avg = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - avg) ** 2;
  return { min, avg, max, std: Math.sqrt(squares / values.length) };
}

/**
 * Statistics like the report's tables 1-4.
 * @param tokenCount - words of a text; default the number of Unicode words.
 */
export function describeDataset(
  dataset: InteractionDataset,
  tokenCount: (text: string) => number = (text) => text.match(/[\p{L}\p{N}_]+/gu)?.length ?? 0,
): DatasetStatistics {
  const { offsets, rowCount } = dataset.interactions;
  const perUser = new Float64Array(rowCount);
  for (let user = 0; user < rowCount; user++) perUser[user] = offsets[user + 1] - offsets[user];
  const cells = dataset.userCount * dataset.itemCount;
  return {
    users: dataset.userCount,
    items: dataset.itemCount,
    interactions: dataset.interactionCount,
    density: cells > 0 ? dataset.interactionCount / cells : 0,
    wordsPerItem: summarizeDistribution(Float64Array.from(dataset.itemTexts, tokenCount)),
    interactionsPerUser: summarizeDistribution(perUser),
  };
}
