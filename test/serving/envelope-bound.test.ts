import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { scoreAllItems } from '../../src/index';
import { indexVectorsOf, prepareMemoryQuery, ScoringTable, scoreRows } from '../../src/serving';
import { randomColumns, randomRows } from './fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** y . x in float64. */
function innerProduct(y: Float32Array, x: Float32Array, offset: number): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i] * x[offset + i];
  return sum;
}

/** The score by its definition, written out: softmax over the valid slots, weighted sum, + p . q + b. */
function definitionScore(
  columns: ReturnType<typeof randomColumns>,
  d: number,
  f: number,
  history: number[],
  user: Float32Array,
  item: number,
  aggregation: 'attention' | 'mean',
): number {
  const logits = history.map((h) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += columns.memoryVectors[h * d + i] * columns.itemVectors[item * d + i];
    return s;
  });
  let text = 0;
  if (logits.length > 0) {
    const max = Math.max(...logits);
    const weights =
      aggregation === 'mean' ? logits.map(() => 1) : logits.map((logit) => Math.exp(logit - max));
    const total = weights.reduce((a, b) => a + b, 0);
    text = logits.reduce((sum, logit, h) => sum + (weights[h] / total) * logit, 0);
  }
  let collaborative = columns.biases[item];
  for (let i = 0; i < f; i++) collaborative += user[i] * columns.itemFactors[item * f + i];
  return text + collaborative;
}

describe('the envelope bound', () => {
  const cases = [
    { d: 5, f: 3, history: 7, aggregation: 'attention' as const, scale: 1 },
    { d: 5, f: 3, history: 7, aggregation: 'attention' as const, scale: 6 }, // peaked attention
    { d: 4, f: 0, history: 3, aggregation: 'attention' as const, scale: 2 }, // text only + bias
    { d: 4, f: 2, history: 0, aggregation: 'attention' as const, scale: 1 }, // empty history
    { d: 6, f: 2, history: 5, aggregation: 'mean' as const, scale: 3 },
  ];
  for (const { d, f, history: H, aggregation, scale } of cases) {
    it(`scores match their definition and y . x bounds every one (${aggregation}, H=${H}, F=${f}, scale ${scale})`, () => {
      const items = 200;
      const columns = randomColumns(items, d, f, 3 + H + f);
      for (const name of ['itemVectors', 'memoryVectors'] as const)
        columns[name].forEach((x, k) => (columns[name][k] = x * scale));
      const table = new ScoringTable(d, f);
      table.append(columns);
      const history = randomRows(items, H, 5);
      const user = Float32Array.from({ length: f }, (_, i) => Math.sin(i + 1));
      const query = prepareMemoryQuery(table, history, { userVector: user, aggregation });
      const rows = Array.from({ length: items }, (_, row) => row);
      const scores = new Float64Array(items);
      scoreRows(table, query, rows, scores);
      const vectors = indexVectorsOf(table, rows);
      const width = d + f + 2;
      let tight = 0;
      for (const row of rows) {
        expect(scores[row]).toBeCloseTo(definitionScore(columns, d, f, history, user, row, aggregation), 9);
        const bound = innerProduct(query.envelope, vectors, row * width);
        expect(bound).toBeGreaterThanOrEqual(scores[row]);
        if (bound - scores[row] < 1e-5) tight++;
      }
      // 'mean' and an empty history read the memory as one row: the bound is the score itself
      if (aggregation === 'mean' || H === 0) expect(tight).toBe(items);
    });
  }

  it("padded memory slots count in neither the model's scores nor the bound", async () => {
    const d = 4;
    const items = 60;
    const columns = randomColumns(items, d, 0, 21);
    const table = new ScoringTable(d, 0);
    table.append(columns);
    const lengths = [3, 1, 5];
    const width = 5;
    const histories = lengths.map((length, user) => randomRows(items, length, 30 + user));
    // [users, width, d]: valid slots first, padded slots hold large values that would dominate
    const memory = new Float32Array(lengths.length * width * d).fill(50);
    histories.forEach((history, user) =>
      history.forEach((row, h) =>
        memory.set(columns.memoryVectors.subarray(row * d, (row + 1) * d), (user * width + h) * d),
      ),
    );
    const tensorsBefore = tf.memory().numTensors;
    const memoryTensor = tf.tensor3d(memory, [lengths.length, width, d]);
    const itemTensor = tf.tensor2d(columns.itemVectors, [items, d]);
    const scored = await scoreAllItems(memoryTensor, lengths, itemTensor);
    tf.dispose([memoryTensor, itemTensor]);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const rows = Array.from({ length: items }, (_, row) => row);
    const vectors = indexVectorsOf(table, rows);
    histories.forEach((history, user) => {
      const query = prepareMemoryQuery(table, history);
      const scores = new Float64Array(items);
      scoreRows(table, query, rows, scores);
      for (const row of rows) {
        // the model adds no bias here (the table's biases are on top of its text score)
        const text = scores[row] - columns.biases[row];
        expect(scored[user * items + row]).toBeCloseTo(text, 4);
        expect(innerProduct(query.envelope, vectors, row * (d + 2))).toBeGreaterThanOrEqual(scores[row]);
      }
    });
  });

  it('rejects a user vector of the wrong size and history rows outside the table', () => {
    const table = new ScoringTable(3, 2);
    table.append(randomColumns(4, 3, 2, 1));
    expect(() => prepareMemoryQuery(table, [0], { userVector: [1] })).toThrow(/1 factors, the table 2/);
    expect(() => prepareMemoryQuery(table, [0, 9])).toThrow(/history row 9 \(position 1\)/);
    expect(() => prepareMemoryQuery(table, [0], { userVector: [1, NaN] })).toThrow(/factor 1 is NaN/);
  });
});
