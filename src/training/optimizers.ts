import * as tf from '@tensorflow/tfjs-core';
import { LazyAdamOptimizer } from './lazy-adam';

/**
 * The optimizer of a training run: `'adam'` (the report's choice), `'lazy-adam'`
 * ({@link LazyAdamOptimizer}: rows of the embedding tables absent from a batch do not move),
 * `'sgd'` (plain SGD: rows a batch does not touch do not move, as in BPR-MF), or any TF.js
 * optimizer (then the learning rate is its own and its owner disposes it).
 */
export type OptimizerChoice = 'adam' | 'lazy-adam' | 'sgd' | tf.Optimizer;

/** An optimizer, and whether its creator (not the caller who passed it) must dispose it. */
export interface CreatedOptimizer {
  /** The optimizer. */
  optimizer: tf.Optimizer;
  /** True when {@link createOptimizer} made it (the training run disposes it at the end). */
  owned: boolean;
}

/**
 * The optimizer for a choice.
 * @param choice - see {@link OptimizerChoice}.
 * @param learningRate - step size, for the named choices.
 * @param caller - who asks, for the error message.
 * @throws RangeError naming the choice when it is not one of the names or an optimizer.
 */
export function createOptimizer(
  choice: OptimizerChoice,
  learningRate: number,
  caller = 'fit',
): CreatedOptimizer {
  if (typeof choice === 'object' && choice !== null && typeof choice.minimize === 'function')
    return { optimizer: choice, owned: false };
  if (choice === 'adam') return { optimizer: tf.train.adam(learningRate), owned: true };
  else if (choice === 'lazy-adam') return { optimizer: new LazyAdamOptimizer(learningRate), owned: true };
  else if (choice === 'sgd') return { optimizer: tf.train.sgd(learningRate), owned: true };
  throw new RangeError(
    `${caller}: optimizer must be 'adam', 'lazy-adam', 'sgd' or a tf.Optimizer, got '${String(choice)}'`,
  );
}
