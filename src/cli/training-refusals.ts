import type { InteractionDataset } from '../data/interaction-dataset';
import type { PreprocessReport } from '../data/preprocess';
import type { UserSplit } from '../data/split';
import type { MarsConfig } from '../model/config';
import { CliError } from './cli-error';

/** The `train` flags the refusals name. */
export interface RefusalContext {
  /** `--items` path. */
  items: string;
  /** `--interactions` path. */
  interactions: string;
  /** `--min-rating`, if given. */
  minRating?: number;
  /** `--min-user-interactions`. */
  minUserInteractions: number;
  /** The resolved MARS config (its text settings decide which items have words). */
  config: MarsConfig;
}

/**
 * Refuses, before any training, data that preprocessing left without a user or an item to
 * train on, naming each step that removed them and the flag that would change it.
 * @param raw - the dataset as loaded.
 * @param kept - the dataset after preprocessing.
 */
export function refuseUntrainableData(
  raw: InteractionDataset,
  kept: InteractionDataset,
  report: PreprocessReport,
  context: RefusalContext,
): void {
  if (kept.userCount > 0 && kept.itemCount > 0) return;
  const causes: string[] = [];
  const read = raw.interactionCount + raw.unknownItemInteractions;
  if (read === 0) causes.push(`${context.interactions} holds no interaction`);
  if (raw.unknownItemInteractions > 0)
    causes.push(
      `${raw.unknownItemInteractions} of ${read} interactions name items that are not in ${context.items} (do the ids of the two files match?)`,
    );
  if (raw.itemCount === 0) causes.push(`${context.items} holds no item`);
  if (report.interactionsBelowMinRating > 0)
    causes.push(
      `${report.interactionsBelowMinRating} of ${raw.interactionCount} interactions are rated below --min-rating ${context.minRating} (lower it or leave it out)`,
    );
  if (report.itemsWithoutText > 0) {
    const { stopwords } = context.config;
    causes.push(
      `${report.itemsWithoutText} of ${raw.itemCount} items have no word left after ${context.config.stripHtml ? 'HTML cleanup and ' : ''}stopword removal ` +
        `(stopwords: ${stopwords.length > 0 ? stopwords.join(', ') : 'none'}; change with --config '{"stopwords":[]}')`,
    );
  }
  if (report.usersBelowMinInteractions > 0) {
    const most = mostPositives(raw);
    causes.push(
      `${report.usersBelowMinInteractions} of ${raw.userCount} users have fewer than --min-user-interactions ${context.minUserInteractions} positives left ` +
        `(in ${context.interactions} the most any user has is ${most}; lower --min-user-interactions)`,
    );
  }
  throw new CliError(
    `nothing to train on: preprocessing left ${kept.userCount} users and ${kept.itemCount} items: ${causes.join('; ') || 'no interaction was kept'}`,
  );
}

/**
 * Refuses a split without a user: every user needs 3 items (one each for train, validation
 * and test).
 */
export function refuseEmptySplit(split: UserSplit, kept: InteractionDataset): void {
  if (split.userIds.length > 0) return;
  throw new CliError(
    `nothing to train on: no user has the 3 distinct positives a train/validation/test split needs ` +
      `(one each; the most any of the ${kept.userCount} users has is ${mostPositives(kept)})`,
  );
}

function mostPositives(dataset: InteractionDataset): number {
  const { offsets, rowCount } = dataset.interactions;
  let most = 0;
  for (let user = 0; user < rowCount; user++) most = Math.max(most, offsets[user + 1] - offsets[user]);
  return most;
}
