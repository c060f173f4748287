import { describe, expect, it } from 'vitest';
import { parseMetricName } from '../../src/metrics/metric-name';
import { summarize } from '../../src/metrics/summary';

describe('parseMetricName', () => {
  it('reads cutoffs and gives canonical lower-case names', () => {
    expect(parseMetricName('recall@10')).toEqual({ name: 'recall@10', kind: 'recall', k: 10 });
    expect(parseMetricName(' NDCG@5 ')).toEqual({ name: 'ndcg@5', kind: 'ndcg', k: 5 });
    expect(parseMetricName('map@500')).toEqual({ name: 'map@500', kind: 'map', k: 500 });
    expect(parseMetricName('HR@20')).toEqual({ name: 'hit@20', kind: 'hit', k: 20 });
    expect(parseMetricName('mrr')).toEqual({ name: 'mrr', kind: 'mrr', k: undefined });
    expect(parseMetricName('mrr@3')).toEqual({ name: 'mrr@3', kind: 'mrr', k: 3 });
    expect(parseMetricName('auc')).toEqual({ name: 'auc', kind: 'auc', k: undefined });
    expect(parseMetricName('coverage@100').k).toBe(100);
  });

  it('names an unknown metric, suggests the closest and lists the valid forms', () => {
    expect(() => parseMetricName('ncdg@10')).toThrow(
      /unknown metric "ncdg@10" \(did you mean 'ndcg@10'\?\); valid: recall@K/,
    );
    expect(() => parseMetricName('f1@10')).toThrow(/unknown metric "f1@10"; valid:/);
  });

  it('explains missing, malformed and forbidden cutoffs', () => {
    expect(() => parseMetricName('recall')).toThrow(/needs a cutoff: write 'recall@K', e.g. 'recall@10'/);
    expect(() => parseMetricName('auc@10')).toThrow(/auc takes no cutoff/);
    expect(() => parseMetricName('recall@0')).toThrow(/positive integer number of items, got "0"/);
    expect(() => parseMetricName('recall@1.5')).toThrow(/got "1.5"/);
    expect(() => parseMetricName('precision@')).toThrow(/got ""/);
    expect(() => parseMetricName(10 as unknown as string)).toThrow(/must be a string, got number/);
  });
});

describe('summarize', () => {
  it('gives the mean and the standard error s/sqrt(n), leaving NaN out', () => {
    // values 1, 2, 3, 6: mean 3, sample variance (4 + 1 + 0 + 9) / 3 = 14/3
    const summary = summarize(new Float64Array([1, NaN, 2, 3, 6]));
    expect(summary.count).toBe(4);
    expect(summary.mean).toBeCloseTo(3, 15);
    expect(summary.standardError).toBeCloseTo(Math.sqrt(14 / 3 / 4), 15);
  });

  it('has no standard error for fewer than two values and no mean for none', () => {
    expect(summarize([5])).toEqual({ mean: 5, standardError: NaN, count: 1 });
    expect(summarize([NaN])).toEqual({ mean: NaN, standardError: NaN, count: 0 });
  });

  it('keeps a constant sample exact (zero spread)', () => {
    const values = new Float64Array(10_000).fill(0.1);
    const summary = summarize(values);
    expect(summary.mean).toBeCloseTo(0.1, 15);
    expect(summary.standardError).toBeLessThan(1e-15);
  });
});
