import type { RankingEvaluation } from './evaluate-ranking';

/** The parts of a {@link RankingEvaluation} a metrics table prints. */
export type EvaluationSummary = Pick<
  RankingEvaluation,
  'metrics' | 'mean' | 'standardError' | 'usersEvaluated' | 'usersSkipped'
>;

/** Options of {@link formatMetricsTable}. */
export interface MetricsTableOptions {
  /** `'text'`: columns aligned with spaces, for a terminal; `'markdown'`: a pipe table. Default `'text'`. */
  format?: 'text' | 'markdown';
  /** Digits after the decimal point. Default 4. */
  digits?: number;
  /** Metrics to show, in this order. Default: every metric of the (first) evaluation, in its order. */
  metrics?: readonly string[];
}

/**
 * A printable table of evaluation results, instead of a dump of per-user arrays.
 *
 * One evaluation gives one row per metric: mean, standard error and users counted. Several
 * named evaluations (`{ mars: a, popularity: b }`) give one row per name and one column per
 * metric, each cell `mean ± standard error`, then the users evaluated: the layout of a
 * comparison. A metric an evaluation lacks prints as `-`; an undefined value (NaN) as `n/a`.
 *
 * @example
 * ```ts
 * const evaluation = await model.evaluate(split.test, split.train);
 * console.log(formatMetricsTable(evaluation));
 * // metric       mean    ± s.e.  users
 * // recall@10    0.0938  0.0051    666
 * // ...
 * console.log(formatMetricsTable({ mars: evaluation, popularity }, { format: 'markdown' }));
 * ```
 * @param evaluations - one evaluation, or evaluations by the name to print for each.
 * @param options - see {@link MetricsTableOptions}.
 * @returns the table, lines joined by `\n`, no trailing newline.
 * @throws RangeError when `evaluations` is an empty record or `digits` is not an integer in 0..10.
 */
export function formatMetricsTable(
  evaluations: EvaluationSummary | Readonly<Record<string, EvaluationSummary>>,
  options: MetricsTableOptions = {},
): string {
  const { format = 'text', digits = 4 } = options;
  if (!Number.isInteger(digits) || digits < 0 || digits > 10)
    throw new RangeError(`formatMetricsTable: digits must be an integer in 0..10, got ${digits}`);
  const number = (value: number | undefined): string =>
    value === undefined ? '-' : Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
  if (isEvaluation(evaluations)) {
    const metrics = options.metrics ?? evaluations.metrics;
    const rows = metrics.map((name) => [
      name,
      number(evaluations.mean[name]),
      number(evaluations.standardError[name]),
      String(evaluations.usersEvaluated),
    ]);
    return renderTable(['metric', 'mean', '± s.e.', 'users'], rows, format);
  }
  const named = Object.entries(evaluations);
  if (named.length === 0) throw new RangeError('formatMetricsTable: no evaluation to print');
  const metrics = options.metrics ?? named[0][1].metrics;
  const rows = named.map(([name, evaluation]) => [
    name,
    ...metrics.map((metric) =>
      evaluation.mean[metric] === undefined
        ? '-'
        : `${number(evaluation.mean[metric])} ± ${number(evaluation.standardError[metric])}`,
    ),
    String(evaluation.usersEvaluated),
  ]);
  return renderTable(['', ...metrics, 'users'], rows, format);
}

function isEvaluation(value: object): value is EvaluationSummary {
  const candidate = value as Partial<EvaluationSummary>;
  return Array.isArray(candidate.metrics) && typeof candidate.mean === 'object';
}

/** Left-aligned first column, right-aligned numbers. */
function renderTable(header: string[], rows: string[][], format: 'text' | 'markdown'): string {
  if (format === 'markdown') {
    const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
    return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join(
      '\n',
    );
  }
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
