import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { LazyAdamOptimizer } from '../../src/training/lazy-adam';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Runs `steps` steps of `optimizer` on a 4 x 2 table with per-step gradients. */
function run(optimizer: tf.Optimizer, gradients: number[][][]): number[][] {
  const initial = tf.tensor2d([
    [1, 2],
    [3, 4],
    [5, 6],
    [7, 8],
  ]);
  const table = tf.variable(initial);
  initial.dispose();
  for (const gradient of gradients) {
    const g = tf.tensor2d(gradient);
    optimizer.applyGradients({ [table.name]: g });
    g.dispose();
  }
  const values = table.arraySync();
  table.dispose();
  return values;
}

describe('LazyAdamOptimizer', () => {
  it('equals Adam when every row has a gradient', () => {
    const gradients = [
      [
        [0.1, -0.2],
        [0.3, 0.4],
        [-0.5, 0.6],
        [0.7, -0.8],
      ],
      [
        [0.2, 0.1],
        [-0.3, 0.2],
        [0.5, 0.5],
        [-0.1, 0.9],
      ],
      [
        [-0.4, 0.3],
        [0.1, -0.1],
        [0.2, -0.6],
        [0.3, 0.3],
      ],
    ];
    const lazy = new LazyAdamOptimizer(0.01, 0.9, 0.999, 1e-7);
    const adam = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    const a = run(lazy, gradients);
    const b = run(adam, gradients);
    for (let r = 0; r < 4; r++) for (let c = 0; c < 2; c++) expect(a[r][c]).toBeCloseTo(b[r][c], 6);
    lazy.dispose();
    adam.dispose();
  });

  it('leaves rows without a gradient untouched, where dense Adam moves them on stale moments', () => {
    const gradients = [
      [
        [0.1, 0.1],
        [0.1, 0.1],
        [0.1, 0.1],
        [0.1, 0.1],
      ],
      [
        [0.1, 0.1],
        [0, 0],
        [0, 0],
        [0.1, 0.1],
      ], // rows 1 and 2 absent from this batch
    ];
    const lazy = new LazyAdamOptimizer(0.01);
    const afterFirst = run(new LazyAdamOptimizer(0.01), gradients.slice(0, 1));
    const a = run(lazy, gradients);
    expect(a[1]).toEqual(afterFirst[1]);
    expect(a[2]).toEqual(afterFirst[2]);
    expect(a[0][0]).toBeLessThan(afterFirst[0][0]); // rows with a gradient keep moving
    // by hand: after step 1 every row moved by lr (Adam's first step is lr * sign(g))
    expect(afterFirst[1][0]).toBeCloseTo(3 - 0.01, 6);
    const adam = tf.train.adam(0.01);
    const b = run(adam, gradients);
    expect(b[1][0]).toBeLessThan(afterFirst[1][0] - 0.001); // dense Adam kept moving the absent row
    lazy.dispose();
    adam.dispose();
  });

  it('frees what it creates', () => {
    const before = tf.memory().numTensors;
    const optimizer = new LazyAdamOptimizer(0.1);
    run(optimizer, [
      [
        [1, 0],
        [0, 0],
        [0, 1],
        [1, 1],
      ],
    ]);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => new LazyAdamOptimizer(-1)).toThrow(/learningRate must be a finite number >= 0, got -1/);
  });
});
