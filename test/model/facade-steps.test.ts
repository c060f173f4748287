import { describe, expect, it } from 'vitest';
import type { CsrMatrix } from '../../src/data/csr';
import { fitCollaborativePart } from '../../src/collaborative/collaborative-part';
import type { MarsBlocks } from '../../src/layers/mars-blocks';
import { checkUser } from '../../src/model/build-model';
import { ItemCatalog } from '../../src/model/catalog';
import { checkSameCatalogue } from '../../src/model/fit-options';
import { marsTrainingRun } from '../../src/training/mars-training-run';

const train: CsrMatrix = {
  rowCount: 3,
  columnCount: 4,
  offsets: Int32Array.of(0, 2, 3, 5),
  indices: Int32Array.of(0, 1, 2, 1, 3),
};

describe('the steps MarsModel wires', () => {
  it('ItemCatalog.knownIndicesOf keeps the known ids in order and skips the others', () => {
    const catalog = new ItemCatalog(['a', 'b', 'c'], {
      values: new Int32Array(0),
      rowSplits: new Int32Array(4),
    });
    expect(Array.from(catalog.knownIndicesOf(['c', 'x', 'a', 'c']))).toEqual([2, 0, 2]);
  });

  it('checkSameCatalogue refuses other items or another order', () => {
    const data = { itemIds: ['a', 'b'], itemTexts: ['x', 'y'], train };
    expect(() => checkSameCatalogue(['a', 'b'], data)).not.toThrow();
    expect(() => checkSameCatalogue(['b', 'a'], data)).toThrow(/items differ from the catalogue/);
    expect(() => checkSameCatalogue(['a'], data)).toThrow(/items differ from the catalogue/);
  });

  it('checkUser gives -1 for none and refuses a user outside the training users', () => {
    const part = fitCollaborativePart(train, 2, { epochs: 1 });
    expect(checkUser('op', undefined, part)).toBe(-1);
    expect(checkUser('op', 2, part)).toBe(2);
    expect(() => checkUser('op', 3, part)).toThrow(
      'op: user 3 (history 0) is not a training user index in [0, 3) or -1',
    );
    expect(() => checkUser('op', 0, undefined)).toThrow(/no collaborative part/);
  });

  it('marsTrainingRun validates before the first step only with a warm-started collaborative part', () => {
    const settings = { maxHistory: 7, lambdaU: 0.1, lambdaV: 0.2 };
    const evaluate = async (): Promise<Record<string, number>> => ({});
    const documents = { values: new Int32Array(0), rowSplits: new Int32Array(5) };
    const textOnly = {} as MarsBlocks;
    const run = marsTrainingRun(textOnly, documents, { train }, settings, { evaluate });
    expect(run).toMatchObject({ blocks: textOnly, documents, train, ...settings, evaluate });
    expect(run.atStart).toBeUndefined();
    const collaborative = { collaborative: fitCollaborativePart(train, 2, { epochs: 1 }) } as MarsBlocks;
    expect(marsTrainingRun(collaborative, documents, { train }, settings, { evaluate }).atStart).toEqual({
      start: 'the collaborative part alone',
      trained: 'the text part',
    });
  });
});
