import type * as tf from '@tensorflow/tfjs-core';
import type { TripletBatch } from '../sampling/bpr-triplet-sampler';

/**
 * What the training loop ({@link runFitLoop}) steps: the engine that turns one sampled batch into
 * one update of the weights. The loop owns the schedule (budget, validation, early stopping,
 * best weights, progress); an engine owns only the arithmetic, so a faster one (a typed-array CPU
 * step, a GPU step) replaces the TF.js step without touching the loop.
 *
 * The contract:
 * - `step(batch)` applies one update from the batch and returns (or resolves to) the batch's
 *   loss, the mean BPR loss of eq. 4; the loop stops with an error when it is not finite.
 * - `flush()` makes the model's TF.js variables hold the engine's current weights. The loop calls
 *   it before every validation, before it copies the best weights, and at the end. An engine that
 *   trains the variables in place (the TF.js step) has nothing to do.
 * - `dispose()` frees the engine's own state (optimizer moments, buffers), never the model's
 *   weights. The loop's caller calls it once training has ended, also after an error.
 */
export interface StepEngine {
  /** A short name for logs and benchmarks (`'tfjs'`, ...). */
  readonly name: string;
  /**
   * Optional setup the loop awaits before it times the first step (compiling kernels, starting
   * threads): setup, not step time.
   */
  prepare?(): Promise<void>;
  /** One update from one batch; returns the batch's loss. */
  step(batch: TripletBatch): number | Promise<number>;
  /** Writes the engine's weights into the model's variables (nothing to do for an in-place engine). */
  flush(): void | Promise<void>;
  /** Frees the engine's own state. */
  dispose(): void;
}

/** Options of a {@link TfjsStepEngine}. */
export interface TfjsStepEngineOptions {
  /** The loss of one batch (e.g. `marsBprLoss` of the model's blocks); a scalar computed inside `minimize`. */
  loss: (batch: TripletBatch) => tf.Scalar;
  /** The variables the optimizer updates. */
  variables: tf.Variable[];
  /** The optimizer (see `createOptimizer`). */
  optimizer: tf.Optimizer;
  /** Dispose the optimizer with the engine. Default false (the caller keeps it). */
  ownsOptimizer?: boolean;
}

/**
 * The TF.js step: `optimizer.minimize(loss)` over the given variables, on whichever backend is
 * active (cpu, wasm, webgl, webgpu, tfjs-node). It trains the variables in place.
 *
 * @example
 * ```ts
 * const engine = new TfjsStepEngine({
 *   loss: (batch) => marsBprLoss(blocks, documents, batch, { maxHistory: 50 }),
 *   variables: marsTrainableVariables(blocks),
 *   optimizer: tf.train.adam(2.5e-4),
 * });
 * const loss = await engine.step(sampler.nextBatch());
 * ```
 */
export class TfjsStepEngine implements StepEngine {
  /** `'tfjs'`. */
  readonly name = 'tfjs';
  private readonly options: TfjsStepEngineOptions;

  /** @param options - see {@link TfjsStepEngineOptions}. */
  constructor(options: TfjsStepEngineOptions) {
    this.options = options;
  }

  /** One `optimizer.minimize` step; resolves to the batch's loss (data(), not dataSync(): webgpu in Node). */
  async step(batch: TripletBatch): Promise<number> {
    const { optimizer, loss, variables } = this.options;
    const lossTensor = optimizer.minimize(() => loss(batch), true, variables);
    if (!lossTensor) return NaN;
    const value = (await lossTensor.data())[0];
    lossTensor.dispose();
    return value;
  }

  /** Nothing: the variables are trained in place. */
  flush(): void {}

  /** Disposes the optimizer when the engine owns it. */
  dispose(): void {
    if (this.options.ownsOptimizer) this.options.optimizer.dispose();
  }
}
