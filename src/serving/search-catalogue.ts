import { capHistory } from '../ragged/cap-history';
import { uniqueHistory } from '../ragged/unique-history';
import type { CatalogueIndex, ServingSearch } from './catalogue-index';
import type { RankedItem } from './rank-histories';

/** How a recommendation asks for the catalogue index to be searched. */
export interface IndexSearchChoice {
  /** Search by the threshold algorithm (the brute force's exact list). */
  exact?: boolean;
  /** Search approximately: `true`, or a budget of engine `candidates`. */
  approximate?: boolean | { candidates?: number };
}

/**
 * The {@link ServingSearch} a recommendation asks for: `exact`, else `approximate` (its
 * `candidates` budget when given).
 * @throws RangeError when both are asked for.
 */
export function servingSearchOf(choice: IndexSearchChoice): ServingSearch {
  if (choice.exact && choice.approximate)
    throw new RangeError('recommend: give exact or approximate, not both');
  if (choice.exact) return { mode: 'exact' };
  const { approximate } = choice;
  return {
    mode: 'approximate',
    candidates: typeof approximate === 'object' ? approximate.candidates : undefined,
  };
}

/** Options of {@link searchCatalogue}. */
export interface SearchCatalogueOptions {
  /** Items per list, an integer >= 1. */
  k: number;
  /** How the index is searched. */
  search: ServingSearch;
  /** The memory read: the most recent `maxHistory` items of each history, in items. */
  maxHistory: number;
  /** Item ids never recommended (each history's own items never are either). */
  exclude?: readonly string[];
  /** Recommend only these item ids. Default: every live item. */
  candidates?: readonly string[];
  /** The collaborative user vector of history `row` (empty without a collaborative part). */
  userVectorOf: (row: number, history: readonly string[]) => Float32Array;
}

/**
 * The top `k` items of each history from a catalogue index: each history (item ids, oldest first;
 * an id given twice counts once, at its most recent position, as in the brute force) becomes its
 * rows, its most recent `maxHistory` rows and user vector make the query, and the index searches
 * it as `search` says, never returning the history's items or `exclude`.
 * @throws RangeError naming the first unknown excluded, candidate or history item id.
 */
export async function searchCatalogue(
  index: CatalogueIndex,
  histories: readonly (readonly string[])[],
  options: SearchCatalogueOptions,
): Promise<RankedItem[][]> {
  const { k, search, maxHistory, userVectorOf } = options;
  const excluded = index.rowsOf(options.exclude ?? [], 'excluded item');
  const allowed = options.candidates && new Set(index.rowsOf(options.candidates, 'candidate item'));
  const results: RankedItem[][] = [];
  for (const [row, history] of histories.entries()) {
    const rows = index.rowsOf(uniqueHistory(history), `history item (user ${row})`);
    const query = index.query(capHistory(rows, maxHistory), userVectorOf(row, history));
    const top = await index.topK(query, { k, exclude: new Set([...rows, ...excluded]), allowed }, search);
    results.push(
      Array.from(top.rows, (item, position) => ({ id: index.ids[item], score: top.scores[position] })),
    );
  }
  return results;
}
