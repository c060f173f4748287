import type { CsrMatrix } from '../data/csr';
import { SeededRandom } from '../random/seeded-random';
import { sortedRowContains } from '../data/csr';

/** Options of {@link BprMatrixFactorization.fit}; every field has a default. */
export interface BprMfOptions {
  /** Latent factors per user and item. Default 64. */
  factors: number;
  /** SGD learning rate. Default 0.05. */
  learningRate: number;
  /**
   * L2 weight on the factors and biases touched by each update. Default 0.03: the best of
   * {0.002, 0.01, 0.03, 0.06, 0.1} on the validation split of movies_tmdb_small (1e-4 overfits a 30% split).
   */
  l2: number;
  /** Learn a per-item bias. Default true. */
  itemBias: boolean;
  /** Total training triplets; overrides `epochs` when set. */
  triplets?: number;
  /** Epochs, each of as many triplets as there are training interactions (Rendle et al.). Default 300. Ignored when `triplets` is set. */
  epochs: number;
  /** Standard deviation of the normal initialisation of the factors. Default 0.01. */
  initScale: number;
  /** Seed of all randomness. Default 1. */
  seed: number;
  /** Called after each epoch with the epoch index and the mean BPR log-likelihood loss of that epoch. */
  onEpochEnd?: (epoch: number, meanLoss: number) => void;
}

/** The JSON form of a fitted {@link BprMatrixFactorization} (`toJSON`, `fromJSON`). */
export interface BprMfJson {
  /** Always `'bpr-mf'`. */
  kind: 'bpr-mf';
  /** Latent factors per user and item. */
  factors: number;
  /** `[users * factors]` user factors, row-major. */
  userFactors: number[];
  /** `[items * factors]` item factors, row-major. */
  itemFactors: number[];
  /** `[items]` item biases. */
  itemBiases: number[];
}

const DEFAULTS: BprMfOptions = {
  factors: 64,
  learningRate: 0.05,
  l2: 0.03,
  itemBias: true,
  epochs: 300,
  initScale: 0.01,
  seed: 1,
};

/**
 * BPR matrix factorisation (Rendle et al. 2009), the paper's first baseline: score(u, i) =
 * p_u . q_i + b_i, trained by SGD on uniformly sampled (user, positive, negative) triplets,
 * the same sampling as MARS's eq. 3. Pure typed arrays, no TensorFlow.
 */
export class BprMatrixFactorization {
  /** `[users, factors]` user factors, row-major. */
  readonly userFactors: Float32Array;
  /** `[items, factors]` item factors, row-major. */
  readonly itemFactors: Float32Array;
  /** `[items]` item biases (all zero when `itemBias` is off). */
  readonly itemBiases: Float32Array;
  /** Latent factors per user and item. */
  readonly factors: number;
  /** Number of users. */
  readonly userCount: number;
  /** Number of items. */
  readonly itemCount: number;

  private constructor(userCount: number, itemCount: number, factors: number) {
    this.userCount = userCount;
    this.itemCount = itemCount;
    this.factors = factors;
    this.userFactors = new Float32Array(userCount * factors);
    this.itemFactors = new Float32Array(itemCount * factors);
    this.itemBiases = new Float32Array(itemCount);
  }

  /**
   * Trains on the positives of `train`: `triplets` triplets, else `epochs` epochs of as many
   * triplets as there are positives (a {@link BprMfTrainer} run to the end). Users without
   * positives keep zero factors; users whose positives cover every item have no negative and are
   * skipped.
   */
  static fit(train: CsrMatrix, options: Partial<BprMfOptions> = {}): BprMatrixFactorization {
    const trainer = new BprMfTrainer(train, options);
    const interactionCount = train.offsets[train.rowCount];
    const totalTriplets = trainer.settings.triplets ?? trainer.settings.epochs * interactionCount;
    const perEpoch = Math.max(1, Math.min(totalTriplets, interactionCount));
    let done = 0;
    for (let epoch = 0; done < totalTriplets && trainer.trainable; epoch++) {
      const epochTriplets = Math.min(perEpoch, totalTriplets - done);
      const meanLoss = trainer.train(epochTriplets);
      done += epochTriplets;
      trainer.settings.onEpochEnd?.(epoch, meanLoss);
    }
    return trainer.model;
  }

  /**
   * A model from saved factors (the fields of a fitted one).
   * @throws RangeError when the array lengths do not fit `factors`.
   */
  static fromFactors(saved: {
    factors: number;
    userFactors: Float32Array;
    itemFactors: Float32Array;
    itemBiases: Float32Array;
  }): BprMatrixFactorization {
    const { factors, userFactors, itemFactors, itemBiases } = saved;
    const userCount = userFactors.length / factors;
    const itemCount = itemFactors.length / factors;
    if (!Number.isInteger(userCount) || !Number.isInteger(itemCount) || itemBiases.length !== itemCount) {
      throw new RangeError(
        `BprMatrixFactorization.fromFactors: ${userFactors.length} user and ${itemFactors.length} item values, ` +
          `${itemBiases.length} biases do not fit ${factors} factors`,
      );
    }
    const model = new BprMatrixFactorization(userCount, itemCount, factors);
    model.userFactors.set(userFactors);
    model.itemFactors.set(itemFactors);
    model.itemBiases.set(itemBiases);
    return model;
  }

  /** The JSON form: every factor and bias (float32 values written as numbers). */
  toJSON(): BprMfJson {
    return {
      kind: 'bpr-mf',
      factors: this.factors,
      userFactors: Array.from(this.userFactors),
      itemFactors: Array.from(this.itemFactors),
      itemBiases: Array.from(this.itemBiases),
    };
  }

  /**
   * A model from its JSON form ({@link BprMatrixFactorization.toJSON}).
   * @throws TypeError naming the field when `json` is not a BPR-MF model's JSON; RangeError when
   *   the lengths do not fit `factors`.
   */
  static fromJSON(json: BprMfJson): BprMatrixFactorization {
    if (typeof json !== 'object' || json === null || json.kind !== 'bpr-mf')
      throw new TypeError(
        `BprMatrixFactorization.fromJSON: not a BPR-MF model (kind ${JSON.stringify(json?.kind)})`,
      );
    if (!Number.isInteger(json.factors) || json.factors < 1)
      throw new TypeError(
        `BprMatrixFactorization.fromJSON: factors must be a positive integer, got ${String(json.factors)}`,
      );
    const field = (name: 'userFactors' | 'itemFactors' | 'itemBiases'): Float32Array => {
      const values = json[name];
      if (
        !Array.isArray(values) ||
        !values.every((value) => typeof value === 'number' && Number.isFinite(value))
      )
        throw new TypeError(`BprMatrixFactorization.fromJSON: ${name} must be an array of finite numbers`);
      return Float32Array.from(values);
    };
    return BprMatrixFactorization.fromFactors({
      factors: json.factors,
      userFactors: field('userFactors'),
      itemFactors: field('itemFactors'),
      itemBiases: field('itemBiases'),
    });
  }

  /**
   * Scores every item for each user.
   * @param users - user indices in `[0, userCount)`.
   * @returns row-major `[users.length, items]` scores p_u . q_i + b_i.
   */
  scoreUsers(users: Int32Array): Float32Array {
    const F = this.factors;
    const vectors = new Float32Array(users.length * F);
    users.forEach((u, row) => {
      if (!(u >= 0 && u < this.userCount))
        throw new RangeError(
          `BprMatrixFactorization.scoreUsers: user index ${u} out of range [0, ${this.userCount})`,
        );
      vectors.set(this.userFactors.subarray(u * F, (u + 1) * F), row * F);
    });
    return this.scoreUserVectors(vectors);
  }

  /**
   * Scores every item for arbitrary user vectors (a learned p_u, or one folded in for a new user).
   * @param userVectors - row-major `[rows, factors]`.
   * @returns row-major `[rows, items]` scores p . q_i + b_i.
   * @throws RangeError when the length is not a multiple of `factors`.
   */
  scoreUserVectors(userVectors: Float32Array): Float32Array {
    const { factors: F, itemCount, itemFactors: Q, itemBiases: B } = this;
    const rows = userVectors.length / F;
    if (!Number.isInteger(rows))
      throw new RangeError(
        `BprMatrixFactorization.scoreUserVectors: ${userVectors.length} values are not rows of ${F} factors`,
      );
    const scores = new Float32Array(rows * itemCount);
    for (let row = 0; row < rows; row++) {
      const pu = row * F;
      const base = row * itemCount;
      for (let i = 0; i < itemCount; i++) {
        let score = B[i];
        const qi = i * F;
        for (let f = 0; f < F; f++) score += userVectors[pu + f] * Q[qi + f];
        scores[base + i] = score;
      }
    }
    return scores;
  }
}

/**
 * BPR-MF's SGD, a step at a time: the model ({@link BprMfTrainer.model}) is trained in place,
 * so a caller can evaluate it between epochs and keep the best (`tuneBprMf`).
 * `BprMatrixFactorization.fit` is this trainer run to the end.
 */
export class BprMfTrainer {
  /** The resolved settings. */
  readonly settings: BprMfOptions;
  /** The model being trained (its arrays change with every `train` call). */
  readonly model: BprMatrixFactorization;
  /** False when no user has both a positive and a negative: there is nothing to train. */
  readonly trainable: boolean;
  private readonly matrix: CsrMatrix;
  private readonly rng: SeededRandom;
  private readonly trainableUsers: number[];

  /**
   * Checks the settings and initialises the factors (normal, `initScale`), seeded.
   * @throws RangeError naming a bad setting.
   */
  constructor(train: CsrMatrix, options: Partial<BprMfOptions> = {}) {
    const given = Object.entries(options).filter(([, value]) => value !== undefined); // undefined: the default
    const settings: BprMfOptions = { ...DEFAULTS, ...Object.fromEntries(given) };
    if (!Number.isInteger(settings.factors) || settings.factors < 1) {
      throw new RangeError(
        `BprMatrixFactorization: factors must be a positive integer, got ${settings.factors}`,
      );
    }
    for (const key of ['learningRate', 'l2', 'initScale'] as const) {
      if (!(settings[key] >= 0) || !Number.isFinite(settings[key])) {
        throw new RangeError(
          `BprMatrixFactorization: ${key} must be a finite number >= 0, got ${settings[key]}`,
        );
      }
    }
    this.settings = settings;
    this.matrix = train;
    const F = settings.factors;
    this.model = BprMatrixFactorization.fromFactors({
      factors: F,
      userFactors: new Float32Array(train.rowCount * F),
      itemFactors: new Float32Array(train.columnCount * F),
      itemBiases: new Float32Array(train.columnCount),
    });
    const rng = new SeededRandom(settings.seed);
    const normal = (): number => {
      // Box-Muller
      const u1 = 1 - rng.nextFloat();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng.nextFloat());
    };
    const { userFactors, itemFactors } = this.model;
    for (let k = 0; k < userFactors.length; k++) userFactors[k] = normal() * settings.initScale;
    for (let k = 0; k < itemFactors.length; k++) itemFactors[k] = normal() * settings.initScale;
    this.rng = rng;
    this.trainableUsers = [];
    for (let u = 0; u < train.rowCount; u++) {
      const count = train.offsets[u + 1] - train.offsets[u];
      if (count > 0 && count < train.columnCount) this.trainableUsers.push(u);
    }
    this.trainable = this.trainableUsers.length > 0;
  }

  /**
   * Trains on `triplets` sampled triplets (uniform user, uniform positive, uniform negative).
   * @returns the mean BPR log-likelihood loss of these triplets; NaN when nothing is trainable.
   */
  train(triplets: number): number {
    if (!this.trainable || triplets <= 0) return NaN;
    const { matrix: train, rng, trainableUsers, settings } = this;
    const { userFactors: P, itemFactors: Q, itemBiases: B, factors: F } = this.model;
    const { learningRate: lr, l2 } = settings;
    let lossSum = 0;
    for (let t = 0; t < triplets; t++) {
      const u = trainableUsers[rng.nextInt(trainableUsers.length)];
      const start = train.offsets[u];
      const end = train.offsets[u + 1];
      const i = train.indices[start + rng.nextInt(end - start)];
      let j: number;
      do j = rng.nextInt(train.columnCount);
      while (sortedRowContains(train.indices, start, end, j));
      const pu = u * F;
      const qi = i * F;
      const qj = j * F;
      let x = settings.itemBias ? B[i] - B[j] : 0;
      for (let f = 0; f < F; f++) x += P[pu + f] * (Q[qi + f] - Q[qj + f]);
      const g = 1 / (1 + Math.exp(x)); // sigma(-x) = d(ln sigma(x))/dx
      lossSum += x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
      for (let f = 0; f < F; f++) {
        const userValue = P[pu + f];
        const difference = Q[qi + f] - Q[qj + f];
        P[pu + f] += lr * (g * difference - l2 * userValue);
        Q[qi + f] += lr * (g * userValue - l2 * Q[qi + f]);
        Q[qj + f] += lr * (-g * userValue - l2 * Q[qj + f]);
      }
      if (settings.itemBias) {
        B[i] += lr * (g - l2 * B[i]);
        B[j] += lr * (-g - l2 * B[j]);
      }
    }
    return lossSum / triplets;
  }
}
