import { BprMatrixFactorization } from '../baselines/bpr-mf';
import type { BprMfOptions } from '../baselines/bpr-mf';
import type { CsrMatrix } from '../data/csr';
import { SeededRandom } from '../sampling/random';

/** Settings of the collaborative part's BPR-MF fit ({@link fitCollaborativePart}). */
export type CollaborativeFitOptions = Partial<Omit<BprMfOptions, 'factors'>>;

/**
 * Fits the collaborative part of a hybrid MARS: a BPR-MF model (score p_u . q_j + b_j) on the
 * training positives, with BprMatrixFactorization's defaults (300 epochs, L2 0.03) unless
 * overridden. Items without training positives (cold items) get zero factors and a bias below
 * every item seen in training, so the part never lifts an item it knows nothing about; their
 * scores come from text alone.
 * @param train - training positives, users x items.
 * @param factors - latent factors per user and item.
 */
export function fitCollaborativePart(
  train: CsrMatrix,
  factors: number,
  options: CollaborativeFitOptions = {},
): BprMatrixFactorization {
  const fitted = BprMatrixFactorization.fit(train, { ...options, factors });
  const seen = new Uint8Array(train.columnCount);
  for (let k = 0; k < train.offsets[train.rowCount]; k++) seen[train.indices[k]] = 1;
  let coldBias = Infinity;
  for (let item = 0; item < seen.length; item++)
    if (seen[item]) coldBias = Math.min(coldBias, fitted.itemBiases[item]);
  if (!Number.isFinite(coldBias)) coldBias = 0;
  const itemFactors = fitted.itemFactors.slice();
  const itemBiases = fitted.itemBiases.slice();
  for (let item = 0; item < seen.length; item++) {
    if (seen[item]) continue;
    itemFactors.fill(0, item * factors, (item + 1) * factors);
    itemBiases[item] = coldBias;
  }
  return BprMatrixFactorization.fromFactors({
    factors,
    userFactors: fitted.userFactors,
    itemFactors,
    itemBiases,
  });
}

/**
 * The collaborative score p_u . q_j + b_j of pairs; a user index outside the part's users
 * (a history without a known user: -1) contributes no user term, only b_j.
 */
export function collaborativePairScores(
  part: BprMatrixFactorization,
  users: ArrayLike<number>,
  items: ArrayLike<number>,
): Float32Array {
  const { factors: F, userFactors: P, itemFactors: Q, itemBiases: B } = part;
  const scores = new Float32Array(items.length);
  for (let k = 0; k < items.length; k++) {
    const user = users[k];
    const item = items[k];
    let score = B[item];
    if (user >= 0 && user < part.userCount) {
      const pu = user * F;
      const qi = item * F;
      for (let f = 0; f < F; f++) score += P[pu + f] * Q[qi + f];
    }
    scores[k] = score;
  }
  return scores;
}

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

/**
 * Adds the collaborative scores p . q_j + b_j of every item to row-major `[rows, items]` scores
 * in place, for row-major `[rows, factors]` user vectors.
 */
export function addCollaborativeScores(
  part: BprMatrixFactorization,
  userVectors: Float32Array,
  scores: Float32Array,
): void {
  if (scores.length !== (userVectors.length / part.factors) * part.itemCount)
    throw new RangeError(
      `addCollaborativeScores: ${scores.length} scores for ${userVectors.length / part.factors} user vectors x ${part.itemCount} items`,
    );
  const collaborative = part.scoreUserVectors(userVectors);
  for (let k = 0; k < scores.length; k++) scores[k] += collaborative[k];
}
