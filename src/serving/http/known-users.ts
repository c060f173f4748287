import type { UserSplit } from '../../data/split';

/**
 * The users a model was trained on, by id: a request may name one instead of (or besides)
 * sending a history.
 */
export interface KnownUsers {
  /** Number of users. */
  readonly count: number;
  /** The user's row in the model's training data, or undefined for an id it does not know. */
  indexOf(id: string): number | undefined;
  /** The user's training history, item ids oldest first. */
  historyOf(index: number): string[];
}

/** The training users of a split (`mars-rec train` saves it as `split.json`). */
export function knownUsersOfSplit(split: UserSplit): KnownUsers {
  const rows = new Map(split.userIds.map((id, row) => [id, row]));
  return {
    count: split.userIds.length,
    indexOf: (id) => rows.get(id),
    historyOf: (index) => split.historyOf(index, 'train'),
  };
}
