import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ItemBias } from '../../src/layers/item-bias';
import { ItemIdEmbedding } from '../../src/layers/item-id-embedding';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const train = { indices: Int32Array.of(0, 2, 2, 3) }; // items 0, 2, 3 have positives; 1 and 4 are cold

describe('ItemBias', () => {
  it('learns biases of seen items only; cold items get the warm start minimum', () => {
    const before = tf.memory().numTensors;
    const layer = new ItemBias({ itemCount: 5, name: 'item_bias' });
    layer.markSeen(train);
    layer.warmStart(Float32Array.of(0.5, -2, 1.5, 0.25, 3));
    expect(tf.tidy(() => Array.from(layer.values().dataSync()))).toEqual([0.5, -2, 1.5, 0.25, -2]);
    expect(tf.tidy(() => Array.from(layer.gather(Int32Array.of(4, 2, 1)).dataSync()))).toEqual([-2, 1.5, -2]);
    // the gradient reaches the biases of the seen items gathered, nothing else
    const [variable] = layer.trainableVariables();
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(layer.gather(Int32Array.of(2, 1, 2)), tf.tensor1d([1, 10, 3]))) as tf.Scalar,
      [variable],
    );
    expect(Array.from(grads[variable.name].dataSync())).toEqual([0, 0, 4, 0, 0]);
    tf.dispose([value, ...Object.values(grads)]);
    expect(layer.weights.map((w) => [w.originalName, w.trainable])).toEqual([
      ['bias', true],
      ['seen', false],
      ['cold_bias', false],
    ]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad sizes and items outside the catalogue', () => {
    expect(() => new ItemBias({ itemCount: 0 })).toThrow(/itemCount must be a positive integer, got 0/);
    const layer = new ItemBias({ itemCount: 3 });
    expect(() => layer.markSeen({ indices: Int32Array.of(3) })).toThrow(
      /item 3 is outside the catalogue \[0, 3\)/,
    );
    expect(() => layer.warmStart(new Float32Array(2))).toThrow(/2 biases for 3 items/);
    layer.dispose();
  });
});

describe('ItemIdEmbedding', () => {
  it('gives seen items their embedding and cold items zero', () => {
    const before = tf.memory().numTensors;
    const layer = new ItemIdEmbedding({ itemCount: 5, outputDim: 2, name: 'item_id_embedding' });
    layer.markSeen(train);
    const [variable] = layer.trainableVariables();
    tf.tidy(() => variable.assign(tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [5, 2])));
    expect(tf.tidy(() => layer.lookup(Int32Array.of(1, 2, 4, 0)).arraySync())).toEqual([
      [0, 0],
      [5, 6],
      [0, 0],
      [1, 2],
    ]);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(layer.lookup(Int32Array.of(1, 3, 3))) as tf.Scalar,
      [variable],
    );
    expect(grads[variable.name].arraySync()).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [2, 2],
      [0, 0],
    ]);
    tf.dispose([value, ...Object.values(grads)]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
