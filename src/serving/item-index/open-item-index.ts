import { BruteForceItemIndex } from './brute-force-index';
import type { ItemIndex, ItemIndexEngine, ItemIndexOptions } from './item-index';
import { UsearchItemIndex } from './usearch-index';

/** The engines {@link createItemIndex} knows. */
export const ITEM_INDEX_ENGINES: readonly ItemIndexEngine[] = ['usearch', 'brute-force'];

/**
 * A new, empty {@link ItemIndex} on `engine`.
 * @param dimensions - vector width, in numbers.
 */
export async function createItemIndex(
  engine: ItemIndexEngine,
  dimensions: number,
  options: ItemIndexOptions = {},
): Promise<ItemIndex> {
  if (engine === 'brute-force') return new BruteForceItemIndex(dimensions);
  if (engine === 'usearch') return UsearchItemIndex.create(dimensions, options);
  throw new RangeError(
    `createItemIndex: unknown engine '${String(engine)}'; known: ${ITEM_INDEX_ENGINES.join(', ')}`,
  );
}

/**
 * Reopens an {@link ItemIndex} saved in `directory`, given back the vectors of its keys.
 * @param vectors - row-major `[keys.length, dimensions]`.
 */
export async function openItemIndex(
  engine: ItemIndexEngine,
  directory: string,
  dimensions: number,
  keys: Int32Array,
  vectors: Float32Array,
  options: ItemIndexOptions = {},
): Promise<ItemIndex> {
  if (engine === 'brute-force') {
    const index = new BruteForceItemIndex(dimensions);
    await index.add(keys, vectors);
    return index;
  }
  if (engine === 'usearch') return UsearchItemIndex.open(directory, keys, vectors, options);
  throw new RangeError(
    `openItemIndex: unknown engine '${String(engine)}'; known: ${ITEM_INDEX_ENGINES.join(', ')}`,
  );
}
