/**
 * Training diverged: the loss of a step was NaN or infinite. `fit` stops at that step (it does
 * not train on and save a NaN model); the weights are those of the best validation so far, when
 * there was one, else the diverged ones.
 */
export class NonFiniteLossError extends Error {
  /** The step (1-based) whose loss was not finite. */
  readonly step: number;
  /** The loss: NaN, Infinity or -Infinity. */
  readonly loss: number;

  /**
   * @param step - the step whose loss was not finite.
   * @param loss - that loss.
   * @param learningRate - the run's learning rate, when known, for the message.
   * @param restoredStep - the step whose weights were restored, if any.
   */
  constructor(step: number, loss: number, learningRate?: number, restoredStep?: number) {
    const rate = learningRate === undefined ? '' : ` (learning rate ${learningRate})`;
    const lower =
      learningRate === undefined
        ? 'a lower learning rate'
        : `a lower learning rate, e.g. ${learningRate / 10}`;
    super(
      `fit: the training loss became ${String(loss)} at step ${step}${rate}: training diverged. ` +
        `The likely cause is a learning rate too large for the data; try ${lower}. ` +
        (restoredStep === undefined
          ? 'The model now holds non-finite weights: train it again from the start.'
          : `The weights of the best validation (step ${restoredStep}) were restored.`),
    );
    this.name = 'NonFiniteLossError';
    this.step = step;
    this.loss = loss;
  }
}
