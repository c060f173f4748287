/**
 * The metrics the evaluator computes:
 * - `recall`, `precision`, `hit`, `ndcg`, `map` (mean of average precision): per user, need a
 *   cutoff `@k`;
 * - `mrr`: per user, reciprocal rank in the full ranking, or within the top `k` with `mrr@k`;
 * - `auc`: per user, over all non-excluded items, no cutoff;
 * - `coverage`: catalogue coverage of the users' top-`k` lists, one number for all users, needs
 *   `@k`.
 */
export type MetricKind = 'recall' | 'precision' | 'hit' | 'ndcg' | 'map' | 'mrr' | 'auc' | 'coverage';

/** A parsed metric name. */
export interface MetricSpec {
  /** The canonical name: lower case, e.g. `recall@10`, `mrr`, `auc`. */
  readonly name: string;
  /** Which metric. */
  readonly kind: MetricKind;
  /** The cutoff in items; undefined for `auc` and full-ranking `mrr`. */
  readonly k: number | undefined;
}

const cutoffRequired: readonly MetricKind[] = ['recall', 'precision', 'hit', 'ndcg', 'map', 'coverage'];
const kinds: readonly MetricKind[] = [...cutoffRequired, 'mrr', 'auc'];
const aliases: Readonly<Record<string, MetricKind>> = { hr: 'hit', hitrate: 'hit', 'hit-rate': 'hit' };
const validForms =
  "recall@K, precision@K, hit@K, ndcg@K, map@K, coverage@K, mrr, mrr@K, auc (K a positive integer, e.g. 'recall@10')";

/**
 * Parses a metric name such as `'recall@10'`, `'NDCG@10'`, `'map@500'`, `'mrr'` or `'auc'`.
 * Case and surrounding spaces are ignored; `hr@K` and `hitrate@K` are read as `hit@K`.
 * @param name - the metric name.
 * @returns the metric, with its canonical name.
 * @throws RangeError naming the problem (unknown metric, with the closest known name; missing,
 *   malformed or forbidden cutoff) and listing the valid forms.
 */
export function parseMetricName(name: string): MetricSpec {
  if (typeof name !== 'string') {
    throw new TypeError(
      `parseMetricName: a metric name must be a string, got ${typeof name}; valid: ${validForms}`,
    );
  }
  const text = name.trim().toLowerCase();
  const at = text.indexOf('@');
  const base = at < 0 ? text : text.slice(0, at);
  const kind = aliases[base] ?? (kinds as readonly string[]).find((known) => known === base);
  if (kind === undefined) {
    const guess = closest(base);
    throw new RangeError(
      `unknown metric ${JSON.stringify(name)}` +
        (guess === undefined ? '' : ` (did you mean '${guess}${at < 0 ? '' : text.slice(at)}'?)`) +
        `; valid: ${validForms}`,
    );
  }
  const typedKind = kind as MetricKind;
  if (at < 0) {
    if (cutoffRequired.includes(typedKind)) {
      throw new RangeError(
        `metric ${JSON.stringify(name)} needs a cutoff: write '${typedKind}@K', e.g. '${typedKind}@10'`,
      );
    }
    return { name: typedKind, kind: typedKind, k: undefined };
  }
  if (typedKind === 'auc') {
    throw new RangeError(
      `metric ${JSON.stringify(name)}: auc takes no cutoff (it compares all non-excluded items); write 'auc'`,
    );
  }
  const cutoffText = text.slice(at + 1);
  const k = /^[0-9]+$/.test(cutoffText) ? Number(cutoffText) : NaN;
  if (!Number.isSafeInteger(k) || k < 1) {
    throw new RangeError(
      `metric ${JSON.stringify(name)}: the cutoff after '@' must be a positive integer number of items, ` +
        `got ${JSON.stringify(cutoffText)}; e.g. '${typedKind}@10'`,
    );
  }
  return { name: `${typedKind}@${k}`, kind: typedKind, k };
}

function closest(word: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of kinds) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
