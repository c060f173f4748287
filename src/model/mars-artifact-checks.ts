import type * as tf from '@tensorflow/tfjs-core';
import type { EncodedCorpus } from '../text/encode-corpus';
import { Tokenizer } from '../text/tokenizer';
import { Vocabulary } from '../text/vocabulary';
import { resolveMarsConfig } from './config';
import type { MarsConfig } from './config';

/** The parts of a saved MARS model's metadata, checked by {@link checkMarsArtifact}. */
export interface CheckedMarsArtifact {
  /** The resolved config (within `MARS_CONFIG_BOUNDS`). */
  config: MarsConfig;
  /** The tokenizer the model was trained with. */
  tokenizer: Tokenizer;
  /** Its vocabulary. */
  vocabulary: Vocabulary;
  /** Item ids, catalogue order. */
  itemIds: string[];
}

/**
 * The number of float32 values the weights of a MARS model of this config hold, without the
 * collaborative part's user factors (their count is not in the config): per text CNN
 * `V E + sum_k (k E F) + K F + K F d + d` (embedding, convolutions, dense layer), one or two
 * CNNs, `2 items + 1` for the item bias (biases, seen-item flags, cold-item bias),
 * `items d + items` for item-ID embeddings (and their seen-item flags), `items f + items`
 * collaborative item factors and biases. Artifacts of earlier versions hold fewer (one shared
 * seen mask, an optional cold bias): loading allows for that difference, at most `items + 1`.
 * A test pins it to the weights a built model holds.
 * @param vocabularySize - ids, the two reserved ones included.
 * @param itemCount - catalogue items.
 */
export function marsWeightValues(config: MarsConfig, vocabularySize: number, itemCount: number): number {
  const { embeddingDim: e, filters: f, outputDim: d, kernelSizes } = config;
  const kernels = kernelSizes.length;
  const convolutions = kernelSizes.reduce((sum, width) => sum + width * e * f, 0);
  const encoder = vocabularySize * e + convolutions + kernels * f + kernels * f * d + d;
  let values = encoder * (config.sharedEncoder ? 1 : 2);
  if (config.itemBias) values += 2 * itemCount + 1; // biases, seen-item flags, the cold-item bias
  if (config.itemIdEmbedding) values += itemCount * d + itemCount; // embeddings, seen-item flags
  if (config.collaborativeFactors > 0) values += itemCount * (config.collaborativeFactors + 1);
  return values;
}

/**
 * Checks the metadata of a saved MARS model before anything is allocated from it: the config
 * (fields and `MARS_CONFIG_BOUNDS`), the tokenizer, the vocabulary, the item ids, the encoded
 * item texts (row splits and token ids within the vocabulary), and that the weights the config
 * describes fit in the saved weights, so building the layers allocates no more than the file
 * holds. Models saved before `collaborativeFactors` or `wordBoundaries` existed get the values
 * they were trained with (0, `'report'`).
 * @param metadata - the artifact's metadata, as parsed.
 * @param tensors - the artifact's decoded tensors (their float32 values are counted).
 * @param catalog - the saved encoded item texts.
 * @param where - the file or handler, for errors (`'DIR/model.json'`).
 * @throws Error naming `where` and what is wrong.
 */
export function checkMarsArtifact(
  metadata: unknown,
  tensors: ReadonlyMap<string, tf.Tensor>,
  catalog: EncodedCorpus,
  where: string,
): CheckedMarsArtifact {
  const fail = (problem: string): never => {
    throw new Error(`${where}: ${problem}`);
  };
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    fail(`the model metadata is ${metadata === null ? 'null' : typeof metadata}, not an object`);
  const record = metadata as Record<string, unknown>;
  const saved = record.config;
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved))
    fail(`"config" is ${JSON.stringify(saved) ?? 'missing'}, not an object of MarsConfig fields`);
  const savedConfig = saved as Partial<MarsConfig>;
  const attempt = <T>(part: string, build: () => T): T => {
    try {
      return build();
    } catch (error) {
      return fail(`${part}: ${(error as Error).message}`);
    }
  };
  const config = attempt('"config"', () =>
    resolveMarsConfig({
      ...savedConfig,
      // saved before these fields existed: the model had no collaborative part and the report's words
      collaborativeFactors: savedConfig.collaborativeFactors ?? 0,
      wordBoundaries: savedConfig.wordBoundaries ?? 'report',
    }),
  );
  const tokenizer = attempt('"tokenizer"', () => Tokenizer.fromJSON(record.tokenizer));
  const vocabulary = attempt('"vocabulary"', () => Vocabulary.fromJSON(record.vocabulary));
  const itemIds = record.itemIds;
  if (!Array.isArray(itemIds) || !itemIds.every((id) => typeof id === 'string'))
    fail('"itemIds" must be a list of strings');
  const items = (itemIds as string[]).length;
  checkCatalog(catalog, itemIds as string[], vocabulary.size, fail);
  let savedValues = 0;
  for (const tensor of tensors.values()) if (tensor.dtype === 'float32') savedValues += tensor.size;
  const needed = marsWeightValues(config, vocabulary.size, items);
  // earlier versions saved one seen mask for both ID-based layers, and a cold bias only after a warm start
  const legacySlack = (config.itemBias && config.itemIdEmbedding ? items : 0) + (config.itemBias ? 1 : 0);
  if (needed - legacySlack > savedValues) {
    const sizes = `embeddingDim ${config.embeddingDim}, filters ${config.filters}, kernelSizes [${config.kernelSizes}], outputDim ${config.outputDim}, collaborativeFactors ${config.collaborativeFactors}`;
    fail(
      `the config (${sizes}) needs ${needed.toLocaleString('en-US')} weight values for ${vocabulary.size.toLocaleString('en-US')} words and ` +
        `${items.toLocaleString('en-US')} items, but the saved weights hold ${savedValues.toLocaleString('en-US')}: ` +
        'the config does not match the weights (the file was altered or mixed with another model)',
    );
  }
  return { config, tokenizer, vocabulary, itemIds: itemIds as string[] };
}

function checkCatalog(
  catalog: EncodedCorpus,
  itemIds: readonly string[],
  vocabularySize: number,
  fail: (problem: string) => never,
): void {
  const { values, rowSplits } = catalog;
  const items = itemIds.length;
  if (rowSplits.length !== items + 1)
    fail(`the encoded item texts have ${rowSplits.length - 1} rows for ${items} item ids`);
  if (rowSplits[0] !== 0 || rowSplits[items] !== values.length)
    fail(`the encoded item texts' row splits must run from 0 to ${values.length}`);
  for (let item = 0; item < items; item++)
    if (rowSplits[item + 1] < rowSplits[item])
      fail(`the encoded item texts' row splits decrease at item ${item} ('${itemIds[item]}')`);
  for (let k = 0; k < values.length; k++)
    if (values[k] < 0 || values[k] >= vocabularySize)
      fail(
        `token id ${values[k]} at position ${k} of the encoded item texts is outside the vocabulary [0, ${vocabularySize})`,
      );
}
