import type { CsrMatrix } from '../data/csr';
import { chronologicalPositions } from '../ragged/cap-history';
import { SeededRandom } from '../random/seeded-random';
import { DEFAULT_SEED, HOLDOUT_MAX_FRACTION, HOLDOUT_MIN_POSITIVES, HOLDOUT_USERS } from './defaults';

/** Training positives with a validation slice taken out of them ({@link holdOutValidation}). */
export interface HeldOutValidation {
  /** The training positives left. */
  train: CsrMatrix;
  /** The held-out positives, same shape. */
  validation: CsrMatrix;
  /** How many positives were held out. */
  heldOut: number;
}

/**
 * Holds out a validation slice of the training positives, for a fit that has no validation
 * split: one positive (the most recent when the matrix has timestamps, else a seeded random one)
 * of each of up to `HOLDOUT_USERS` seeded random users with at least `HOLDOUT_MIN_POSITIVES`
 * positives, and at most `HOLDOUT_MAX_FRACTION` of all positives. Timestamps are kept.
 * @returns undefined when no user has enough positives.
 */
export function holdOutValidation(train: CsrMatrix, seed: number): HeldOutValidation | undefined {
  const rng = new SeededRandom(seed + 104_729);
  const eligible: number[] = [];
  for (let user = 0; user < train.rowCount; user++)
    if (train.offsets[user + 1] - train.offsets[user] >= HOLDOUT_MIN_POSITIVES) eligible.push(user);
  const positives = train.offsets[train.rowCount];
  const count = Math.min(eligible.length, HOLDOUT_USERS, Math.floor(HOLDOUT_MAX_FRACTION * positives));
  if (count === 0) return undefined;
  const heldPosition = new Int32Array(train.rowCount).fill(-1);
  for (const user of rng.shuffle(eligible).slice(0, count)) {
    const start = train.offsets[user];
    const end = train.offsets[user + 1];
    // the most recent by the rule every history follows (capHistory), else a random one
    const position = train.timestamps
      ? (chronologicalPositions(train, user).at(-1) as number)
      : start + rng.nextInt(end - start);
    heldPosition[user] = position;
  }
  const part = (held: boolean): CsrMatrix => {
    const offsets = new Int32Array(train.rowCount + 1);
    const indices: number[] = [];
    const timestamps: number[] = [];
    for (let user = 0; user < train.rowCount; user++) {
      for (let p = train.offsets[user]; p < train.offsets[user + 1]; p++) {
        if ((p === heldPosition[user]) !== held) continue;
        indices.push(train.indices[p]);
        if (train.timestamps) timestamps.push(train.timestamps[p]);
      }
      offsets[user + 1] = indices.length;
    }
    return {
      rowCount: train.rowCount,
      columnCount: train.columnCount,
      offsets,
      indices: Int32Array.from(indices),
      ...(train.timestamps ? { timestamps: Float64Array.from(timestamps) } : {}),
    };
  };
  return { train: part(false), validation: part(true), heldOut: count };
}

/**
 * The training and validation positives of a fit, by the rule `MarsModel.fit` and the CLI
 * share: the validation split when one is given; without one, under the default budget (no
 * `steps`, no `epochs`), a slice held out of the training positives ({@link holdOutValidation});
 * with `steps` or `epochs` and no validation split, no validation.
 * @param request - the fit's budget and seed (of the held-out slice; default `DEFAULT_SEED`).
 */
export function validationForFit(
  train: CsrMatrix,
  validation: CsrMatrix | undefined,
  request: { steps?: number; epochs?: number; seed?: number },
): { train: CsrMatrix; validation?: CsrMatrix; heldOut: number } {
  if (validation || request.steps !== undefined || request.epochs !== undefined)
    return { train, validation, heldOut: 0 };
  return holdOutValidation(train, request.seed ?? DEFAULT_SEED) ?? { train, heldOut: 0 };
}
