import { describe, expect, it } from 'vitest';
import { BprMatrixFactorization } from '../../src/collaborative/bpr-mf';
import { InteractionDataset, splitPerUser } from '../../src/data';
import { evaluateRanking } from '../../src/metrics/evaluate-ranking';
import { generateSyntheticCorpus } from '../../src/synthetic';
import { tuneBprMf } from '../../src/training/tune-bpr-mf';

describe('tuneBprMf', () => {
  const corpus = generateSyntheticCorpus({ seed: 2, itemCount: 120, userCount: 150, clicksPerUser: [6, 14] });
  const split = splitPerUser(InteractionDataset.build(corpus.items, corpus.interactions), { seed: 1 });
  const options = { factors: 8, seed: 4, l2Grid: [0.001, 0.1], maxEpochs: 12, validateEvery: 4, patience: 2 };

  it('keeps the best validated candidate; each trial is what a plain fit of that L2 and epochs scores', async () => {
    const tuning = await tuneBprMf(split.train, split.validation, options);
    expect(tuning.trials.length).toBeGreaterThanOrEqual(4);
    for (const trial of tuning.trials) {
      const fitted = BprMatrixFactorization.fit(split.train, {
        factors: 8,
        seed: 4,
        l2: trial.l2,
        epochs: trial.epochs,
      });
      const { mean } = await evaluateRanking({
        itemCount: split.itemIds.length,
        targets: split.validation,
        exclude: split.train,
        metrics: ['recall@50'],
        score: (users) => fitted.scoreUsers(users),
      });
      expect(trial.value).toBe(mean['recall@50']);
      expect(trial.epochs % 4 === 0 || trial.epochs === 12).toBe(true);
    }
    const best = Math.max(...tuning.trials.map((trial) => trial.value));
    const first = tuning.trials.find((trial) => trial.value === best);
    expect({ l2: tuning.l2, epochs: tuning.epochs, value: tuning.value }).toEqual(first);
    const refit = BprMatrixFactorization.fit(split.train, {
      factors: 8,
      seed: 4,
      l2: tuning.l2,
      epochs: tuning.epochs,
    });
    expect(Array.from(tuning.model.itemFactors)).toEqual(Array.from(refit.itemFactors));
    expect(tuning.summary).toBe(
      `BPR-MF L2 ${tuning.l2}, ${tuning.epochs} epochs chosen on validation (recall@50 ${tuning.value.toFixed(4)})`,
    );
  });

  it('trains exactly the epochs given, and refuses a validation split without positives', async () => {
    const tuning = await tuneBprMf(split.train, split.validation, { ...options, epochs: 3 });
    expect(tuning.trials.map((trial) => trial.epochs)).toEqual([3, 3]);
    const empty = {
      ...split.validation,
      offsets: new Int32Array(split.validation.rowCount + 1),
      indices: new Int32Array(0),
    };
    await expect(tuneBprMf(split.train, empty, options)).rejects.toThrow(
      /the validation split has no user with a positive/,
    );
  });
});
