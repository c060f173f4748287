import * as tf from '@tensorflow/tfjs-core';
import { encodeItemDocuments } from '../layers/mars-blocks';
import type { EncoderSide, MarsBlocks } from '../layers/mars-blocks';
import { bucketRows } from '../ragged/length-buckets';
import type { RaggedRows } from '../ragged/ragged-rows';

/** Most padded tokens per bucket when encoding a whole catalogue (no gradients are kept). */
export const CATALOGUE_TOKEN_BUDGET = 65_536;

/** The vectors of every catalogue item that ranking reads, computed once per set of weights. */
export interface ItemVectors {
  /** `[items, dim]` item-side vectors v_j (f_item, plus the ID embedding of seen items). */
  itemVectors: tf.Tensor2D;
  /** `[items, dim]` memory-side vectors c (f_user, ...); the same tensor with a shared encoder. */
  memoryVectors: tf.Tensor2D;
  /** `[items]` item biases, when the blocks have an item bias. */
  itemBias?: Float32Array;
}

/**
 * Encodes every catalogue item on one side, in catalogue order.
 * @param documents - one ragged row of token ids per item.
 * @returns `[items, dim]`; the caller owns it.
 */
export function encodeCatalogue(blocks: MarsBlocks, side: EncoderSide, documents: RaggedRows): tf.Tensor2D {
  const buckets = bucketRows(documents, { tokenBudget: CATALOGUE_TOKEN_BUDGET });
  return tf.tidy(
    () =>
      tf.gather(
        encodeItemDocuments(blocks, side, buckets, false),
        tf.tensor1d(buckets.positions, 'int32'), // catalogue index -> output row
      ) as tf.Tensor2D,
  );
}

/**
 * The item-side and memory-side vectors of every catalogue item, and the item biases.
 * @param documents - one ragged row of token ids per item.
 * @returns vectors the caller owns ({@link disposeItemVectors}).
 */
export async function computeItemVectors(blocks: MarsBlocks, documents: RaggedRows): Promise<ItemVectors> {
  const itemVectors = encodeCatalogue(blocks, 'item', documents);
  // one encoder (and the same ID embedding) on both sides: the memory vectors are the item vectors
  const memoryVectors =
    blocks.userEncoder === blocks.itemEncoder ? itemVectors : encodeCatalogue(blocks, 'memory', documents);
  let itemBias: Float32Array | undefined;
  if (blocks.itemBias) {
    const values = blocks.itemBias.values();
    itemBias = new Float32Array(await values.data()); // data(), not dataSync(): webgpu in Node
    values.dispose();
  }
  return { itemVectors, memoryVectors, itemBias };
}

/** Frees the tensors of {@link ItemVectors}. */
export function disposeItemVectors(vectors: ItemVectors): void {
  tf.dispose([vectors.itemVectors, vectors.memoryVectors]);
}

/**
 * Item vectors computed on first use and kept until the weights change ({@link ItemVectorCache.invalidate}).
 * A failed computation is not kept: the next call tries again.
 */
export class ItemVectorCache {
  private readonly compute: () => Promise<ItemVectors>;
  private pending?: Promise<ItemVectors>;
  private ready?: ItemVectors;

  /** @param compute - computes the vectors of the current weights (e.g. {@link computeItemVectors}). */
  constructor(compute: () => Promise<ItemVectors>) {
    this.compute = compute;
  }

  /** The vectors of the current weights. */
  get(): Promise<ItemVectors> {
    if (!this.pending) {
      const computing = this.compute();
      this.pending = computing;
      computing.then(
        (vectors) => {
          if (this.pending === computing) this.ready = vectors;
        },
        () => {
          if (this.pending === computing) this.pending = undefined;
        },
      );
    }
    return this.pending;
  }

  /** Drops the vectors (the weights changed): freed now when computed, else once they are. */
  invalidate(): void {
    const { pending, ready } = this;
    this.pending = undefined;
    this.ready = undefined;
    if (ready) disposeItemVectors(ready);
    else pending?.then(disposeItemVectors, () => undefined); // a failed computation holds no tensors
  }
}
