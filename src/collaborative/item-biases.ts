import type { CsrMatrix } from '../data/csr';
import { BprTripletSampler } from '../sampling/bpr-triplet-sampler';

/** Options of {@link fitBprItemBiases}; every field has a default. */
export interface ItemBiasFitOptions {
  /** Epochs, each of as many triplets as there are training interactions. Default 20. */
  epochs: number;
  /** SGD learning rate. Default 0.05. */
  learningRate: number;
  /** L2 weight on the two biases each update touches. Default 0.03 (BPR-MF's tuned value). */
  l2: number;
  /** Seed of the triplet sampling. Default 1. */
  seed: number;
}

const DEFAULTS: ItemBiasFitOptions = { epochs: 20, learningRate: 0.05, l2: 0.03, seed: 1 };

/**
 * The bias-only BPR model: score(u, i) = b_i, trained by SGD on uniformly sampled
 * (user, positive, negative) triplets with the BPR log-likelihood (Rendle et al. 2009). Its
 * ranking is essentially popularity, on the scale of BPR scores, which makes it the right warm
 * start for a learned item bias inside a larger BPR model (MARS's `itemBias`): training starts
 * from the popularity ranking instead of from a random one. Pure typed arrays, no TensorFlow.
 * @param train - training positives, users x items.
 * @returns `[items]` biases; items without training positives end up below every item with some.
 * @throws RangeError (from the sampler) when no user has both a positive and a negative.
 */
export function fitBprItemBiases(train: CsrMatrix, options: Partial<ItemBiasFitOptions> = {}): Float32Array {
  const { epochs, learningRate, l2, seed } = { ...DEFAULTS, ...options };
  for (const [key, value] of Object.entries({ epochs, learningRate, l2 })) {
    if (!(value >= 0) || !Number.isFinite(value))
      throw new RangeError(`fitBprItemBiases: ${key} must be a finite number >= 0, got ${value}`);
  }
  const biases = new Float32Array(train.columnCount);
  const interactions = train.offsets[train.rowCount];
  const batchSize = 4096;
  const sampler = new BprTripletSampler(train, { batchSize, includeHistory: false, seed });
  for (let remaining = Math.round(epochs * interactions); remaining > 0; remaining -= batchSize) {
    const { positives, negatives } = sampler.nextBatch();
    for (let t = 0; t < Math.min(batchSize, remaining); t++) {
      const positive = positives[t];
      const negative = negatives[t];
      const gradient = 1 / (1 + Math.exp(biases[positive] - biases[negative])); // sigma(-(b_i - b_j))
      biases[positive] += learningRate * (gradient - l2 * biases[positive]);
      biases[negative] += learningRate * (-gradient - l2 * biases[negative]);
    }
  }
  return biases;
}
