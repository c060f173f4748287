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

/**
 * The training users of a split (`mars-rec train` saves it as `split.json`).
 *
 * @example
 * ```ts
 * import { MarsModel } from 'mars-rec';
 * import { UserSplit } from 'mars-rec/data';
 * import { createRecommendationService, knownUsersOfSplit } from 'mars-rec/http';
 *
 * // a run directory of `mars-rec train` holds the model and its exact split
 * const model = await MarsModel.load('run1/model');
 * const users = knownUsersOfSplit(await UserSplit.load('run1/split.bin'));
 * const service = createRecommendationService(model, { users });
 * await service.recommend({ user: '42', k: 10 }); // user 42's training history and user term
 * ```
 */
export function knownUsersOfSplit(split: UserSplit): KnownUsers {
  const rows = new Map(split.userIds.map((id, row) => [id, row]));
  return {
    count: split.userIds.length,
    indexOf: (id) => rows.get(id),
    historyOf: (index) => split.historyOf(index, 'train'),
  };
}
