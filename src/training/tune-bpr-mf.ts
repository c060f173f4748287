import { BprMatrixFactorization, BprMfTrainer } from '../collaborative/bpr-mf';
import type { BprMfOptions } from '../collaborative/bpr-mf';
import type { CsrMatrix } from '../data/csr';
import { evaluateRanking } from '../metrics/evaluate-ranking';
import { SeededRandom } from '../random/seeded-random';
import {
  BPR_MF_L2_GRID,
  BPR_MF_MAX_EPOCHS,
  BPR_MF_PATIENCE,
  BPR_MF_VALIDATION_INTERVAL_EPOCHS,
  DEFAULT_SEED,
  DEFAULT_VALIDATION_METRIC,
  DEFAULT_VALIDATION_USERS,
} from './defaults';
import { sampleUsersWithTargets } from './validation-users';

/** Options of {@link tuneBprMf}: BPR-MF's own options, and how validation chooses. */
export interface BprMfTuningOptions extends Partial<Omit<BprMfOptions, 'triplets' | 'onEpochEnd'>> {
  /** L2 weights tried when `l2` is not given. Default `BPR_MF_L2_GRID`. */
  l2Grid?: readonly number[];
  /** Most epochs when `epochs` is not given. Default `BPR_MF_MAX_EPOCHS` (300). */
  maxEpochs?: number;
  /** Validate every this many epochs. Default `BPR_MF_VALIDATION_INTERVAL_EPOCHS` (10). */
  validateEvery?: number;
  /** Validations without improvement before an L2 value stops. Default `BPR_MF_PATIENCE` (3). */
  patience?: number;
  /** The metric that chooses. Default `'recall@50'`. */
  metric?: string;
  /** Validation users (seeded sample, the same for every candidate). Default 1,000. */
  validationUsers?: number;
}

/** One validated candidate of {@link tuneBprMf}. */
export interface BprMfTrial {
  /** L2 weight. */
  l2: number;
  /** Epochs trained. */
  epochs: number;
  /** The metric on the validation users. */
  value: number;
}

/** What {@link tuneBprMf} chose. */
export interface BprMfTuning {
  /** The chosen model (the weights of the best validation). */
  model: BprMatrixFactorization;
  /** Its L2 weight. */
  l2: number;
  /** Its epochs. */
  epochs: number;
  /** The metric that chose, and its value on the validation users. */
  metric: string;
  /** See `metric`. */
  value: number;
  /** Every validation, in order. */
  trials: BprMfTrial[];
  /** In words, e.g. `BPR-MF L2 0.03, 120 epochs chosen on validation (recall@50 0.2712)`. */
  summary: string;
}

/**
 * BPR-MF with its L2 weight and epochs chosen on validation: for each L2 value (`l2`, or each of
 * `l2Grid`) it trains up to `maxEpochs` epochs (or exactly `epochs` when given), validating every
 * `validateEvery` epochs on a seeded sample of the validation users and stopping after
 * `patience` validations without improvement; the best validated weights win (ties: the earlier
 * candidate). The tuned BPR-MF is the default baseline of the CLI and the collaborative part of
 * the default MARS model. TensorFlow-free.
 * @param train - training positives, users x items.
 * @param validation - held-out positives, same shape.
 * @throws RangeError for a bad option, or when `validation` has no user with a positive.
 */
export async function tuneBprMf(
  train: CsrMatrix,
  validation: CsrMatrix,
  options: BprMfTuningOptions = {},
): Promise<BprMfTuning> {
  const {
    l2Grid = BPR_MF_L2_GRID,
    maxEpochs = BPR_MF_MAX_EPOCHS,
    validateEvery = BPR_MF_VALIDATION_INTERVAL_EPOCHS,
    patience = BPR_MF_PATIENCE,
    metric = DEFAULT_VALIDATION_METRIC,
    validationUsers = DEFAULT_VALIDATION_USERS,
    ...bprOptions
  } = options;
  const seed = bprOptions.seed ?? DEFAULT_SEED;
  const grid = bprOptions.l2 === undefined ? l2Grid : [bprOptions.l2];
  if (grid.length === 0) throw new RangeError('tuneBprMf: l2Grid is empty');
  for (const [name, value] of Object.entries({ maxEpochs, validateEvery, patience }))
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`tuneBprMf: ${name} must be a positive integer, got ${String(value)}`);
  const users = sampleUsersWithTargets(validation, validationUsers, new SeededRandom(seed + 7919));
  if (users.length === 0) throw new RangeError('tuneBprMf: the validation split has no user with a positive');
  const validate = async (model: BprMatrixFactorization): Promise<number> =>
    (
      await evaluateRanking({
        itemCount: train.columnCount,
        targets: validation,
        exclude: train,
        users,
        metrics: [metric],
        score: (rows) => model.scoreUsers(rows),
      })
    ).mean[metric];
  const positives = train.offsets[train.rowCount];
  const trials: BprMfTrial[] = [];
  let best: { value: number; l2: number; epochs: number; model: BprMatrixFactorization } | undefined;
  for (const l2 of grid) {
    const trainer = new BprMfTrainer(train, { ...bprOptions, l2, seed });
    const epochs = bprOptions.epochs ?? maxEpochs;
    let sinceBest = 0;
    let bestHere = -Infinity;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      trainer.train(positives);
      const last = epoch === epochs;
      if (!last && (bprOptions.epochs !== undefined || epoch % validateEvery !== 0)) continue;
      const value = await validate(trainer.model);
      trials.push({ l2, epochs: epoch, value });
      if (!best || value > best.value) best = { value, l2, epochs: epoch, model: copyOf(trainer.model) };
      if (value > bestHere) {
        bestHere = value;
        sinceBest = 0;
      } else if (++sinceBest >= patience) break;
    }
  }
  const chosen = best as NonNullable<typeof best>;
  return {
    ...chosen,
    metric,
    trials,
    summary: `BPR-MF L2 ${chosen.l2}, ${chosen.epochs} epochs chosen on validation (${metric} ${chosen.value.toFixed(4)})`,
  };
}

function copyOf(model: BprMatrixFactorization): BprMatrixFactorization {
  return BprMatrixFactorization.fromFactors(model); // fromFactors copies the arrays
}
