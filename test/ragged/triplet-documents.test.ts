import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LengthBuckets } from '../../src/ragged/length-buckets';
import { planTripletDocuments } from '../../src/ragged/triplet-documents';
import { raggedFromRows } from '../../src/ragged/ragged-rows';
import { SeededRandom } from '../../src/random';

const batchArbitrary = fc
  .record({
    documents: fc.array(fc.array(fc.integer({ min: 2, max: 30 }), { maxLength: 25 }), {
      minLength: 1,
      maxLength: 30,
    }),
    size: fc.integer({ min: 1, max: 8 }),
    picks: fc.array(fc.nat(), { minLength: 400, maxLength: 400 }),
    historyLengths: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 8, maxLength: 8 }),
  })
  .map(({ documents, size, picks, historyLengths }) => {
    let next = 0;
    const pick = (): number => picks[next++ % picks.length] % documents.length;
    const histories = Array.from({ length: size }, (_, b) => Array.from({ length: historyLengths[b] }, pick));
    const positives = Array.from({ length: size }, pick);
    const negatives = Array.from({ length: size }, pick);
    return { documents, histories, positives, negatives };
  });

function expectBucketsWithinBudget(buckets: LengthBuckets, budget: number): void {
  for (const bucket of buckets.buckets)
    expect(bucket.lengths.length * bucket.width).toBeLessThanOrEqual(budget);
  expect(new Set(buckets.order).size).toBe(buckets.order.length); // each document once
}

describe('planTripletDocuments', () => {
  it('gathers every history slot, positive and negative back to its document, each encoded once', () => {
    fc.assert(
      fc.property(
        batchArbitrary,
        fc.boolean(),
        fc.integer({ min: 1, max: 10 }),
        (batch, sharedEncoder, maxHistory) => {
          const tokenBudget = 40;
          const plan = planTripletDocuments(
            {
              histories: raggedFromRows(batch.histories),
              positives: Int32Array.from(batch.positives),
              negatives: Int32Array.from(batch.negatives),
            },
            raggedFromRows(batch.documents),
            { sharedEncoder, maxHistory, tokenBudget },
          );
          expectBucketsWithinBudget(plan.memory, tokenBudget);
          expectBucketsWithinBudget(plan.candidates, tokenBudget);
          expect(plan.memory === plan.candidates).toBe(sharedEncoder);
          const { width } = plan.history;
          batch.histories.forEach((history, b) => {
            const kept = history.slice(Math.max(0, history.length - maxHistory));
            const slots = Array.from({ length: width }, (_, s) => b * width + s);
            expect(slots.map((slot) => plan.history.mask[slot])).toEqual(
              slots.map((_, s) => (s < kept.length ? 1 : 0)),
            );
            expect(
              slots.slice(0, kept.length).map((slot) => plan.memory.order[plan.history.ids[slot]]),
            ).toEqual(kept);
            expect(plan.candidates.order[plan.positiveRows[b]]).toBe(batch.positives[b]);
            expect(plan.candidates.order[plan.negativeRows[b]]).toBe(batch.negatives[b]);
          });
          const memoryItems = new Set(
            batch.histories.flatMap((h) => h.slice(Math.max(0, h.length - maxHistory))),
          );
          const candidateItems = new Set([...batch.positives, ...batch.negatives]);
          const expected = sharedEncoder ? new Set([...memoryItems, ...candidateItems]) : memoryItems;
          expect(new Set(plan.memory.order)).toEqual(expected);
          if (!sharedEncoder) expect(new Set(plan.candidates.order)).toEqual(candidateItems);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('one user with 5,000 history items and one 30,000-token document stay within the token budget', () => {
    const random = new SeededRandom(3);
    const itemCount = 6000;
    const documents = Array.from({ length: itemCount }, () =>
      Array.from({ length: 5 + random.nextInt(80) }, () => 2 + random.nextInt(1000)),
    );
    documents[17] = Array.from({ length: 30_000 }, (_, i) => 2 + (i % 1000));
    const size = 16;
    const histories = Array.from({ length: size }, (_, b) =>
      Array.from({ length: b === 0 ? 5000 : 1 + random.nextInt(60) }, (_, i) =>
        b === 0 && i === 4999 ? 17 : random.nextInt(itemCount),
      ),
    );
    const positives = Int32Array.from({ length: size }, (_, b) => (b === 1 ? 17 : random.nextInt(itemCount)));
    const negatives = Int32Array.from({ length: size }, () => random.nextInt(itemCount));
    const tokenBudget = 4096;
    for (const sharedEncoder of [false, true]) {
      const plan = planTripletDocuments(
        { histories: raggedFromRows(histories), positives, negatives },
        raggedFromRows(documents),
        {
          tokenBudget,
          sharedEncoder,
        },
      );
      expect(plan.history.width).toBe(50);
      expect(plan.history.truncatedRows).toBeGreaterThanOrEqual(1);
      expectBucketsWithinBudget(plan.memory, tokenBudget);
      expectBucketsWithinBudget(plan.candidates, tokenBudget);
      // the long document is truncated to the budget, on both sides, and its own bucket
      for (const side of [plan.memory, plan.candidates]) {
        const last = side.buckets[side.buckets.length - 1];
        expect(Array.from(last.sourceRows)).toEqual([17]);
        expect(last.width).toBe(tokenBudget);
        expect(side.truncatedRows).toBe(1);
      }
      expect(plan.memory.order[plan.history.ids[49]]).toBe(17);
      expect(plan.candidates.order[plan.positiveRows[1]]).toBe(17);
    }
  });

  it('rejects batches whose parts disagree or name unknown items', () => {
    const documents = raggedFromRows([[2], [3]]);
    const histories = raggedFromRows([[0], [1]]);
    expect(() => planTripletDocuments({ histories, positives: [0], negatives: [1, 0] }, documents)).toThrow(
      /2 histories but 1 positives and 2 negatives/,
    );
    expect(() =>
      planTripletDocuments({ histories, positives: [0, 2], negatives: [1, 0] }, documents),
    ).toThrow(/positives\[1\] = 2 is not an item index in \[0, 2\)/);
    expect(() =>
      planTripletDocuments(
        { histories: raggedFromRows([[0], [5]]), positives: [0, 1], negatives: [1, 0] },
        documents,
      ),
    ).toThrow(/history of triplet 1 holds item 5/);
  });
});
