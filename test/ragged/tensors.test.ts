import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { bucketRows } from '../../src/ragged/length-buckets';
import { historyMatrix } from '../../src/ragged/history-matrix';
import { padRows } from '../../src/ragged/pad';
import { raggedFromRows } from '../../src/ragged/ragged-rows';
import { planTripletDocuments } from '../../src/ragged/triplet-documents';
import {
  bucketTensors,
  encodeBuckets,
  historyTensors,
  idsTensor,
  indexTensor,
  lengthsTensor,
  maskTensor,
} from '../../src/ragged/tensors';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A stand-in encoder: [rows, width] ids to [rows, 2] = (sum of ids, length). */
function sumEncoder(ids: tf.Tensor2D, lengths: tf.Tensor1D): tf.Tensor2D {
  return tf.stack([tf.sum(tf.cast(ids, 'float32'), 1), tf.cast(lengths, 'float32')], 1) as tf.Tensor2D;
}

describe('ragged tensor helpers', () => {
  it('builds int32 ids and lengths and float32 masks with the padded shapes', () => {
    const padded = padRows(raggedFromRows([[1, 2, 3], [4]]));
    const { ids, lengths } = bucketTensors(padded);
    expect(ids.dtype).toBe('int32');
    expect(ids.shape).toEqual([2, 3]);
    expect(ids.arraySync()).toEqual([
      [1, 2, 3],
      [4, 0, 0],
    ]);
    expect(lengths.dtype).toBe('int32');
    expect(Array.from(lengths.dataSync())).toEqual([3, 1]);
    const history = historyTensors(historyMatrix(raggedFromRows([[7, 8], []])));
    expect(history.ids.dtype).toBe('int32');
    expect(history.mask.dtype).toBe('float32');
    expect(history.mask.arraySync()).toEqual([
      [1, 1],
      [0, 0],
    ]);
    const index = indexTensor(Int32Array.from([2, 0, 1, 1]), [2, 2]);
    expect(index.shape).toEqual([2, 2]);
    tf.dispose([ids, lengths, history.ids, history.mask, index]);
    expect(() => maskTensor(new Float32Array(3), 2, 2)).toThrow(/mask has 3 values but rows 2 x width 2 = 4/);
  });

  it('leaves no tensor behind: the caller-owned ones once disposed, encodeBuckets only its result', () => {
    const rows = raggedFromRows(
      Array.from({ length: 40 }, (_, i) => Array.from({ length: 1 + (i % 9) }, (_, j) => i + j)),
    );
    const buckets = bucketRows(rows, { tokenBudget: 24 });
    const before = tf.memory().numTensors;
    for (let round = 0; round < 3; round++) {
      const owned = [idsTensor(buckets.buckets[0]), lengthsTensor(buckets.buckets[0])];
      tf.dispose(owned);
      const encoded = encodeBuckets(buckets.buckets, sumEncoder);
      expect(tf.memory().numTensors).toBe(before + 1);
      encoded.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('takes a token encoder object (typed arrays, no tensor round trip) and gives [0, d] for no buckets', () => {
    const rows = raggedFromRows([[2, 3], [4], [5, 6, 7, 8], [9]]);
    const buckets = bucketRows(rows, { tokenBudget: 8 });
    const seen: boolean[] = [];
    // the same sum/length encoder as sumEncoder, reading the bucket's typed arrays directly
    const tokenEncoder = {
      encodeTokens(
        block: { ids: Int32Array; lengths: Int32Array; width: number },
        options?: { training?: boolean },
      ) {
        seen.push(options?.training ?? false);
        const out = new Float32Array(block.lengths.length * 2);
        for (let r = 0; r < block.lengths.length; r++) {
          for (let k = 0; k < block.lengths[r]; k++) out[r * 2] += block.ids[r * block.width + k];
          out[r * 2 + 1] = block.lengths[r];
        }
        return tf.tensor2d(out, [block.lengths.length, 2]);
      },
    };
    const viaObject = encodeBuckets(buckets.buckets, tokenEncoder, { training: true });
    const viaCallback = encodeBuckets(buckets.buckets, sumEncoder);
    expect(viaObject.arraySync()).toEqual(viaCallback.arraySync());
    expect(seen.every((training) => training)).toBe(true);
    tf.dispose([viaObject, viaCallback]);
    const empty = encodeBuckets([], tokenEncoder, { outputDim: 2 });
    expect(empty.shape).toEqual([0, 2]);
    empty.dispose();
    expect(() => encodeBuckets([], tokenEncoder)).toThrow(/no buckets to encode; pass outputDim/);
  });

  it('encoded buckets gathered with the plan give each document its own vector', () => {
    const documents = raggedFromRows([[2, 3], [4], [5, 6, 7, 8], [], [9, 9]]);
    const plan = planTripletDocuments(
      { histories: raggedFromRows([[0, 2, 4], [1]]), positives: [3, 2], negatives: [1, 1] },
      documents,
      { tokenBudget: 6 },
    );
    const before = tf.memory().numTensors;
    const [memory, positives] = tf.tidy(() => {
      const history = historyTensors(plan.history);
      const encodedMemory = encodeBuckets(plan.memory.buckets, sumEncoder);
      const encodedCandidates = encodeBuckets(plan.candidates.buckets, sumEncoder);
      const memory = tf.mul(tf.gather(encodedMemory, history.ids), tf.expandDims(history.mask, 2)); // [batch, history, 2]
      return [memory, tf.gather(encodedCandidates, indexTensor(plan.positiveRows))];
    });
    expect(memory.arraySync()).toEqual([
      [
        [5, 2],
        [26, 4],
        [18, 2],
      ],
      [
        [4, 1],
        [0, 0],
        [0, 0],
      ],
    ]);
    expect(positives.arraySync()).toEqual([
      [0, 0],
      [26, 4],
    ]);
    tf.dispose([memory, positives]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('encodeBuckets rejects an encoder with the wrong output and leaks nothing', () => {
    const buckets = bucketRows(raggedFromRows([[1], [2]]));
    const before = tf.memory().numTensors;
    expect(() =>
      encodeBuckets(
        buckets.buckets,
        (ids) => tf.reshape(tf.cast(ids, 'float32'), [-1]) as unknown as tf.Tensor2D,
      ),
    ).toThrow(/returned shape \[2\] for a bucket of 2 rows; it must return \[rows, d\]/);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => encodeBuckets([], sumEncoder)).toThrow(/no buckets to encode/);
  });
});
