/** `[start, end)` of each part. */
export type Ranges = [number, number][];

/** Splits [0, count) into `parts` contiguous ranges of nearly equal size, boundaries multiples of `align`. */
export function splitEvenly(count: number, parts: number, align = 1): Ranges {
  const ranges: Ranges = [];
  let start = 0;
  for (let part = 0; part < parts; part++) {
    const end =
      part === parts - 1 ? count : Math.min(count, Math.round((count * (part + 1)) / parts / align) * align);
    ranges.push([start, Math.max(start, end)]);
    start = Math.max(start, end);
  }
  return ranges;
}

/**
 * Splits items [0, count) into `parts` contiguous ranges of nearly equal total cost
 * (`cost(i)` for item i): each range ends once it reaches its share of the running total.
 */
export function splitByCost(count: number, parts: number, cost: (item: number) => number): Ranges {
  let total = 0;
  for (let i = 0; i < count; i++) total += cost(i);
  const ranges: Ranges = [];
  let start = 0;
  let running = 0;
  let item = 0;
  for (let part = 0; part < parts; part++) {
    const goal = (total * (part + 1)) / parts;
    while (item < count && (part === parts - 1 || running + cost(item) / 2 <= goal)) running += cost(item++);
    ranges.push([start, item]);
    start = item;
  }
  return ranges;
}
