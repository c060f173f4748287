import { describe, expect, it } from 'vitest';
import { evaluateRanking, formatMetricsTable } from '../../src/metrics';
import type { EvaluationSummary } from '../../src/metrics';

/** Two users, three items; user 0 likes item 2 (ranked 1st), user 1 likes item 0 (ranked 3rd). */
async function smallEvaluation() {
  return evaluateRanking({
    itemCount: 3,
    targets: { rowCount: 2, columnCount: 3, offsets: Int32Array.of(0, 1, 2), indices: Int32Array.of(2, 0) },
    score: () => Float32Array.of(0.1, 0.2, 0.9, 0.1, 0.5, 0.9),
    metrics: ['hit@1', 'mrr'],
  });
}

describe('formatMetricsTable', () => {
  it('one evaluation: a row per metric with mean, standard error and users', async () => {
    // hit@1: user 0 hit, user 1 missed -> mean 0.5, sd sqrt(0.5), se 0.5;
    // mrr: 1 and 1/3 -> mean 2/3, se |1 - 1/3| / 2 = 1/3
    const table = formatMetricsTable(await smallEvaluation(), { digits: 3 });
    expect(table.split('\n')).toEqual([
      'metric   mean  ± s.e.  users',
      'hit@1   0.500   0.500      2',
      'mrr     0.667   0.333      2',
    ]);
  });

  it('named evaluations: a row per name, a column per metric, as markdown too', () => {
    const summary = (mean: number): EvaluationSummary => ({
      metrics: ['recall@50'],
      mean: { 'recall@50': mean },
      standardError: { 'recall@50': Number.NaN },
      usersEvaluated: 10,
      usersSkipped: 0,
    });
    expect(
      formatMetricsTable(
        { mars: summary(0.25), popularity: summary(0.125) },
        { format: 'markdown', digits: 3 },
      ),
    ).toBe(
      [
        '|  | recall@50 | users |',
        '| --- | ---: | ---: |',
        '| mars | 0.250 ± n/a | 10 |',
        '| popularity | 0.125 ± n/a | 10 |',
      ].join('\n'),
    );
    // a metric the evaluation lacks prints as '-'
    expect(formatMetricsTable({ a: summary(1) }, { metrics: ['ndcg@10'] }).split('\n')).toEqual([
      '   ndcg@10  users',
      'a        -     10',
    ]);
  });

  it('refuses nothing to print and a bad digit count', () => {
    expect(() => formatMetricsTable({})).toThrow(/no evaluation to print/);
    expect(() => formatMetricsTable({}, { digits: 1.5 })).toThrow(/digits must be an integer/);
  });
});
