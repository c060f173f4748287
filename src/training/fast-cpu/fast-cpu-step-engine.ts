import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { collaborativePairScores } from '../../collaborative/collaborative-part';
import { kernelsSupported } from '../../kernels/load-kernels';
import type { MarsBlocks } from '../../layers/mars-blocks';
import { onHostBackend } from '../../layers/ops/host-backend';
import type { TextCnnEncoder } from '../../layers/text-cnn-encoder';
import type { RaggedRows } from '../../ragged/ragged-rows';
import type { TripletBatch } from '../../sampling/bpr-triplet-sampler';
import { DEFAULT_LAMBDA } from '../defaults';
import { tfjsStepEngine } from '../mars-step';
import type { StepEngineContext, StepEngineFactory } from '../mars-step';
import type { StepEngine } from '../step-engine';
import { readEncoderWeights, writeEncoderWeights } from './encoder-weights';
import { FastCpuTrainer } from './fast-cpu-trainer';
import type { FastCpuOptimizer } from './fast-cpu-trainer';
import type { FastCpuWeights } from './parameter-layout';

/** The TF.js parts of a MARS model the fast CPU step trains (it reads and writes their variables). */
export interface FastCpuModelParts {
  /** f_user (the memory encoder). */
  userEncoder: TextCnnEncoder;
  /** f_item (the candidate encoder); the same object as `userEncoder` when shared. */
  itemEncoder: TextCnnEncoder;
  /** How the memory is read. */
  aggregation: 'attention' | 'mean';
  /** The learned item bias `[items]` with its seen mask and the fixed bias of unseen items. */
  itemBias?: { variable: tf.Variable; seen: Float32Array; coldBias: number };
  /** The learned item-ID embedding `[items, d]` with its seen mask. */
  itemIdEmbedding?: { variable: tf.Variable; seen: Float32Array };
  /** Fixed `[batch, 2]` scores added to (r_j, r_j') of a batch (the collaborative part). */
  fixedPairScores?: (batch: TripletBatch) => Float32Array;
}

/** Options of a {@link FastCpuStepEngine}. */
export interface FastCpuStepEngineOptions {
  /** The model parts to train. */
  parts: FastCpuModelParts;
  /** The token ids of every item (the catalogue). */
  documents: RaggedRows;
  /** The optimizer, by name. */
  optimizer: FastCpuOptimizer;
  /** Its learning rate. */
  learningRate: number;
  /** Longest history kept, in items. */
  maxHistory: number;
  /** lambda_u and lambda_v of eq. 4. */
  lambdaU: number;
  lambdaV: number;
  /** Threads, the calling one included. Default: the available cores. */
  threads?: number;
}

/**
 * Why the fast CPU step cannot train these parts with this optimizer here, or undefined when it
 * can: it needs WebAssembly SIMD with shared memory (Node, or a cross-origin-isolated page),
 * a named optimizer (`'adam'`, `'lazy-adam'`, `'sgd'`), no dropout, and one seen mask for the
 * item bias and the item-ID embedding.
 */
export function fastCpuStepUnsupported(parts: FastCpuModelParts, optimizer: unknown): string | undefined {
  if (optimizer !== 'adam' && optimizer !== 'lazy-adam' && optimizer !== 'sgd')
    return 'the optimizer is a TF.js optimizer object (the fast CPU step implements adam, lazy-adam and sgd)';
  if (parts.userEncoder.settings.dropout > 0 || parts.itemEncoder.settings.dropout > 0)
    return 'dropout is configured (the fast CPU step has none)';
  const { itemBias, itemIdEmbedding } = parts;
  if (itemBias && itemIdEmbedding && itemBias.seen.some((seen, i) => seen !== itemIdEmbedding.seen[i]))
    return 'the item bias and the item-ID embedding mark different items as seen';
  if (!kernelsSupported())
    return 'this runtime lacks WebAssembly SIMD or SharedArrayBuffer (the fast CPU step needs both)';
  return undefined;
}

/**
 * The fast CPU step as a step engine of the fit loop: it copies the model's weights into a
 * {@link FastCpuTrainer} on the first step, trains there, and writes the weights back into the
 * model's TF.js variables on {@link FastCpuStepEngine.flush} (before validations and at the end).
 */
export class FastCpuStepEngine implements StepEngine {
  /** `'fast-cpu'`. */
  readonly name = 'fast-cpu';
  private trainer?: Promise<FastCpuTrainer>;
  private disposed = false;

  /** @param options - see {@link FastCpuStepEngineOptions}. */
  constructor(private readonly options: FastCpuStepEngineOptions) {
    const reason = fastCpuStepUnsupported(options.parts, options.optimizer);
    if (reason) throw new Error(`FastCpuStepEngine: cannot train this model here: ${reason}`);
  }

  /**
   * Copies the weights in, compiles the kernels and starts the worker threads (done by the
   * first step otherwise); the fit loop calls it before it times steps.
   */
  async prepare(): Promise<void> {
    await this.started();
  }

  /** One update; resolves to the batch's loss (eq. 4). */
  async step(batch: TripletBatch): Promise<number> {
    const trainer = await this.started();
    return trainer.step(batch, this.options.parts.fixedPairScores?.(batch));
  }

  /** Writes the trained weights into the model's variables. */
  async flush(): Promise<void> {
    if (!this.trainer) return;
    const weights = (await this.trainer).weights();
    const { parts } = this.options;
    const encoders =
      parts.userEncoder === parts.itemEncoder ? [parts.userEncoder] : [parts.userEncoder, parts.itemEncoder];
    encoders.forEach((encoder, e) => writeEncoderWeights(encoder, weights.encoders[e]));
    if (parts.itemBias && weights.itemBias) assign(parts.itemBias.variable, weights.itemBias);
    if (parts.itemIdEmbedding && weights.itemIdEmbedding)
      assign(parts.itemIdEmbedding.variable, weights.itemIdEmbedding);
  }

  /** Stops the worker threads (the model keeps the weights of the last flush). */
  dispose(): void {
    this.disposed = true;
    this.trainer?.then(
      (trainer) => trainer.close(),
      () => undefined,
    );
  }

  private started(): Promise<FastCpuTrainer> {
    if (this.disposed) throw new Error('FastCpuStepEngine: used after dispose()');
    if (!this.trainer) this.trainer = this.create();
    return this.trainer;
  }

  private create(): Promise<FastCpuTrainer> {
    const { parts, documents, optimizer, learningRate, maxHistory, lambdaU, lambdaV, threads } = this.options;
    const shared = parts.userEncoder === parts.itemEncoder;
    const encoders = shared ? [parts.userEncoder] : [parts.userEncoder, parts.itemEncoder];
    const weights: FastCpuWeights = { encoders: encoders.map(readEncoderWeights) };
    if (parts.itemBias)
      weights.itemBias = Float32Array.from(parts.itemBias.variable.dataSync() as Float32Array);
    if (parts.itemIdEmbedding)
      weights.itemIdEmbedding = Float32Array.from(parts.itemIdEmbedding.variable.dataSync() as Float32Array);
    const settings = parts.userEncoder.settings;
    return FastCpuTrainer.create(weights, {
      vocabularySize: settings.vocabularySize,
      embeddingDim: settings.embeddingDim,
      filters: settings.filters,
      kernelSizes: settings.kernelSizes,
      outputDim: settings.outputDim,
      itemCount: documents.rowSplits.length - 1,
      documents,
      sharedEncoder: shared,
      aggregation: parts.aggregation,
      lambdaU,
      lambdaV,
      maxHistory,
      trainableWordEmbeddings: settings.trainableEmbeddings,
      optimizer,
      learningRate,
      seenItems: parts.itemBias?.seen ?? parts.itemIdEmbedding?.seen,
      coldItemBias: parts.itemBias?.coldBias ?? 0,
      threads,
    });
  }
}

function assign(variable: tf.Variable, values: Float32Array): void {
  const tensor = tf.tensor(values, variable.shape);
  variable.assign(tensor);
  tensor.dispose();
}

/** The weight variable of a layer by its name (tfjs-layers lists fixed weights last). */
function layerWeight(layer: tfl.layers.Layer, name: string): tf.Variable {
  layer.build([]);
  const weight = layer.weights.find((candidate) => candidate.originalName === name);
  if (!weight) throw new Error(`fast CPU step: the layer '${layer.name}' has no weight '${name}'`);
  return weight.read() as tf.Variable;
}

/** What the fast CPU step trains of MARS blocks (it reads the fixed masks once). */
export function fastCpuPartsOf(blocks: MarsBlocks): FastCpuModelParts {
  const parts: FastCpuModelParts = {
    userEncoder: blocks.userEncoder,
    itemEncoder: blocks.itemEncoder,
    aggregation: blocks.attention.aggregation,
  };
  const { itemBias, itemIdEmbedding, collaborative } = blocks;
  if (itemBias)
    parts.itemBias = {
      variable: layerWeight(itemBias, 'bias'),
      seen: Float32Array.from(layerWeight(itemBias, 'seen').dataSync() as Float32Array),
      coldBias: (layerWeight(itemBias, 'cold_bias').dataSync() as Float32Array)[0],
    };
  if (itemIdEmbedding)
    parts.itemIdEmbedding = {
      variable: layerWeight(itemIdEmbedding, 'embedding'),
      seen: Float32Array.from(layerWeight(itemIdEmbedding, 'seen').dataSync() as Float32Array),
    };
  if (collaborative)
    parts.fixedPairScores = (batch) => {
      const size = batch.positives.length;
      const users = new Int32Array(size * 2);
      const items = new Int32Array(size * 2);
      for (let b = 0; b < size; b++) {
        users[2 * b] = users[2 * b + 1] = batch.users[b];
        items[2 * b] = batch.positives[b];
        items[2 * b + 1] = batch.negatives[b];
      }
      return collaborativePairScores(collaborative, users, items);
    };
  return parts;
}

function engineOptions(context: StepEngineContext, threads?: number): FastCpuStepEngineOptions {
  return {
    parts: fastCpuPartsOf(context.blocks),
    documents: context.documents,
    optimizer: context.optimizer as FastCpuOptimizer,
    learningRate: context.learningRate,
    maxHistory: context.loss.maxHistory,
    lambdaU: context.loss.lambdaU ?? DEFAULT_LAMBDA,
    lambdaV: context.loss.lambdaV ?? DEFAULT_LAMBDA,
    threads,
  };
}

/** Options of {@link fastCpuStepEngine}. */
export interface FastCpuStepEngineChoice {
  /** Threads, the calling one included. Default: the available cores. */
  threads?: number;
}

/**
 * The fast CPU step ({@link FastCpuStepEngine}) for `FitOptions.stepEngine`, on any backend
 * (its weights go back into the model's variables).
 * @throws Error (when the fit starts) naming why it cannot train the model here.
 * @example
 * ```ts
 * await model.fit(data, { stepEngine: fastCpuStepEngine({ threads: 2 }) });
 * ```
 */
export function fastCpuStepEngine(choice: FastCpuStepEngineChoice = {}): StepEngineFactory {
  return (context) => new FastCpuStepEngine(engineOptions(context, choice.threads));
}

/** Whether this is Node (worker threads; in browsers the default stays the TF.js step). */
function inNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/**
 * The default step engine of a fit: in Node, the fast CPU step on the `cpu` and `wasm` backends
 * when it can train the model ({@link fastCpuStepUnsupported}); the TF.js step
 * (`tfjsStepEngine`) otherwise (GPU backends, TF.js optimizer objects, dropout, browsers).
 */
export const defaultStepEngine: StepEngineFactory = (context) => {
  if (!onHostBackend() || !inNode()) return tfjsStepEngine(context);
  const options = engineOptions(context);
  return fastCpuStepUnsupported(options.parts, context.optimizer)
    ? tfjsStepEngine(context)
    : new FastCpuStepEngine(options);
};
