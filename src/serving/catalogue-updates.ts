import type { CatalogueIndex } from './catalogue-index';
import type { ScoringColumns } from './scoring-table';

/** The text dimensions and memory read of a model, to compare with an index's. */
export interface IndexedModelShape {
  /** Size d of the model's item and memory vectors. */
  textDim: number;
  /** Size F of its collaborative factors (0 for none). */
  collaborativeDim: number;
  /** How it reads the memory. */
  aggregation: 'attention' | 'mean';
}

/**
 * Checks that a catalogue index was built from a model of this shape (its vector sizes and
 * memory read), so that its scores are the model's.
 * @param operation - the caller, for the message.
 * @throws RangeError naming the sizes or memory reads that differ.
 */
export function checkIndexMatches(index: CatalogueIndex, model: IndexedModelShape, operation: string): void {
  const { textDim, collaborativeDim } = index.table;
  if (textDim !== model.textDim || collaborativeDim !== model.collaborativeDim)
    throw new RangeError(
      `${operation}: the index holds vectors of ${textDim} + ${collaborativeDim} numbers, the model ${model.textDim} + ${model.collaborativeDim}: it was built from another model`,
    );
  if (index.aggregation !== model.aggregation)
    throw new RangeError(
      `${operation}: the index reads the memory by '${index.aggregation}', the model by '${model.aggregation}'`,
    );
}

/**
 * Checks items to index from their text: each needs a string id and a string text.
 * @param operation - the caller, for the message.
 * @throws TypeError naming the first item's position that lacks one.
 */
export function checkItemTexts(items: readonly { id: string; text: string }[], operation: string): void {
  items.forEach((item, position) => {
    if (typeof item?.id !== 'string' || typeof item.text !== 'string')
      throw new TypeError(`${operation}: item ${position} needs a string id and a string text`);
  });
}

/**
 * The columns of items whose text vectors were just computed, where an item the index already
 * holds (an edited one) keeps what was learned about it by id: its collaborative factors and bias.
 * @param ids - the items, aligned with the columns.
 * @param columns - fresh columns (`coldItemColumns`); filled in place and returned.
 */
export function keepLearnedColumns(
  index: CatalogueIndex,
  ids: readonly string[],
  columns: ScoringColumns,
): ScoringColumns {
  const { itemFactors, biases } = index.table.view;
  const f = index.table.collaborativeDim;
  ids.forEach((id, k) => {
    const row = index.rowOf(id);
    if (row === undefined) return;
    columns.itemFactors.set(itemFactors.subarray(row * f, (row + 1) * f), k * f);
    columns.biases[k] = biases[row];
  });
  return columns;
}
