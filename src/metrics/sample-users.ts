import type { CsrMatrix } from '../data/csr';
import { SeededRandom } from '../random/seeded-random';
import { evaluateRanking } from './evaluate-ranking';
import type { EvaluateRankingOptions, RankingEvaluation } from './evaluate-ranking';

/**
 * A seeded uniform sample, without replacement, of the users (rows) that have at least one
 * target, ascending; all of them when `count` is at least their number. The same seed gives the
 * same users.
 * @param targets - users x items held-out positives.
 * @param count - users wanted (an integer >= 1).
 * @param seed - seed of the draw. Default 1.
 * @throws RangeError when `count` is not a positive integer.
 */
export function sampleEvaluationUsers(targets: CsrMatrix, count: number, seed = 1): Int32Array {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`sampleEvaluationUsers: count must be a positive integer (users), got ${count}`);
  }
  let eligible = 0;
  for (let user = 0; user < targets.rowCount; user++)
    if (targets.offsets[user + 1] > targets.offsets[user]) eligible++;
  const users = new Int32Array(eligible);
  let at = 0;
  for (let user = 0; user < targets.rowCount; user++)
    if (targets.offsets[user + 1] > targets.offsets[user]) users[at++] = user;
  if (count >= eligible) return users;
  // partial Fisher-Yates: the first `count` places end up a uniform sample
  const rng = new SeededRandom(seed);
  for (let k = 0; k < count; k++) {
    const j = k + rng.nextInt(eligible - k);
    const swap = users[k];
    users[k] = users[j];
    users[j] = swap;
  }
  return users.slice(0, count).sort();
}

/** Options of {@link evaluateSampledUsers}: those of `evaluateRanking` (but `users`), plus the sample. */
export interface SampledEvaluationOptions extends Omit<EvaluateRankingOptions, 'users'> {
  /** Users to evaluate, drawn among those with a target. Default: all of them. */
  sampleUsers?: number;
  /** Seed of the draw. Default 1. */
  seed?: number;
}

/** The result of {@link evaluateSampledUsers}. */
export interface SampledEvaluation extends RankingEvaluation {
  /** Users with at least one target: the population the sample is drawn from. */
  population: number;
  /** Whether a sample (fewer than all users with targets) was evaluated. */
  sampled: boolean;
  /**
   * Standard error of each mean as an estimate of the mean over the whole population: the
   * sample's `standardError` times the finite-population correction sqrt((N - n) / (N - 1))
   * (0 when every user was evaluated).
   */
  populationStandardError: Record<string, number>;
}

/**
 * Full-ranking evaluation (`evaluateRanking`) of a seeded sample of users: the cost grows with
 * the sample, not with the users, and the standard errors say how far the sampled means may be
 * from the full ones. Without `sampleUsers` every user with a target is evaluated (the default
 * for small data).
 *
 * @param options - see {@link SampledEvaluationOptions}.
 * @throws RangeError for a `sampleUsers` that is not a positive integer, and what
 *   `evaluateRanking` throws.
 */
export async function evaluateSampledUsers(options: SampledEvaluationOptions): Promise<SampledEvaluation> {
  const { sampleUsers, seed, ...rest } = options;
  const all = sampleEvaluationUsers(options.targets, Number.MAX_SAFE_INTEGER);
  const users =
    sampleUsers === undefined ? all : sampleEvaluationUsers(options.targets, sampleUsers, seed ?? 1);
  const result = await evaluateRanking({ ...rest, users });
  const population = all.length;
  const n = users.length;
  const correction = population > 1 ? Math.sqrt(Math.max(0, population - n) / (population - 1)) : 0;
  const populationStandardError: Record<string, number> = {};
  for (const [name, value] of Object.entries(result.standardError))
    populationStandardError[name] = value * correction;
  return { ...result, population, sampled: n < population, populationStandardError };
}
