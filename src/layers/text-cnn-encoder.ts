import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { lengthMask, projectionRows, uniqueWords } from './factorized-convolution';
import { gatherRows } from './ops/gather-rows';
import { onHostBackend } from './ops/host-backend';
import { matMul2d } from './ops/mat-mul';
import { projectionMaxPool } from './ops/projection-max-pool';
import { maxOverTime } from './ops/max-over-time';

/**
 * Standard deviation of the random normal word embeddings a {@link TextCnnEncoder} starts from.
 * Chosen on validation (docs/quality.md, amazon_office text-only MARS, best validation recall@50
 * over 3,000 steps, seeds 1 and 2): 0.3 gave 0.117 and 0.118, 1 (PyTorch's `nn.Embedding`)
 * 0.105 and 0.106, 0.1 0.095 and 0.094 (1,500 steps), the former uniform [-0.05, 0.05] 0.092 and 0.094
 * (1,500 steps). Small embeddings move fast relative to their size under Adam and overfit the
 * few training triplets of sparse data.
 */
export const WORD_EMBEDDING_INIT_STD = 0.3;

/**
 * PyTorch's default initialiser of `Conv1d` and `Linear` weights and biases: uniform in
 * +-1 / sqrt(fanIn) (He uniform with a = sqrt(5)). It keeps the convolution's and the output's
 * scale matched to embeddings of {@link WORD_EMBEDDING_INIT_STD}'s size: with Glorot weights and
 * zero biases, N(0, 1) embeddings reached only 0.069 (docs/quality.md).
 */
function fanInUniform(fanIn: number, seed: number): ReturnType<typeof tfl.initializers.randomUniform> {
  const bound = 1 / Math.sqrt(fanIn);
  return tfl.initializers.randomUniform({ minval: -bound, maxval: bound, seed });
}

/** Configuration of a {@link TextCnnEncoder}; sizes in units of the field's name. */
export interface TextCnnEncoderConfig {
  /** Rows of the word embedding table: the vocabulary's size (ids 0 = padding, 1 = unknown). */
  vocabularySize: number;
  /** Word embedding size E. Default 64. */
  embeddingDim?: number;
  /** Convolution filters F per kernel width. Default 100. */
  filters?: number;
  /** Convolution widths, in tokens. Default [3]. */
  kernelSizes?: number[];
  /** Output (item vector) size d. Default 64. */
  outputDim?: number;
  /** Dropout rate on the pooled features, training only. Default 0. */
  dropout?: number;
  /** Seed of the weight initialisers and of dropout. Default 1. */
  seed?: number;
  /**
   * Pretrained word vectors, `[vocabularySize * embeddingDim]` row-major (row = word id); see
   * {@link loadWordVectors}. Default: random normal with standard deviation
   * {@link WORD_EMBEDDING_INIT_STD}.
   */
  pretrainedEmbeddings?: Float32Array;
  /** Whether the embedding table is trained. Default true. */
  trainableEmbeddings?: boolean;
  /** Layer name. */
  name?: string;
}

/** A batch of documents padded to one width: what {@link TextCnnEncoder.encodeTokens} takes. */
export interface TokenBatch {
  /** `[rows * width]` token ids, row-major; positions past a row's length are ignored. */
  ids: Int32Array;
  /** `[rows]` tokens per document (0 for an empty document). */
  lengths: Int32Array;
  /** Padded width, in tokens. */
  width: number;
}

/** Options of an encoding call. */
export interface EncodeCallOptions {
  /** Training mode: applies dropout. Default false. */
  training?: boolean;
}

/**
 * The MARS item encoder (report 3.1.1, figure 2): word embedding -> 1-D convolution ('same'
 * padding, one or several widths, F filters each) -> ReLU -> max over time -> dense to d.
 *
 * - Padding is masked: positions past a document's length are excluded from the max-pool (not
 *   just zero-embedded), and they read zero vectors in the convolution, so a document encodes
 *   the same whatever the width it was padded to. An empty document pools to 0: its vector is
 *   the dense layer's bias (finite, never NaN).
 * - The convolution runs in its exact factorized form (see `factorized-convolution.ts`): one
 *   matrix product for the unique words of the batch, then gathers and sums, with gradients
 *   (scatter-add) that every backend has, wasm included.
 *
 * Use it as a tfjs-layers layer (`apply([ids, lengths])`, int32 `[docs, width]` and `[docs]`,
 * output `[docs, outputDim]`), or call {@link TextCnnEncoder.encodeTokens} with typed arrays in a
 * custom training loop (no download of the ids from the device).
 *
 * @example
 * ```ts
 * import { selectBackend, TextCnnEncoder } from 'mars-rec';
 *
 * await selectBackend('auto'); // TensorFlow.js needs a backend before the first tensor
 * const encoder = new TextCnnEncoder({ vocabularySize: 5000, embeddingDim: 64, filters: 100, outputDim: 64, seed: 1 });
 * // two documents padded to 4 tokens: ids row-major (0 = padding) and their lengths
 * const vectors = encoder.encodeTokens({ ids: Int32Array.of(5, 9, 2, 0, 7, 3, 0, 0), lengths: Int32Array.of(3, 2), width: 4 });
 * console.log(vectors.shape); // [2, 64]
 * vectors.dispose();
 * encoder.dispose();
 * ```
 */
export class TextCnnEncoder extends tfl.layers.Layer {
  /** Class name for tfjs-layers serialization. */
  static className = 'MarsTextCnnEncoder';
  /** The resolved configuration. */
  readonly settings: Required<Omit<TextCnnEncoderConfig, 'pretrainedEmbeddings' | 'name'>>;
  private readonly pretrained?: Float32Array;
  private embedding?: tfl.LayerVariable;
  private convolutionKernels: tfl.LayerVariable[] = [];
  private convolutionBiases: tfl.LayerVariable[] = [];
  private denseKernel?: tfl.LayerVariable;
  private denseBias?: tfl.LayerVariable;
  private dropoutCalls = 0;

  /** @param config - see {@link TextCnnEncoderConfig}. */
  constructor(config: TextCnnEncoderConfig) {
    super({ name: config.name });
    this.settings = {
      vocabularySize: config.vocabularySize,
      embeddingDim: config.embeddingDim ?? 64,
      filters: config.filters ?? 100,
      kernelSizes: [...(config.kernelSizes ?? [3])],
      outputDim: config.outputDim ?? 64,
      dropout: config.dropout ?? 0,
      seed: config.seed ?? 1,
      trainableEmbeddings: config.trainableEmbeddings ?? true,
    };
    const s = this.settings;
    for (const key of ['vocabularySize', 'embeddingDim', 'filters', 'outputDim'] as const) {
      if (!Number.isInteger(s[key]) || s[key] < 1) {
        throw new RangeError(`TextCnnEncoder: ${key} must be a positive integer, got ${String(s[key])}`);
      }
    }
    if (s.kernelSizes.length === 0 || !s.kernelSizes.every((k) => Number.isInteger(k) && k >= 1)) {
      throw new RangeError(`TextCnnEncoder: kernelSizes must be positive integers, got [${s.kernelSizes}]`);
    }
    if (!(s.dropout >= 0 && s.dropout < 1))
      throw new RangeError(`TextCnnEncoder: dropout must be in [0, 1), got ${s.dropout}`);
    if (
      config.pretrainedEmbeddings &&
      config.pretrainedEmbeddings.length !== s.vocabularySize * s.embeddingDim
    ) {
      throw new RangeError(
        `TextCnnEncoder: pretrainedEmbeddings has ${config.pretrainedEmbeddings.length} values, expected ` +
          `vocabularySize x embeddingDim = ${s.vocabularySize * s.embeddingDim}`,
      );
    }
    this.pretrained = config.pretrainedEmbeddings;
  }

  /** Creates the weights (called once, on first use). */
  override build(): void {
    if (this.built) return;
    const s = this.settings;
    const embeddingInitializer = this.pretrained
      ? tfl.initializers.zeros()
      : tfl.initializers.randomNormal({ mean: 0, stddev: WORD_EMBEDDING_INIT_STD, seed: s.seed });
    this.embedding = this.addWeight(
      'embedding',
      [s.vocabularySize, s.embeddingDim],
      'float32',
      embeddingInitializer,
      undefined,
      s.trainableEmbeddings,
    );
    if (this.pretrained) {
      const pretrained = tf.tensor2d(this.pretrained, [s.vocabularySize, s.embeddingDim]);
      this.embedding.write(pretrained);
      pretrained.dispose();
    }
    this.convolutionKernels = s.kernelSizes.map((k, index) =>
      this.addWeight(
        `conv${index}_kernel`,
        [k, s.embeddingDim, s.filters],
        'float32',
        fanInUniform(k * s.embeddingDim, s.seed + 1 + index),
      ),
    );
    this.convolutionBiases = s.kernelSizes.map((k, index) =>
      this.addWeight(
        `conv${index}_bias`,
        [s.filters],
        'float32',
        fanInUniform(k * s.embeddingDim, s.seed + 51 + index),
      ),
    );
    const pooledSize = s.filters * s.kernelSizes.length;
    this.denseKernel = this.addWeight(
      'dense_kernel',
      [pooledSize, s.outputDim],
      'float32',
      fanInUniform(pooledSize, s.seed + 101),
    );
    this.denseBias = this.addWeight(
      'dense_bias',
      [s.outputDim],
      'float32',
      fanInUniform(pooledSize, s.seed + 151),
    );
    this.built = true;
  }

  /**
   * Sets the output (dense) layer's kernel and bias to zero, so every document encodes to the
   * zero vector until training moves them: a residual branch that starts silent (MARS's item
   * side beside a collaborative part). The kernel's gradient is not zero, so it learns at once.
   */
  zeroOutputLayer(): void {
    this.build();
    for (const weight of [this.denseKernel, this.denseBias] as tfl.LayerVariable[]) {
      const zeros = tf.zerosLike(weight.read());
      weight.write(zeros);
      zeros.dispose();
    }
  }

  /** The trainable weights as TensorFlow variables (for `optimizer.minimize(f, _, varList)`). */
  trainableVariables(): tf.Variable[] {
    this.build();
    return this.trainableWeights.map((weight) => weight.read() as tf.Variable);
  }

  /**
   * Encodes a padded batch of documents given as typed arrays.
   * @returns `[rows, outputDim]` document vectors; the caller owns the tensor.
   */
  encodeTokens(batch: TokenBatch, options: EncodeCallOptions = {}): tf.Tensor2D {
    this.build();
    const { ids, lengths, width } = batch;
    const rows = lengths.length;
    if (ids.length !== rows * width) {
      throw new RangeError(
        `TextCnnEncoder: ids has ${ids.length} entries, expected rows x width = ${rows} x ${width}`,
      );
    }
    for (let row = 0; row < rows; row++) {
      if (!(lengths[row] >= 0 && lengths[row] <= width)) {
        throw new RangeError(
          `TextCnnEncoder: length ${lengths[row]} of row ${row} is outside [0, width = ${width}]`,
        );
      }
    }
    const s = this.settings;
    const unique = uniqueWords(ids, lengths, width);
    for (const word of unique.words) {
      if (!(word >= 0 && word < s.vocabularySize)) {
        throw new RangeError(
          `TextCnnEncoder: token id ${word} is outside the vocabulary [0, ${s.vocabularySize})`,
        );
      }
    }
    const tableRows = s.kernelSizes.map((k) => projectionRows(unique, lengths, width, k));
    const mask = lengthMask(lengths, width);
    const training = options.training ?? false;
    const dropoutSeed = s.seed * 7919 + this.dropoutCalls++;
    return tf.tidy(() => {
      const features: tf.Tensor2D[] = [];
      if (rows === 0) return tf.zeros([0, s.outputDim]) as tf.Tensor2D;
      const wordVectors =
        unique.words.length > 0
          ? gatherRows((this.embedding as tfl.LayerVariable).read() as tf.Tensor2D, unique.words)
          : tf.zeros([0, s.embeddingDim]); // [unique, E]
      const host = onHostBackend();
      const positionMask = host ? undefined : tf.tensor3d(mask, [rows, width, 1]);
      s.kernelSizes.forEach((k, index) => {
        const kernel = this.convolutionKernels[index].read(); // [k, E, F]
        const flatKernel = tf.reshape(tf.transpose(kernel, [1, 0, 2]), [s.embeddingDim, k * s.filters]);
        const projections = tf.reshape(matMul2d(wordVectors as tf.Tensor2D, flatKernel as tf.Tensor2D), [
          unique.words.length * k,
          s.filters,
        ]) as tf.Tensor2D;
        const bias = this.convolutionBiases[index].read() as tf.Tensor1D;
        if (host) {
          // typed-array gather + sum + bias + ReLU + masked max, fused (exact; see projectionMaxPool)
          const plan = { tableRows: tableRows[index], zeroRow: unique.words.length * k, lengths, width };
          features.push(projectionMaxPool(projections, bias, { ...plan, kernelSize: k }));
          return;
        }
        const table = tf.concat([projections, tf.zeros([1, s.filters])], 0) as tf.Tensor2D; // + zero row
        const gathered = gatherRows(table, tableRows[index]); // [rows*width*k, F]
        const convolved = tf.sum(tf.reshape(gathered, [rows * width, k, s.filters]), 1);
        const activated = tf.relu(tf.add(convolved, bias));
        // after ReLU every value is >= 0, so zeroing padded positions excludes them from the max
        const masked = tf.mul(
          tf.reshape(activated, [rows, width, s.filters]),
          positionMask as tf.Tensor3D,
        ) as tf.Tensor3D;
        features.push(maxOverTime(masked));
      });
      let pooled: tf.Tensor2D = features.length === 1 ? features[0] : (tf.concat(features, 1) as tf.Tensor2D);
      if (training && s.dropout > 0)
        pooled = tf.dropout(pooled, s.dropout, undefined, dropoutSeed) as tf.Tensor2D;
      const output = tf.add(
        matMul2d(pooled, (this.denseKernel as tfl.LayerVariable).read() as tf.Tensor2D),
        (this.denseBias as tfl.LayerVariable).read(),
      );
      return output as tf.Tensor2D;
    });
  }

  /**
   * Encodes `[docs, width]` int32 ids with `[docs]` int32 lengths. Reads the ids back to the CPU
   * to plan the factorized convolution; prefer {@link TextCnnEncoder.encodeTokens} in loops.
   */
  encode(ids: tf.Tensor2D, lengths: tf.Tensor1D, options: EncodeCallOptions = {}): tf.Tensor2D {
    return this.encodeTokens(
      {
        ids: Int32Array.from(ids.dataSync()),
        lengths: Int32Array.from(lengths.dataSync()),
        width: ids.shape[1],
      },
      options,
    );
  }

  /**
   * Frees the weights. Unlike a plain tfjs-layers layer, an encoder used only through
   * {@link TextCnnEncoder.encodeTokens} (never `apply`d) can be disposed too.
   */
  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    if (this._refCount !== null) return super.dispose();
    let numDisposedVariables = 0;
    for (const weight of this.weights) {
      weight.dispose();
      numDisposedVariables++;
    }
    this._refCount = 0;
    return { refCountAfterDispose: 0, numDisposedVariables };
  }

  /** tfjs-layers entry point: `inputs` = [ids `[docs, width]`, lengths `[docs]`]. */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const [ids, lengths] = inputs as tf.Tensor[];
    if (!ids || !lengths) throw new TypeError('TextCnnEncoder.call: expects [ids, lengths]');
    return this.encode(ids as tf.Tensor2D, tf.reshape(lengths, [-1]) as tf.Tensor1D, {
      training: kwargs?.training,
    });
  }

  /** `[docs, width]`, `[docs]` -> `[docs, outputDim]`. */
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [idsShape] = inputShape as tfl.Shape[];
    return [idsShape[0], this.settings.outputDim];
  }

  /** Serializable configuration (pretrained vectors travel as weights, not config). */
  override getConfig(): tf.serialization.ConfigDict {
    const {
      vocabularySize,
      embeddingDim,
      filters,
      kernelSizes,
      outputDim,
      dropout,
      seed,
      trainableEmbeddings,
    } = this.settings;
    return {
      ...super.getConfig(),
      vocabularySize,
      embeddingDim,
      filters,
      kernelSizes,
      outputDim,
      dropout,
      seed,
      trainableEmbeddings,
    };
  }
}
tf.serialization.registerClass(TextCnnEncoder);
