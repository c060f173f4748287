// How the mars-rec command line prints results for a person (without --json).
import { formatMetricsTable } from '../metrics/format-table';
import type { EvaluationSummary } from '../metrics/format-table';

/** One recommended item as the CLI prints it. */
export interface RecommendationRow {
  /** Item id. */
  id: string;
  /** Score; higher is better. */
  score: number;
  /** The item's title, when items.jsonl gave one. */
  title?: string;
  /** Attention weight of each history item (`--explain`). */
  attention?: { id: string; weight: number }[];
}

/** `key: value` lines; fractions with 4 digits. */
export function formatSummary(result: Readonly<Record<string, unknown>>): string {
  return Object.entries(result)
    .filter(([, value]) => value !== undefined && (typeof value !== 'object' || value === null))
    .map(([key, value]) => `${key}: ${formatValue(value)}`)
    .join('\n');
}

function formatValue(value: unknown): string {
  return typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(4) : String(value);
}

/**
 * A table of recommendations: rank, id, score, the title when any item has one, and with
 * `--explain` the attention weight of each history item (titles shortened to fit).
 */
export function formatRecommendations(rows: readonly RecommendationRow[]): string {
  if (rows.length === 0) return '(no items left to recommend: the history covers the catalogue)';
  const withTitles = rows.some((row) => row.title !== undefined);
  const withAttention = rows.some((row) => row.attention !== undefined);
  const header = [
    'rank',
    'id',
    'score',
    ...(withTitles ? ['title'] : []),
    ...(withAttention ? ['attention'] : []),
  ];
  const table = rows.map((row, index) => [
    String(index + 1),
    row.id,
    row.score.toFixed(4),
    ...(withTitles ? [shorten(row.title ?? '', 48)] : []),
    ...(withAttention ? [(row.attention ?? []).map((a) => `${a.id}:${a.weight.toFixed(2)}`).join(' ')] : []),
  ]);
  const widths = header.map((cell, column) => Math.max(cell.length, ...table.map((r) => r[column].length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 2 ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(header), ...table.map(line)].join('\n');
}

/** The evaluate command's result: a line naming the run, then the metrics table. */
export function formatEvaluation(
  header: { model: string; split: string; evaluateSeconds: number; usersSkipped: number },
  evaluation: EvaluationSummary,
): string {
  const skipped = header.usersSkipped > 0 ? `, ${header.usersSkipped} users without targets skipped` : '';
  return [
    `${header.model} on the ${header.split} split (${header.evaluateSeconds.toFixed(1)} s${skipped})`,
    formatMetricsTable(evaluation),
  ].join('\n');
}

function shorten(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
