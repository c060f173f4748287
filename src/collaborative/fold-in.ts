import { SeededRandom } from '../random/seeded-random';
import type { BprMatrixFactorization } from './bpr-mf';

/** Options of {@link foldInUser}; every field has a default. */
export interface FoldInOptions {
  /** Passes over the history, each of one BPR triplet per history item. Default 30. */
  epochs: number;
  /** SGD learning rate. Default 0.05 (BPR-MF's). */
  learningRate: number;
  /** L2 weight on the user vector. Default 0.03 (BPR-MF's). */
  l2: number;
  /** Seed of the negative sampling (fixed: the same history always gets the same vector). Default 1. */
  seed: number;
}

const FOLD_IN_DEFAULTS: FoldInOptions = { epochs: 30, learningRate: 0.05, l2: 0.03, seed: 1 };

/**
 * "Fold-in" of a user the collaborative part has never seen: BPR SGD on their history alone,
 * with the item factors and biases fixed, gives a user vector p for p . q_j (the standard way to
 * score a new user with a matrix factorisation without retraining it). Items of the history
 * are positives; negatives are drawn uniformly from the other items.
 * @param history - item indices (duplicates and out-of-range indices are an error).
 * @returns `[factors]` the user vector; zero for an empty history or one that covers every item.
 */
export function foldInUser(
  part: BprMatrixFactorization,
  history: ArrayLike<number>,
  options: Partial<FoldInOptions> = {},
): Float32Array {
  const { epochs, learningRate: lr, l2, seed } = { ...FOLD_IN_DEFAULTS, ...options };
  const { factors: F, itemCount, itemFactors: Q, itemBiases: B } = part;
  const user = new Float32Array(F);
  const positives = new Set<number>();
  for (let k = 0; k < history.length; k++) {
    const item = history[k];
    if (!(Number.isInteger(item) && item >= 0 && item < itemCount))
      throw new RangeError(`foldInUser: history item ${item} (position ${k}) out of range [0, ${itemCount})`);
    positives.add(item);
  }
  if (positives.size === 0 || positives.size >= itemCount) return user;
  const items = [...positives];
  const rng = new SeededRandom(seed);
  for (let step = 0; step < epochs * items.length; step++) {
    const i = items[rng.nextInt(items.length)];
    let j: number;
    do j = rng.nextInt(itemCount);
    while (positives.has(j));
    let x = B[i] - B[j];
    for (let f = 0; f < F; f++) x += user[f] * (Q[i * F + f] - Q[j * F + f]);
    const g = 1 / (1 + Math.exp(x)); // sigma(-x)
    for (let f = 0; f < F; f++) user[f] += lr * (g * (Q[i * F + f] - Q[j * F + f]) - l2 * user[f]);
  }
  return user;
}

/**
 * The user vectors of rows of histories: a known user (a row index of the part's training data)
 * gets their learned p_u; any other (-1) gets {@link foldInUser} of their history.
 * @returns row-major `[rows, factors]`.
 */
export function collaborativeUserVectors(
  part: BprMatrixFactorization,
  users: ArrayLike<number>,
  historyOf: (row: number) => ArrayLike<number>,
): Float32Array {
  const F = part.factors;
  const vectors = new Float32Array(users.length * F);
  for (let row = 0; row < users.length; row++) {
    const user = users[row];
    if (user >= 0 && user < part.userCount)
      vectors.set(part.userFactors.subarray(user * F, (user + 1) * F), row * F);
    else vectors.set(foldInUser(part, historyOf(row)), row * F);
  }
  return vectors;
}
