import * as tf from '@tensorflow/tfjs-core';

/**
 * An exponential moving average of training weights (Polyak averaging), as TensorFlow's
 * `ExponentialMovingAverage` with `num_updates`: after update t the average moves towards the
 * weights by 1 - min(decay, (1 + t) / (10 + t)), so early averages follow the weights closely and
 * the window widens as training goes on, up to about 1 / (1 - decay) steps.
 *
 * The fit loop validates, keeps and restores the averaged weights rather than the last step's:
 * Adam's last steps leave the weights jittering around a good point, and their average ranks
 * better and more steadily than any one of them (docs/quality.md).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { WeightAverage, selectBackend } from 'mars-rec';
 *
 * await selectBackend('auto');
 * const weights = tf.variable(tf.zeros([4]));
 * const average = new WeightAverage([weights], 0.95);
 * for (let step = 1; step <= 100; step++) {
 *   weights.assign(tf.fill([4], step)); // stands in for an optimizer step
 *   average.update();
 * }
 * const averaged = await average.withAveragedWeights(async () => weights.data()); // about 90: recent steps weigh most
 * console.log(averaged[0], (await weights.data())[0]); // the trained weights (100) are back
 * average.dispose();
 * ```
 */
export class WeightAverage {
  /** The decay's upper bound, in (0, 1). */
  readonly decay: number;
  private readonly variables: readonly tf.Variable[];
  private readonly averages: tf.Variable[];
  private updates = 0;

  /**
   * @param variables - the weights to average; the average starts at their current values.
   * @param decay - the largest decay, in (0, 1).
   * @throws RangeError when `decay` is outside (0, 1).
   */
  constructor(variables: readonly tf.Variable[], decay: number) {
    if (!(decay > 0 && decay < 1))
      throw new RangeError(`WeightAverage: decay must be in (0, 1), got ${String(decay)}`);
    this.decay = decay;
    this.variables = variables;
    this.averages = variables.map((variable) => tf.variable(variable, false));
  }

  /** Moves the average towards the current weights (call after each training step). */
  update(): void {
    this.updates++;
    const decay = Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
    tf.tidy(() =>
      this.averages.forEach((average, index) =>
        average.assign(tf.add(tf.mul(average, decay), tf.mul(this.variables[index], 1 - decay))),
      ),
    );
  }

  /**
   * Runs `body` with the averaged weights in the variables, then puts the trained weights back
   * (also when `body` throws).
   * @param onSwap - called after each change of the variables (drop what was computed from them).
   */
  async withAveragedWeights<T>(body: () => Promise<T>, onSwap?: () => void): Promise<T> {
    const trained = this.variables.map((variable) => tf.clone(variable));
    this.assignTo();
    onSwap?.();
    try {
      return await body();
    } finally {
      this.variables.forEach((variable, index) => variable.assign(trained[index]));
      tf.dispose(trained);
      onSwap?.();
    }
  }

  /** Writes the averaged weights into the variables. */
  assignTo(): void {
    this.variables.forEach((variable, index) => variable.assign(this.averages[index]));
  }

  /** Copies of the averaged weights, in the order of the variables; the caller owns them. */
  snapshot(): tf.Tensor[] {
    return this.averages.map((average) => tf.clone(average));
  }

  /** Frees the averages. */
  dispose(): void {
    tf.dispose(this.averages);
  }
}
