import { describe, expect, it } from 'vitest';
import { CatalogueIndex } from '../../src/serving/catalogue-index';
import { checkIndexMatches, checkItemTexts, keepLearnedColumns } from '../../src/serving/catalogue-updates';
import { searchCatalogue, servingSearchOf } from '../../src/serving/search-catalogue';
import { randomColumns } from './fixtures';

const d = 4;
const f = 2;
const ids = Array.from({ length: 60 }, (_, k) => `item-${k}`);
const build = (): Promise<CatalogueIndex> =>
  CatalogueIndex.build(ids, randomColumns(ids.length, d, f, 5), d, f, { engine: 'brute-force' });

describe('servingSearchOf', () => {
  it('maps the recommend options to a search, and refuses both at once', () => {
    expect(servingSearchOf({ exact: true })).toEqual({ mode: 'exact' });
    expect(servingSearchOf({ approximate: true })).toEqual({ mode: 'approximate', candidates: undefined });
    expect(servingSearchOf({ approximate: { candidates: 50 } })).toEqual({
      mode: 'approximate',
      candidates: 50,
    });
    expect(() => servingSearchOf({ exact: true, approximate: true })).toThrow(
      /exact or approximate, not both/,
    );
  });
});

describe('searchCatalogue', () => {
  it('queries with the most recent maxHistory items but never returns any history item', async () => {
    const index = await build();
    const history = ['item-3', 'item-9', 'item-27', 'item-31'];
    const userVectors: [number, string[]][] = [];
    const userVectorOf = (row: number, items: readonly string[]): Float32Array => {
      userVectors.push([row, [...items]]);
      return Float32Array.of(0.5, -1);
    };
    const search = { mode: 'brute-force' } as const;
    const [capped] = await searchCatalogue(index, [history], { k: 10, search, maxHistory: 2, userVectorOf });
    // the same query from the two most recent items, the older two excluded explicitly
    const [recent] = await searchCatalogue(index, [history.slice(2)], {
      ...{ k: 10, search, maxHistory: 50, userVectorOf },
      exclude: history.slice(0, 2),
    });
    expect(capped).toEqual(recent);
    expect(capped.some(({ id }) => history.includes(id))).toBe(false);
    expect(userVectors[0]).toEqual([0, history]);
    index.dispose();
  });

  it('names an unknown history item and its user', async () => {
    const index = await build();
    const options = {
      k: 3,
      search: { mode: 'exact' } as const,
      maxHistory: 5,
      userVectorOf: () => new Float32Array(f),
    };
    await expect(searchCatalogue(index, [['item-1'], ['nope']], options)).rejects.toThrow(
      "Unknown history item (user 1) id 'nope' at position 0",
    );
    index.dispose();
  });
});

describe('catalogue updates', () => {
  it('refuses an index of another shape or memory read, naming both', async () => {
    const index = await build();
    const shape = { textDim: d, collaborativeDim: f, aggregation: 'attention' as const };
    expect(() => checkIndexMatches(index, shape, 'op')).not.toThrow();
    expect(() => checkIndexMatches(index, { ...shape, textDim: 8 }, 'op')).toThrow(
      'op: the index holds vectors of 4 + 2 numbers, the model 8 + 2',
    );
    expect(() => checkIndexMatches(index, { ...shape, aggregation: 'mean' }, 'op')).toThrow(
      "op: the index reads the memory by 'attention', the model by 'mean'",
    );
    index.dispose();
  });

  it('names the item without a string id or text', () => {
    expect(() => checkItemTexts([{ id: 'a', text: 'x' }, { id: 'b' } as never], 'op')).toThrow(
      'op: item 1 needs a string id and a string text',
    );
  });

  it('keeps the learned factors and bias of a known item, leaves a new one as given', async () => {
    const index = await build();
    const fresh = randomColumns(2, d, f, 9);
    const given = { itemFactors: fresh.itemFactors.slice(), biases: fresh.biases.slice() };
    const kept = keepLearnedColumns(index, ['item-7', 'brand-new'], fresh);
    const { itemFactors, biases } = index.table.view;
    expect(Array.from(kept.itemFactors.subarray(0, f))).toEqual(
      Array.from(itemFactors.subarray(7 * f, 8 * f)),
    );
    expect(kept.biases[0]).toBe(biases[7]);
    expect(Array.from(kept.itemFactors.subarray(f))).toEqual(Array.from(given.itemFactors.subarray(f)));
    expect(kept.biases[1]).toBe(given.biases[1]);
    index.dispose();
  });
});
