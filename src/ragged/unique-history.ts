/**
 * A history (item ids, oldest first) with each item once, at its most recent position:
 * `['a', 'b', 'a', 'c']` gives `['b', 'a', 'c']`. MARS reads a history as a memory of distinct
 * items (training rows hold each item once); a repeated id would otherwise take one attention
 * slot per repetition. The most recent `maxHistory` items are then those kept.
 */
export function uniqueHistory<Id>(history: readonly Id[]): Id[] {
  const seen = new Set<Id>();
  const kept: Id[] = [];
  for (let position = history.length - 1; position >= 0; position--) {
    const id = history[position];
    if (seen.has(id)) continue;
    seen.add(id);
    kept.push(id);
  }
  return kept.reverse();
}
