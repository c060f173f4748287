import { describe, expect, it } from 'vitest';
import type { CsrMatrix } from '../../src/data/csr';
import { defaultValidationInterval, resolveTrainingBudget } from '../../src/training/budget';
import {
  DEFAULT_MAX_PASSES,
  HOLDOUT_MAX_FRACTION,
  MIN_VALIDATION_INTERVAL,
  VALIDATION_INTERVAL_PASSES,
} from '../../src/training/defaults';
import { holdOutValidation, validationForFit } from '../../src/training/hold-out';

function csr(rows: number[][], columnCount: number, times?: number[][]): CsrMatrix {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((row, u) => (offsets[u + 1] = offsets[u] + row.length));
  return {
    rowCount: rows.length,
    columnCount,
    offsets,
    indices: Int32Array.from(rows.flat()),
    ...(times ? { timestamps: Float64Array.from(times.flat()) } : {}),
  };
}

describe('the training budget', () => {
  const request = { batchSize: 100, positives: 1000 }; // a pass is 10 steps, an epoch 1

  it('is the steps asked, else the epochs asked, else a cap in passes over the positives', () => {
    expect(resolveTrainingBudget({ ...request, steps: 7, epochs: 3 })).toEqual({
      maxSteps: 7,
      limit: 'steps',
    });
    expect(resolveTrainingBudget({ ...request, epochs: 30 })).toEqual({ maxSteps: 30, limit: 'epochs' });
    expect(resolveTrainingBudget(request)).toEqual({ maxSteps: DEFAULT_MAX_PASSES * 10, limit: 'pass-cap' });
    expect(resolveTrainingBudget({ ...request, maxPasses: 2.5 })).toEqual({
      maxSteps: 25,
      limit: 'pass-cap',
    });
    expect(() => resolveTrainingBudget({ ...request, steps: 1.5 })).toThrow(
      /steps must be an integer >= 0, got 1.5/,
    );
    expect(() => resolveTrainingBudget({ ...request, maxPasses: 0 })).toThrow(
      /maxPasses must be a positive number/,
    );
  });

  it('validates every pass under the default budget, never closer than the minimum', () => {
    const big = { batchSize: 100, positives: 1_000_000 }; // 10,000 steps a pass
    expect(defaultValidationInterval(resolveTrainingBudget(big), big)).toBe(
      VALIDATION_INTERVAL_PASSES * 10_000,
    );
    expect(defaultValidationInterval(resolveTrainingBudget(request), request)).toBe(MIN_VALIDATION_INTERVAL);
    expect(defaultValidationInterval(resolveTrainingBudget({ ...big, steps: 9 }), big)).toBe(1000); // an epoch
  });
});

describe('holdOutValidation', () => {
  it('holds out the most recent positive of users with enough positives (hand-worked)', () => {
    // 40 positives: at most 10% = 4 held out; users 1 and 3 have fewer than 3 positives
    const rows = [
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [1, 2],
      [3, 4, 5],
      [6],
      [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 19, 20, 21, 22],
      [1, 5, 9, 13, 17, 19, 21, 23, 25, 27],
    ];
    const times = rows.map((row, u) => row.map((_, k) => (u === 2 ? [5, 9, 1][k] : k)));
    const train = csr(rows, 30, times);
    const split = holdOutValidation(train, 1);
    if (!split) throw new Error('nothing held out');
    expect(split.heldOut).toBe(Math.floor(HOLDOUT_MAX_FRACTION * 40));
    for (let user = 0; user < rows.length; user++) {
      const kept = Array.from(
        split.train.indices.subarray(split.train.offsets[user], split.train.offsets[user + 1]),
      );
      const held = Array.from(
        split.validation.indices.subarray(split.validation.offsets[user], split.validation.offsets[user + 1]),
      );
      expect([...kept, ...held].sort((a, b) => a - b)).toEqual(rows[user]);
      expect(held.length).toBeLessThanOrEqual(1);
      if (rows[user].length < 3) expect(held).toEqual([]);
      if (held.length === 1) {
        // the latest by timestamp: the last item of rows 0, 4, 5; item 4 (time 9) of row 2
        expect(held[0]).toBe(user === 2 ? 4 : rows[user].at(-1));
      }
    }
    expect(split.train.timestamps?.length).toBe(40 - split.heldOut);
    expect(holdOutValidation(train, 1)).toEqual(split); // seeded
  });

  it('is used only without a validation split and without steps or epochs', () => {
    const train = csr([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]], 12);
    const given = csr([[11]], 12);
    expect(validationForFit(train, given, { seed: 1 })).toEqual({ train, validation: given, heldOut: 0 });
    expect(validationForFit(train, undefined, { steps: 5, seed: 1 })).toEqual({
      train,
      validation: undefined,
      heldOut: 0,
    });
    expect(validationForFit(train, undefined, { seed: 1 }).heldOut).toBe(1);
    expect(validationForFit(csr([[0, 1]], 3), undefined, { seed: 1 })).toEqual({
      train: csr([[0, 1]], 3),
      heldOut: 0,
    });
  });
});
