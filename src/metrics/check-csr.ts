import type { CsrMatrix } from '../data/csr';
import { describe } from './relevant-items';

/**
 * Checks that `matrix` is a well-formed {@link CsrMatrix} with `columnCount` items and its rows
 * sorted ascending, so the evaluator's hot loops can trust it.
 * @param matrix - the matrix to check.
 * @param label - the option name, for messages (`targets`, `exclude`).
 * @param itemCount - the expected number of columns (items).
 * @throws TypeError or RangeError naming the field, row and position that are wrong.
 */
export function checkCsr(matrix: CsrMatrix, label: string, itemCount: number): void {
  const where = `evaluateRanking: ${label}`;
  if (matrix === null || typeof matrix !== 'object') {
    throw new TypeError(
      `${where} must be a CsrMatrix { rowCount, columnCount, offsets, indices }, got ${describe(matrix)}`,
    );
  }
  const { rowCount, columnCount, offsets, indices } = matrix;
  if (!(offsets instanceof Int32Array) || !(indices instanceof Int32Array)) {
    throw new TypeError(`${where}.offsets and ${label}.indices must be Int32Arrays`);
  }
  if (!Number.isInteger(rowCount) || rowCount < 0) {
    throw new RangeError(`${where}.rowCount must be an integer >= 0, got ${String(rowCount)}`);
  }
  if (columnCount !== itemCount) {
    throw new RangeError(
      `${where}.columnCount is ${String(columnCount)} but itemCount is ${itemCount}; both must count the same catalogue`,
    );
  }
  if (offsets.length !== rowCount + 1 || offsets[0] !== 0 || offsets[rowCount] !== indices.length) {
    throw new RangeError(
      `${where}.offsets must have rowCount + 1 = ${rowCount + 1} entries from 0 to indices.length ` +
        `= ${indices.length}; got ${offsets.length} entries from ${offsets[0]} to ${offsets[offsets.length - 1]}`,
    );
  }
  for (let row = 0; row < rowCount; row++) {
    const start = offsets[row];
    const end = offsets[row + 1];
    if (end < start) {
      throw new RangeError(`${where}.offsets decrease at row ${row} (${start} then ${end})`);
    }
    let previous = -1;
    for (let position = start; position < end; position++) {
      const item = indices[position];
      if (item < 0 || item >= itemCount) {
        throw new RangeError(
          `${where}: row ${row} holds item ${item} (indices[${position}]), outside [0, ${itemCount})`,
        );
      }
      if (item < previous) {
        throw new RangeError(
          `${where}: row ${row} is not sorted ascending (item ${item} at indices[${position}] follows ${previous}); sort each row`,
        );
      }
      previous = item;
    }
  }
}
