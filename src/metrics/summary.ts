/** Mean and standard error of a sample of per-user metric values. */
export interface MetricSummary {
  /** Arithmetic mean of the values that are not NaN; NaN when there are none. */
  readonly mean: number;
  /**
   * Standard error of the mean, `s / sqrt(n)` with `s` the sample standard deviation
   * (denominator `n - 1`); NaN when fewer than two values count.
   */
  readonly standardError: number;
  /** How many values counted (NaN values are left out). */
  readonly count: number;
}

/**
 * Mean and standard error of `values`, leaving NaN values out (Welford's one-pass update, which
 * stays accurate for long samples of near-equal values).
 * @param values - per-user metric values.
 */
export function summarize(values: ArrayLike<number>): MetricSummary {
  let count = 0;
  let mean = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== value) continue;
    count++;
    const delta = value - mean;
    mean += delta / count;
    squares += delta * (value - mean);
  }
  if (count === 0) return { mean: NaN, standardError: NaN, count };
  const standardError = count < 2 ? NaN : Math.sqrt(squares / (count - 1) / count);
  return { mean, standardError, count };
}
