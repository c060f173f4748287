import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { gatherRows } from './ops/gather-rows';
import { seenMask } from './seen-items';
import type { ItemRows } from './seen-items';

/** Configuration of an {@link ItemIdEmbedding} layer. */
export interface ItemIdEmbeddingConfig {
  /** Catalogue size, in items. */
  itemCount: number;
  /** Vector size d, the text encoders' `outputDim`. */
  outputDim: number;
  /** Layer name. Default tfjs-layers' (`item_id_embedding` in `MarsModel`). */
  name?: string;
}

/**
 * A learned item-ID embedding e_i, added to the text vector of items seen in training
 * ({@link ItemIdEmbedding.markSeen}); items never seen (cold items) get 0 and keep their text-only
 * vector. Weights: `embedding` `[items, d]` (trainable) and `seen` `[items, 1]` (fixed), zero at first.
 *
 * @example
 * ```ts
 * const ids = new ItemIdEmbedding({ itemCount: 1000, outputDim: 64, name: 'item_id_embedding' });
 * ids.markSeen(train);
 * const vectors = tf.add(textVectors, ids.lookup(items)); // [n, 64]
 * ```
 */
export class ItemIdEmbedding extends tfl.layers.Layer {
  /** Class name for tfjs-layers serialization. */
  static className = 'MarsItemIdEmbedding';
  /** Catalogue size, in items. */
  readonly itemCount: number;
  /** Vector size d. */
  readonly outputDim: number;
  private embedding?: tfl.LayerVariable;
  private seen?: tfl.LayerVariable;

  /** @param config - see {@link ItemIdEmbeddingConfig}. */
  constructor(config: ItemIdEmbeddingConfig) {
    super({ name: config.name });
    for (const key of ['itemCount', 'outputDim'] as const) {
      if (!Number.isInteger(config[key]) || config[key] < 1)
        throw new RangeError(
          `ItemIdEmbedding: ${key} must be a positive integer, got ${String(config[key])}`,
        );
    }
    this.itemCount = config.itemCount;
    this.outputDim = config.outputDim;
  }

  /** Creates the weights (called once, on first use). */
  override build(): void {
    if (this.built) return;
    const zeros = tfl.initializers.zeros();
    this.embedding = this.addWeight('embedding', [this.itemCount, this.outputDim], 'float32', zeros);
    this.seen = this.addWeight('seen', [this.itemCount, 1], 'float32', zeros, undefined, false);
    this.built = true;
  }

  /** Marks the items with a training positive as seen (they get their embedding); cumulative. */
  markSeen(train: ItemRows): void {
    this.build();
    const seen = this.seen as tfl.LayerVariable;
    const mask = seenMask(train, this.itemCount);
    const updated = tf.tidy(() => tf.maximum(seen.read(), tf.tensor2d(mask, [this.itemCount, 1])));
    seen.write(updated);
    updated.dispose();
  }

  /**
   * The embeddings of some items, zero for cold ones; differentiable in `embedding`.
   * @param items - item indices.
   * @returns `[items.length, d]`; the caller owns it.
   */
  lookup(items: Int32Array): tf.Tensor2D {
    this.build();
    return tf.tidy(() =>
      tf.mul(
        gatherRows((this.embedding as tfl.LayerVariable).read() as tf.Tensor2D, items),
        tf.gather((this.seen as tfl.LayerVariable).read(), tf.tensor1d(items, 'int32')),
      ),
    ) as tf.Tensor2D;
  }

  /** The trainable weight (`embedding`) as a TensorFlow variable. */
  trainableVariables(): tf.Variable[] {
    this.build();
    return [(this.embedding as tfl.LayerVariable).read() as tf.Variable];
  }

  /** Frees the weights, also when the layer was never `apply`d. */
  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    if (this._refCount !== null) return super.dispose();
    for (const weight of this.weights) weight.dispose();
    this._refCount = 0;
    return { refCountAfterDispose: 0, numDisposedVariables: this.weights.length };
  }

  /** tfjs-layers entry point: int32 item indices `[n]` -> `[n, d]`. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const items = Array.isArray(inputs) ? inputs[0] : inputs;
    return this.lookup(Int32Array.from(items.dataSync()));
  }

  /** `[n]` -> `[n, d]`. */
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [shape[0], this.outputDim];
  }

  /** Serializable configuration. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), itemCount: this.itemCount, outputDim: this.outputDim };
  }
}
tf.serialization.registerClass(ItemIdEmbedding);
