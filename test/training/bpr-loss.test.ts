import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { bprLoss } from '../../src/training/bpr-loss';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('bprLoss', () => {
  it('equals the hand-computed eq. 4 on a two-triplet batch', () => {
    const value = tf.tidy(() =>
      bprLoss(
        {
          positiveScores: tf.tensor1d([2, 0]),
          negativeScores: tf.tensor1d([1, 0.5]),
          positiveUserVectors: tf.tensor2d([
            [1, 0],
            [0, 2],
          ]),
          negativeUserVectors: tf.tensor2d([
            [0, 1],
            [1, 1],
          ]),
          positiveItemVectors: tf.tensor2d([
            [3, 0],
            [0, 0],
          ]),
          negativeItemVectors: tf.tensor2d([
            [0, 0],
            [1, 0],
          ]),
        },
        { lambdaU: 0.1, lambdaV: 0.01 },
      ).arraySync(),
    );
    const nll = (x: number): number => -Math.log(1 / (1 + Math.exp(-x)));
    const first = nll(2 - 1) + 0.1 * (1 + 1) + 0.01 * (9 + 0);
    const second = nll(0 - 0.5) + 0.1 * (4 + 2) + 0.01 * (0 + 1);
    expect(value).toBeCloseTo((first + second) / 2, 5);
  });

  it('stays finite for huge score gaps', () => {
    const value = tf.tidy(() =>
      bprLoss(
        {
          positiveScores: tf.tensor1d([-1e4, 1e4]),
          negativeScores: tf.tensor1d([1e4, -1e4]),
          positiveItemVectors: tf.zeros([2, 2]),
          negativeItemVectors: tf.zeros([2, 2]),
        },
        { lambdaU: 0, lambdaV: 0 },
      ).arraySync(),
    );
    expect(value).toBeCloseTo(1e4, 0);
  });
});
