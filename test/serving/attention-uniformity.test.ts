import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatRecommendations, withAttention } from '../../src/cli/output';
import { attentionUniformity, NEAR_UNIFORM_TOLERANCE } from '../../src/serving/attention-uniformity';
import { explainAttention } from '../../src/serving/explain-attention';
import type { ItemVectors } from '../../src/serving/item-vectors';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('attentionUniformity', () => {
  it('matches a hand-computed entropy: [0.5, 0.25, 0.25] has H = 1.5 ln 2, normalised by ln 3', () => {
    // H = -(0.5 ln 0.5 + 2 * 0.25 ln 0.25) = 0.5 ln 2 + 0.5 * 2 ln 2 = 1.5 ln 2 = 1.0397
    const measured = attentionUniformity([0.5, 0.25, 0.25]);
    expect(measured.normalizedEntropy).toBeCloseTo((1.5 * Math.LN2) / Math.log(3), 12);
    expect(measured.normalizedEntropy).toBeCloseTo(0.9464, 4);
    // |3 * 0.5 - 1| = 0.5, |3 * 0.25 - 1| = 0.25
    expect(measured.largestDeviation).toBeCloseTo(0.5, 12);
    expect(measured.nearUniform).toBe(false);
  });

  it('is 1 and flat for equal weights, 0 when one item takes all', () => {
    expect(attentionUniformity([0.2, 0.2, 0.2, 0.2, 0.2])).toEqual({
      normalizedEntropy: 1,
      largestDeviation: expect.closeTo(0, 12) as number,
      nearUniform: true,
    });
    const oneHot = attentionUniformity([0, 1, 0, 0]);
    expect(oneHot.normalizedEntropy).toBe(0);
    expect(oneHot.largestDeviation).toBe(3); // n - 1
    expect(oneHot.nearUniform).toBe(false);
  });

  it('flags near-uniform weights and not peaked ones, at the documented tolerance', () => {
    // four items: near uniform while every weight is within 25% of 0.25, i.e. in [0.1875, 0.3125]
    expect(attentionUniformity([0.26, 0.25, 0.25, 0.24]).nearUniform).toBe(true);
    expect(attentionUniformity([0.31, 0.23, 0.23, 0.23]).nearUniform).toBe(true);
    expect(attentionUniformity([0.32, 0.24, 0.22, 0.22]).nearUniform).toBe(false); // 4 * 0.32 - 1 = 0.28
    expect(attentionUniformity([0.1, 0.3, 0.3, 0.3]).nearUniform).toBe(false); // 4 * 0.1 - 1 = -0.6
    expect(attentionUniformity([0.7, 0.1, 0.1, 0.1]).nearUniform).toBe(false);
    expect(NEAR_UNIFORM_TOLERANCE).toBe(0.25);
  });

  it('normalises by the sum, and calls one item or none uniform', () => {
    const scaled = attentionUniformity([1, 2, 1]);
    const shares = attentionUniformity([0.25, 0.5, 0.25]);
    expect(scaled.normalizedEntropy).toBeCloseTo(shares.normalizedEntropy, 12);
    expect(scaled.largestDeviation).toBeCloseTo(shares.largestDeviation, 12);
    for (const weights of [[1], [], [0, 0]])
      expect(attentionUniformity(weights)).toEqual({
        normalizedEntropy: 1,
        largestDeviation: 0,
        nearUniform: true,
      });
  });

  it('refuses negative and non-finite weights, naming the weight', () => {
    expect(() => attentionUniformity([0.5, -0.1])).toThrow(/weight 1 is -0.1/);
    expect(() => attentionUniformity([NaN, 1])).toThrow(/weight 0 is NaN/);
  });
});

describe('explainAttention reports uniformity', () => {
  // two-dimensional vectors; the candidate (item 0) is [1, 0]: similarity to memory item h is its x
  const vectors = (memory: number[][]): ItemVectors =>
    ({
      itemVectors: tf.tensor2d([[1, 0], ...memory.map(() => [0, 0])]),
      memoryVectors: tf.tensor2d([[0, 0], ...memory]),
    }) as unknown as ItemVectors;

  it('peaked similarities give peaked weights; equal similarities and the mean give flat ones', async () => {
    const peaked = vectors([
      [4, 0],
      [0, 0],
      [0, 0],
    ]);
    const before = tf.memory().numTensors;
    const sharp = await explainAttention(peaked, Int32Array.of(1, 2, 3), 0);
    // softmax([4, 0, 0]) = [e^4, 1, 1] / (e^4 + 2)
    const top = Math.exp(4) / (Math.exp(4) + 2);
    expect(sharp.weights[0]).toBeCloseTo(top, 5);
    expect(sharp.uniformity.largestDeviation).toBeCloseTo(3 * top - 1, 5);
    expect(sharp.uniformity.nearUniform).toBe(false);
    const mean = await explainAttention(peaked, Int32Array.of(1, 2, 3), 0, { aggregation: 'mean' });
    expect(mean.uniformity.nearUniform).toBe(true);
    expect(mean.uniformity.normalizedEntropy).toBeCloseTo(1, 6);
    expect(tf.memory().numTensors).toBe(before);
    const flat = vectors([
      [0.05, 1],
      [0, 2],
      [-0.05, 3],
    ]);
    const even = await explainAttention(flat, Int32Array.of(1, 2, 3), 0);
    expect(even.uniformity.nearUniform).toBe(true);
    expect(even.uniformity.normalizedEntropy).toBeGreaterThan(0.999);
    tf.dispose([peaked.itemVectors, peaked.memoryVectors, flat.itemVectors, flat.memoryVectors]);
  });
});

describe('recommend --explain output', () => {
  const weights = (values: number[]): { id: string; weight: number }[] =>
    values.map((weight, position) => ({ id: String(position + 1), weight }));
  const explained = (id: string, values: number[]) =>
    withAttention({ id, score: 1 }, { history: weights(values), uniformity: attentionUniformity(values) });

  it('notes near-uniform attention, with how many rows, and says nothing when it is peaked', () => {
    const flat = formatRecommendations([explained('a', [0.25, 0.25, 0.26, 0.24])]);
    expect(flat).toMatch(
      /note: attention is near uniform here: every history item contributes about equally \(each weight within 25% of 1\/4\)/,
    );
    const mixed = formatRecommendations([
      explained('a', [0.25, 0.25, 0.26, 0.24]),
      explained('b', [0.7, 0.1, 0.1, 0.1]),
    ]);
    expect(mixed).toMatch(/note: attention is near uniform for 1 of 2 items:/);
    expect(formatRecommendations([explained('b', [0.7, 0.1, 0.1, 0.1])])).not.toMatch(/note:/);
    // a single history item has nothing to choose from: no note
    expect(formatRecommendations([explained('c', [1])])).not.toMatch(/note:/);
  });
});
