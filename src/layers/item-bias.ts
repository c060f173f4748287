import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { gatherRows } from './ops/gather-rows';
import { seenMask } from './seen-items';
import type { ItemRows } from './seen-items';

/** Configuration of an {@link ItemBias} layer. */
export interface ItemBiasConfig {
  /** Catalogue size, in items. */
  itemCount: number;
  /** Layer name. Default tfjs-layers' (`item_bias` in `MarsModel`). */
  name?: string;
}

/**
 * A learned per-item bias b_i added to each score (it captures popularity). It applies to items
 * seen in training ({@link ItemBias.markSeen}); an item never seen gets the fixed `cold_bias`
 * instead, so an ID-based term never lifts an item it knows nothing about. Weights: `bias`
 * `[items]` (trainable), `seen` `[items]` and `cold_bias` `[]` (fixed), all zero at first.
 *
 * @example
 * ```ts
 * const itemBias = new ItemBias({ itemCount: 1000, name: 'item_bias' });
 * itemBias.markSeen(train);
 * const biases = itemBias.gather(Int32Array.of(4, 17)); // [2], differentiable in `bias`
 * ```
 */
export class ItemBias extends tfl.layers.Layer {
  /** Class name for tfjs-layers serialization. */
  static className = 'MarsItemBias';
  /** Catalogue size, in items. */
  readonly itemCount: number;
  private bias?: tfl.LayerVariable;
  private seen?: tfl.LayerVariable;
  private coldBias?: tfl.LayerVariable;

  /** @param config - see {@link ItemBiasConfig}. */
  constructor(config: ItemBiasConfig) {
    super({ name: config.name });
    if (!Number.isInteger(config.itemCount) || config.itemCount < 1)
      throw new RangeError(`ItemBias: itemCount must be a positive integer, got ${String(config.itemCount)}`);
    this.itemCount = config.itemCount;
  }

  /** Creates the weights (called once, on first use). */
  override build(): void {
    if (this.built) return;
    const zeros = tfl.initializers.zeros();
    this.bias = this.addWeight('bias', [this.itemCount], 'float32', zeros);
    this.seen = this.addWeight('seen', [this.itemCount], 'float32', zeros, undefined, false);
    this.coldBias = this.addWeight('cold_bias', [], 'float32', zeros, undefined, false);
    this.built = true;
  }

  /** Marks the items with a training positive as seen (they keep their learned bias); cumulative. */
  markSeen(train: ItemRows): void {
    this.build();
    const seen = this.seen as tfl.LayerVariable;
    const updated = tf.tidy(() => tf.maximum(seen.read(), tf.tensor1d(seenMask(train, this.itemCount))));
    seen.write(updated);
    updated.dispose();
  }

  /**
   * Starts the biases from given values (a bias-only BPR fit, `fitBprItemBiases`): training then
   * starts from the popularity ranking. The cold-item bias becomes their minimum, below every
   * item that has a training positive.
   * @param biases - `[items]` starting biases.
   */
  warmStart(biases: Float32Array): void {
    this.build();
    if (biases.length !== this.itemCount)
      throw new RangeError(`ItemBias.warmStart: ${biases.length} biases for ${this.itemCount} items`);
    const values = tf.tensor1d(biases);
    const minimum = tf.min(values);
    (this.bias as tfl.LayerVariable).write(values);
    (this.coldBias as tfl.LayerVariable).write(minimum);
    tf.dispose([values, minimum]);
  }

  /**
   * The biases of some items: b_i when seen, the cold bias otherwise; differentiable in `bias`.
   * @param items - item indices.
   * @returns `[items.length]`; the caller owns it.
   */
  gather(items: Int32Array): tf.Tensor1D {
    this.build();
    return tf.tidy(() => {
      const bias = gatherRows(tf.reshape(this.readBias(), [-1, 1]) as tf.Tensor2D, items);
      const seen = tf.gather(tf.reshape(this.readSeen(), [-1, 1]), tf.tensor1d(items, 'int32'));
      return tf.reshape(this.effective(bias, seen), [-1]) as tf.Tensor1D;
    });
  }

  /** `[items]` the bias of every item (seen: learned; cold: the cold bias); the caller owns it. */
  values(): tf.Tensor1D {
    this.build();
    return tf.tidy(() => this.effective(this.readBias(), this.readSeen()) as tf.Tensor1D);
  }

  /** The bias of an item never seen in training (the fixed cold bias). */
  async coldValue(): Promise<number> {
    this.build();
    return (await (this.coldBias as tfl.LayerVariable).read().data())[0];
  }

  /** The trainable weight (`bias`) as a TensorFlow variable. */
  trainableVariables(): tf.Variable[] {
    this.build();
    return [(this.bias as tfl.LayerVariable).read() as tf.Variable];
  }

  /** Frees the weights, also when the layer was never `apply`d. */
  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    if (this._refCount !== null) return super.dispose();
    for (const weight of this.weights) weight.dispose();
    this._refCount = 0;
    return { refCountAfterDispose: 0, numDisposedVariables: this.weights.length };
  }

  /** tfjs-layers entry point: int32 item indices `[n]` -> biases `[n]`. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const items = Array.isArray(inputs) ? inputs[0] : inputs;
    return this.gather(Int32Array.from(items.dataSync()));
  }

  /** `[n]` -> `[n]`. */
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
  }

  /** Serializable configuration. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), itemCount: this.itemCount };
  }

  private readBias(): tf.Tensor {
    return (this.bias as tfl.LayerVariable).read();
  }

  private readSeen(): tf.Tensor {
    return (this.seen as tfl.LayerVariable).read();
  }

  /** b seen + cold (1 - seen). */
  private effective(bias: tf.Tensor, seen: tf.Tensor): tf.Tensor {
    const cold = tf.mul(tf.sub(1, seen), (this.coldBias as tfl.LayerVariable).read());
    return tf.add(tf.mul(bias, seen), cold);
  }
}
tf.serialization.registerClass(ItemBias);
