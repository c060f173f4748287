import * as tf from '@tensorflow/tfjs-core';

interface Moments {
  first: tf.Variable;
  second: tf.Variable;
}

/**
 * Adam with "lazy" updates for embedding tables (as TensorFlow's LazyAdam): rows (first axis) of
 * a variable whose gradient is exactly zero in a step (words, items or users absent from the
 * batch) keep their parameters and moments unchanged, instead of moving on stale moments as in
 * dense Adam. Dense weights (every row has a gradient) update exactly as with Adam. Bias
 * correction uses the global step count.
 */
export class LazyAdamOptimizer extends tf.Optimizer {
  /** Class name for serialization. */
  static get className(): string {
    return 'MarsLazyAdam';
  }
  private readonly moments = new Map<string, Moments>();
  private step = 0;

  /**
   * @param learningRate - step size.
   * @param beta1 - decay of the first moment. Default 0.9.
   * @param beta2 - decay of the second moment. Default 0.999.
   * @param epsilon - added to the denominator. Default 1e-7.
   */
  constructor(
    readonly learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
  ) {
    super();
    if (!(learningRate >= 0) || !Number.isFinite(learningRate))
      throw new RangeError(
        `LazyAdamOptimizer: learningRate must be a finite number >= 0, got ${learningRate}`,
      );
  }

  /** Applies one step; see the class description. */
  override applyGradients(
    variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[],
  ): void {
    const entries: [string, tf.Tensor | undefined][] = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => [name, tensor])
      : Object.entries(variableGradients);
    this.step++;
    const correction1 = 1 - this.beta1 ** this.step;
    const correction2 = 1 - this.beta2 ** this.step;
    for (const [name, gradient] of entries) {
      if (!gradient) continue;
      const variable = tf.engine().registeredVariables[name];
      if (!variable) throw new Error(`LazyAdamOptimizer: no variable named '${name}'`);
      let moments = this.moments.get(name);
      if (!moments) {
        moments = tf.tidy(() => ({
          first: tf.zerosLike(variable).variable(false),
          second: tf.zerosLike(variable).variable(false),
        }));
        this.moments.set(name, moments);
      }
      const { first, second } = moments;
      tf.tidy(() => {
        // 1 for rows with any non-zero gradient, broadcast over the other axes
        const touched =
          gradient.rank >= 2
            ? tf.cast(
                tf.reshape(tf.any(tf.notEqual(tf.reshape(gradient, [gradient.shape[0], -1]), 0), 1), [
                  gradient.shape[0],
                  ...gradient.shape.slice(1).map(() => 1),
                ]),
                'float32',
              )
            : tf.cast(tf.notEqual(gradient, 0), 'float32');
        const keep = tf.sub(1, touched);
        const newFirst = tf.add(
          tf.mul(keep, first),
          tf.mul(touched, tf.add(tf.mul(this.beta1, first), tf.mul(1 - this.beta1, gradient))),
        );
        const newSecond = tf.add(
          tf.mul(keep, second),
          tf.mul(touched, tf.add(tf.mul(this.beta2, second), tf.mul(1 - this.beta2, tf.square(gradient)))),
        );
        const update = tf.div(
          tf.div(newFirst, correction1),
          tf.add(tf.sqrt(tf.div(newSecond, correction2)), this.epsilon),
        );
        first.assign(newFirst);
        second.assign(newSecond);
        variable.assign(tf.sub(variable, tf.mul(touched, tf.mul(this.learningRate, update))));
      });
    }
    this.incrementIterations();
  }

  /** Frees the moment variables. */
  override dispose(): void {
    super.dispose();
    for (const { first, second } of this.moments.values()) tf.dispose([first, second]);
    this.moments.clear();
  }

  /** Serializable configuration. */
  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  /** tfjs deserialization. */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config.learningRate, config.beta1, config.beta2, config.epsilon);
  }
}
