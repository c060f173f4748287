import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { memoryReadScores, memoryReadWeights } from './ops/memory-read';
import type { MemoryAggregation } from './ops/memory-read';

/** Configuration of a {@link MemoryAttention} layer. */
export interface MemoryAttentionConfig {
  /** `'attention'` (MARS, default) or `'mean'` (every valid slot weighs 1 / count: the attention ablation). */
  aggregation?: MemoryAggregation;
  /** Layer name. */
  name?: string;
}

/** Scores with the adaptive user vectors that produced them. */
export interface ScoresWithUserVectors {
  /** `[batch, candidates]` r = u . v. */
  scores: tf.Tensor2D;
  /** `[batch, candidates, dim]` u = C a, one per candidate. */
  userVectors: tf.Tensor3D;
}

/**
 * The MARS memory attention (report 3.1.1): for memory C `[batch, history, dim]` with a mask
 * `[batch, history]` and candidates V `[batch, m, dim]`, the attention over the valid history
 * slots a_j = softmax(C v_j), the adaptive user u_j = C a_j, and the score r_j = u_j . v_j.
 *
 * The score is computed as r_j = sum_h a_hj S_hj with S = C V^T (one batched matrix product),
 * without materialising the `[batch, m, dim]` user vectors; they are computed only when asked
 * for. The weights come from `memoryReadWeights`, the op ranking and explanations use too:
 * padded slots get exactly zero weight; a row with no valid slot scores 0 (never NaN).
 * No trainable weights.
 */
export class MemoryAttention extends tfl.layers.Layer {
  /** Class name for tfjs-layers serialization. */
  static className = 'MarsMemoryAttention';
  /** How the memory is read. */
  readonly aggregation: MemoryAggregation;

  /** @param config - see {@link MemoryAttentionConfig}. */
  constructor(config: MemoryAttentionConfig = {}) {
    super({ name: config.name });
    this.aggregation = config.aggregation ?? 'attention';
    if (this.aggregation !== 'attention' && this.aggregation !== 'mean') {
      throw new RangeError(
        `MemoryAttention: aggregation must be 'attention' or 'mean', got '${String(this.aggregation)}'`,
      );
    }
    this.built = true;
  }

  /** None: the layer has no weights. Present for symmetry with {@link TextCnnEncoder}. */
  trainableVariables(): tf.Variable[] {
    return [];
  }

  /**
   * Attention weights a.
   * @param memory - `[batch, history, dim]`.
   * @param mask - `[batch, history]` float32, 1 for valid slots.
   * @param candidates - `[batch, m, dim]`.
   * @returns `[batch, m, history]`; rows of a batch entry without valid slots are all zero.
   */
  attentionWeights(memory: tf.Tensor3D, mask: tf.Tensor2D, candidates: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => this.weightsAndSimilarity(memory, mask, candidates).weights);
  }

  /** Scores r `[batch, m]`; see the class description. */
  score(memory: tf.Tensor3D, mask: tf.Tensor2D, candidates: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const { weights, similarity } = this.weightsAndSimilarity(memory, mask, candidates);
      return memoryReadScores(similarity, weights) as tf.Tensor2D;
    });
  }

  /** Scores and the adaptive user vectors u `[batch, m, dim]` (for the lambda_u term of eq. 4). */
  scoreWithUserVectors(
    memory: tf.Tensor3D,
    mask: tf.Tensor2D,
    candidates: tf.Tensor3D,
  ): ScoresWithUserVectors {
    const [scores, userVectors] = tf.tidy(() => {
      const { weights, similarity } = this.weightsAndSimilarity(memory, mask, candidates);
      return [memoryReadScores(similarity, weights), tf.matMul(weights, memory)];
    });
    return { scores: scores as tf.Tensor2D, userVectors: userVectors as tf.Tensor3D };
  }

  /** Marks the layer disposed; it holds no weights, and may be disposed without ever being `apply`d. */
  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    if (this._refCount !== null) return super.dispose();
    this._refCount = 0;
    return { refCountAfterDispose: 0, numDisposedVariables: 0 };
  }

  /** tfjs-layers entry point: `inputs` = [memory, mask, candidates] -> scores `[batch, m]`. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [memory, mask, candidates] = inputs as tf.Tensor[];
    if (!memory || !mask || !candidates)
      throw new TypeError('MemoryAttention.call: expects [memory, mask, candidates]');
    return this.score(memory as tf.Tensor3D, mask as tf.Tensor2D, candidates as tf.Tensor3D);
  }

  /** `[batch, history, dim]`, `[batch, history]`, `[batch, m, dim]` -> `[batch, m]`. */
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shapes = inputShape as tfl.Shape[];
    return [shapes[2][0], shapes[2][1]];
  }

  /** Serializable configuration. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), aggregation: this.aggregation };
  }

  private weightsAndSimilarity(
    memory: tf.Tensor3D,
    mask: tf.Tensor2D,
    candidates: tf.Tensor3D,
  ): { weights: tf.Tensor3D; similarity: tf.Tensor3D } {
    const [batch, history] = memory.shape;
    const similarity = tf.matMul(candidates, memory, false, true) as tf.Tensor3D; // S^T: [batch, m, history]
    const weights = memoryReadWeights(similarity, tf.reshape(mask, [batch, 1, history]), {
      aggregation: this.aggregation,
    });
    // the mean's weights do not depend on the candidate: one row per batch entry, broadcast
    const full = this.aggregation === 'mean' ? tf.broadcastTo(weights, similarity.shape) : weights;
    return { weights: full as tf.Tensor3D, similarity };
  }
}
tf.serialization.registerClass(MemoryAttention);
