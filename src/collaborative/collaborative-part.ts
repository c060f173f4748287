import { BprMatrixFactorization } from './bpr-mf';
import type { BprMfOptions } from './bpr-mf';
import type { CsrMatrix } from '../data/csr';

/** Settings of the collaborative part's BPR-MF fit ({@link fitCollaborativePart}). */
export type CollaborativeFitOptions = Partial<Omit<BprMfOptions, 'factors'>>;

/**
 * Fits the collaborative part of a hybrid MARS: a BPR-MF model (score p_u . q_j + b_j) on the
 * training positives, with BprMatrixFactorization's defaults (300 epochs, L2 0.03) unless
 * overridden, made a collaborative part by {@link asCollaborativePart}. (`MarsModel.fit` chooses
 * L2 and epochs on validation instead when it has validation data: `tuneBprMf`.)
 * @param train - training positives, users x items.
 * @param factors - latent factors per user and item.
 */
export function fitCollaborativePart(
  train: CsrMatrix,
  factors: number,
  options: CollaborativeFitOptions = {},
): BprMatrixFactorization {
  return asCollaborativePart(BprMatrixFactorization.fit(train, { ...options, factors }), train);
}

/**
 * A fitted BPR-MF as the collaborative part of a hybrid MARS: items without training positives
 * (cold items) get zero factors and a bias below every item seen in training, so the part never
 * lifts an item it knows nothing about; their scores come from text alone.
 * @param fitted - BPR-MF fitted on `train`.
 * @param train - its training positives, users x items.
 * @returns a new model; `fitted` is left as it is.
 */
export function asCollaborativePart(
  fitted: BprMatrixFactorization,
  train: CsrMatrix,
): BprMatrixFactorization {
  const { factors } = fitted;
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
