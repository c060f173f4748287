import * as tf from '@tensorflow/tfjs-core';
import type { TextCnnEncoder } from '../../layers/text-cnn-encoder';
import type { EncoderWeights } from './parameter-layout';

/** The encoder's weight variables by role (tfjs-layers lists fixed weights last, so names decide). */
function encoderVariables(encoder: TextCnnEncoder): {
  embedding: tf.Variable;
  convolutionKernels: tf.Variable[];
  convolutionBiases: tf.Variable[];
  denseKernel: tf.Variable;
  denseBias: tf.Variable;
} {
  encoder.build();
  const byName = new Map(
    encoder.weights.map((weight) => [weight.originalName, weight.read() as tf.Variable]),
  );
  const find = (name: string): tf.Variable => {
    const variable = byName.get(name);
    if (!variable) throw new Error(`fast CPU step: the encoder '${encoder.name}' has no weight '${name}'`);
    return variable;
  };
  const widths = encoder.settings.kernelSizes;
  return {
    embedding: find('embedding'),
    convolutionKernels: widths.map((_, i) => find(`conv${i}_kernel`)),
    convolutionBiases: widths.map((_, i) => find(`conv${i}_bias`)),
    denseKernel: find('dense_kernel'),
    denseBias: find('dense_bias'),
  };
}

/** A copy of a `TextCnnEncoder`'s weights in TF.js layouts (reads the backend synchronously). */
export function readEncoderWeights(encoder: TextCnnEncoder): EncoderWeights {
  const variables = encoderVariables(encoder);
  const read = (variable: tf.Variable) => Float32Array.from(variable.dataSync() as Float32Array);
  return {
    embedding: read(variables.embedding),
    convolutionKernels: variables.convolutionKernels.map(read),
    convolutionBiases: variables.convolutionBiases.map(read),
    denseKernel: read(variables.denseKernel),
    denseBias: read(variables.denseBias),
  };
}

/** Assigns weights (TF.js layouts) to a `TextCnnEncoder`'s variables; fixed word embeddings are left alone. */
export function writeEncoderWeights(encoder: TextCnnEncoder, weights: EncoderWeights): void {
  const variables = encoderVariables(encoder);
  const assign = (variable: tf.Variable, values: Float32Array) => {
    const tensor = tf.tensor(values, variable.shape);
    variable.assign(tensor);
    tensor.dispose();
  };
  if (encoder.settings.trainableEmbeddings) assign(variables.embedding, weights.embedding);
  variables.convolutionKernels.forEach((variable, i) => assign(variable, weights.convolutionKernels[i]));
  variables.convolutionBiases.forEach((variable, i) => assign(variable, weights.convolutionBiases[i]));
  assign(variables.denseKernel, weights.denseKernel);
  assign(variables.denseBias, weights.denseBias);
}
