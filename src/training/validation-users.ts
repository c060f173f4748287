import type { CsrMatrix } from '../data/csr';
import type { SeededRandom } from '../random/seeded-random';

/**
 * Up to `count` users that have at least one target, drawn without replacement (seeded), in
 * ascending order: the users of one validation.
 * @param targets - validation positives, users x items.
 */
export function sampleUsersWithTargets(targets: CsrMatrix, count: number, rng: SeededRandom): Int32Array {
  const users: number[] = [];
  for (let user = 0; user < targets.rowCount; user++)
    if (targets.offsets[user + 1] > targets.offsets[user]) users.push(user);
  if (users.length <= count) return Int32Array.from(users);
  return Int32Array.from(rng.shuffle(users).slice(0, count)).sort();
}
