/** Whether the sorted slice `indices[start, end)` of a CSR row holds `value` (binary search). */
export function sortedRowContains(indices: Int32Array, start: number, end: number, value: number): boolean {
  let low = start;
  let high = end - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const found = indices[middle];
    if (found === value) return true;
    if (found < value) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}
