import type * as tf from '@tensorflow/tfjs-core';
import type { MarsBlocks } from '../layers/mars-blocks';
import type { RaggedRows } from '../ragged/ragged-rows';
import { marsBprLoss } from './mars-bpr-loss';
import type { MarsBprLossOptions } from './mars-bpr-loss';
import { createOptimizer } from './optimizers';
import type { OptimizerChoice } from './optimizers';
import { TfjsStepEngine } from './step-engine';
import type { StepEngine } from './step-engine';

/** What a MARS step engine is built from (see {@link StepEngineFactory}). */
export interface StepEngineContext {
  /** The blocks to train. */
  blocks: MarsBlocks;
  /** The encoded text of every item. */
  documents: RaggedRows;
  /** The trainable variables (`marsTrainableVariables(blocks)`); the engine's updates end up in them. */
  variables: tf.Variable[];
  /** The optimizer asked for. */
  optimizer: OptimizerChoice;
  /** Its learning rate (for the named optimizers). */
  learningRate: number;
  /** The loss's settings (history cap, eq. 4's lambdas, token budget). */
  loss: MarsBprLossOptions;
}

/**
 * Makes the step engine of a MARS training run: {@link tfjsStepEngine} by default; a faster
 * engine (a typed-array CPU step) plugs in through `FitOptions.stepEngine`.
 */
export type StepEngineFactory = (context: StepEngineContext) => StepEngine;

/** The TF.js step of {@link marsBprLoss}: a `TfjsStepEngine` with the optimizer asked for. */
export const tfjsStepEngine: StepEngineFactory = (context) => {
  const { optimizer, owned } = createOptimizer(context.optimizer, context.learningRate);
  return new TfjsStepEngine({
    loss: (batch) => marsBprLoss(context.blocks, context.documents, batch, context.loss),
    variables: context.variables,
    optimizer,
    ownsOptimizer: owned,
  });
};
