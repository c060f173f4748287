import { SeededRandom } from '../../src/sampling/index';
import type { ScoringColumns } from '../../src/serving';

/**
 * Random scoring columns for `items` items. With `levels`, every number is one of `levels`
 * evenly spaced values in [-1, 1] (few distinct values: many exactly tied scores).
 */
export function randomColumns(
  items: number,
  textDim: number,
  collaborativeDim: number,
  seed: number,
  levels?: number,
): ScoringColumns {
  const rng = new SeededRandom(seed);
  const value = (): number => {
    const x = rng.nextFloat() * 2 - 1;
    return levels ? Math.round(((x + 1) / 2) * (levels - 1)) / ((levels - 1) / 2) - 1 : x;
  };
  const fill = (n: number): Float32Array => Float32Array.from({ length: n }, value);
  return {
    itemVectors: fill(items * textDim),
    memoryVectors: fill(items * textDim),
    itemFactors: fill(items * collaborativeDim),
    biases: fill(items),
  };
}

/** `count` distinct rows of [0, items) drawn with a seed. */
export function randomRows(items: number, count: number, seed: number): number[] {
  const rng = new SeededRandom(seed);
  return rng.shuffle(Array.from({ length: items }, (_, row) => row)).slice(0, count);
}
