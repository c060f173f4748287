import type { BprMatrixFactorization } from '../collaborative/bpr-mf';
import type { MarsBlocks } from '../layers/mars-blocks';
import type { RaggedRows } from '../ragged/ragged-rows';
import { encodeCatalogue } from './item-vectors';
import type { ItemVectors } from './item-vectors';
import type { ScoringColumns } from './scoring-table';

/**
 * The {@link ScoringColumns} of a trained model's catalogue: its item and memory vectors, and
 * per item the collaborative factors q_j and the whole bias (learned item bias + collaborative
 * b_j), as the brute-force ranking (`scoreHistories`) adds them.
 */
export async function catalogueColumns(
  vectors: ItemVectors,
  collaborative?: BprMatrixFactorization,
): Promise<ScoringColumns> {
  const itemCount = vectors.itemVectors.shape[0];
  const biases = new Float32Array(itemCount);
  if (vectors.itemBias) biases.set(vectors.itemBias);
  if (collaborative) for (let j = 0; j < itemCount; j++) biases[j] += collaborative.itemBiases[j];
  return {
    itemVectors: new Float32Array(await vectors.itemVectors.data()), // data(): webgpu in Node
    memoryVectors: new Float32Array(await vectors.memoryVectors.data()),
    itemFactors: collaborative ? collaborative.itemFactors.slice() : new Float32Array(0),
    biases,
  };
}

/**
 * The {@link ScoringColumns} of items unseen in training, from their text alone: the item and
 * memory encoders' vectors (no item-ID embedding), zero collaborative factors, and the bias of a
 * cold item (the item bias's cold value plus the collaborative part's cold bias, the lowest of
 * its items: what `fitCollaborativePart` gives items without training positives).
 * @param documents - one ragged row of token ids per new item.
 */
export async function coldItemColumns(blocks: MarsBlocks, documents: RaggedRows): Promise<ScoringColumns> {
  const count = documents.rowSplits.length - 1;
  const part = blocks.collaborative;
  const factors = part?.factors ?? 0;
  if (count === 0) {
    const none = new Float32Array(0);
    return { itemVectors: none, memoryVectors: none, itemFactors: none, biases: none };
  }
  const textOnly: MarsBlocks = { ...blocks, itemIdEmbedding: undefined };
  const encode = async (side: 'item' | 'memory'): Promise<Float32Array> => {
    const encoded = encodeCatalogue(textOnly, side, documents);
    const values = new Float32Array(await encoded.data());
    encoded.dispose();
    return values;
  };
  const itemVectors = await encode('item');
  const memoryVectors =
    blocks.userEncoder === blocks.itemEncoder ? itemVectors.slice() : await encode('memory');
  let coldBias = blocks.itemBias ? await blocks.itemBias.coldValue() : 0;
  if (part) coldBias += part.itemBiases.reduce((lowest, bias) => Math.min(lowest, bias), Infinity);
  return {
    itemVectors,
    memoryVectors,
    itemFactors: new Float32Array(count * factors),
    biases: new Float32Array(count).fill(coldBias),
  };
}
