/**
 * The collaborative (ID-based) core of mars-rec on typed arrays: BPR matrix factorisation
 * (Rendle et al. 2009), its fold-in for users it has never seen, the bias-only BPR model, and the
 * fixed collaborative part of a hybrid MARS. The BPR-MF baseline and `MarsModel` share it.
 * TensorFlow-free.
 * @packageDocumentation
 */
export { BprMatrixFactorization, BprMfTrainer } from './bpr-mf';
export type { BprMfJson, BprMfOptions } from './bpr-mf';
export { foldInUser, collaborativeUserVectors } from './fold-in';
export type { FoldInOptions } from './fold-in';
export {
  addCollaborativeScores,
  asCollaborativePart,
  collaborativePairScores,
  fitCollaborativePart,
} from './collaborative-part';
export type { CollaborativeFitOptions } from './collaborative-part';
export { fitBprItemBiases } from './item-biases';
export type { ItemBiasFitOptions } from './item-biases';
