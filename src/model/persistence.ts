import * as tf from '@tensorflow/tfjs-core';
import { BprMatrixFactorization } from '../collaborative/bpr-mf';
import { disposeMarsBlocks } from '../layers/mars-blocks';
import type { MarsBlocks } from '../layers/mars-blocks';
import type { Tokenizer } from '../text/tokenizer';
import type { Vocabulary } from '../text/vocabulary';
import { loadArtifact, saveArtifact } from './artifact';
import type { ArtifactLocation } from './artifact';
import { ItemCatalog } from './catalog';
import type { MarsConfig } from './config';
import { checkMarsArtifact } from './mars-artifact-checks';
import { buildMarsBlocks, namedMarsWeights } from './mars-network';

/** Everything a saved MARS model holds. */
export interface MarsModelParts {
  /** The architecture. */
  config: MarsConfig;
  /** The fitted tokenizer. */
  tokenizer: Tokenizer;
  /** The fitted vocabulary. */
  vocabulary: Vocabulary;
  /** Item ids and encoded texts. */
  catalog: ItemCatalog;
  /** The layers and the collaborative part. */
  blocks: MarsBlocks;
}

interface MarsArtifactMetadata {
  config: MarsConfig;
  tokenizer: ReturnType<Tokenizer['toJSON']>;
  vocabulary: ReturnType<Vocabulary['toJSON']>;
  itemIds: string[];
  weightNames: string[];
}

const COLLABORATIVE = ['user_factors', 'item_factors', 'item_biases'] as const;

/**
 * Saves a MARS model as one artifact: config, tokenizer, vocabulary, item ids and encoded texts,
 * and every weight under its name (`user_encoder/embedding`, `item_bias/bias`,
 * `collaborative/item_factors`, ...).
 */
export async function saveMarsModel(location: ArtifactLocation, parts: MarsModelParts): Promise<void> {
  const named = namedMarsWeights(parts.blocks);
  const tensors = new Map<string, tf.Tensor>(named.map(({ name, variable }) => [name, variable]));
  // the tensors made here (not the model's own weights) are freed after saving
  const owned = new Map<string, tf.Tensor>([
    ['catalog/values', tf.tensor1d(parts.catalog.tokens.values, 'int32')],
    ['catalog/rowSplits', tf.tensor1d(parts.catalog.tokens.rowSplits, 'int32')],
  ]);
  const part = parts.blocks.collaborative;
  if (part) {
    owned.set('collaborative/user_factors', tf.tensor2d(part.userFactors, [part.userCount, part.factors]));
    owned.set('collaborative/item_factors', tf.tensor2d(part.itemFactors, [part.itemCount, part.factors]));
    owned.set('collaborative/item_biases', tf.tensor1d(part.itemBiases));
  }
  try {
    await saveArtifact<MarsArtifactMetadata>(location, {
      metadata: {
        config: parts.config,
        tokenizer: parts.tokenizer.toJSON(),
        vocabulary: parts.vocabulary.toJSON(),
        itemIds: [...parts.catalog.ids],
        weightNames: named.map(({ name }) => name),
      },
      tensors: new Map([...tensors, ...owned]),
    });
  } finally {
    tf.dispose([...owned.values()]);
  }
}

/**
 * Loads what {@link saveMarsModel} saved, and artifacts of earlier versions too: weights saved by
 * position are read under their old names, a config without `collaborativeFactors` (saved
 * before the collaborative part existed) is a text-only model, and one without
 * `wordBoundaries` keeps the report's words. Everything is checked before a layer is built
 * (`checkMarsArtifact`), so a hostile file allocates no more than its own size.
 * @throws Error naming the file and what is wrong: a config beyond the bounds or not matching
 *   the weights, a missing weight, a weight whose shape differs from the config's.
 */
export async function loadMarsModel(location: ArtifactLocation): Promise<MarsModelParts> {
  const { metadata, tensors } = await loadArtifact<MarsArtifactMetadata>(location);
  const where = typeof location === 'string' ? `${location}/model.json` : 'the loaded model';
  let blocks: MarsBlocks | undefined;
  try {
    const values = tensors.get('catalog/values');
    const rowSplits = tensors.get('catalog/rowSplits');
    if (!values || !rowSplits)
      throw new Error('the saved model holds no item catalogue (catalog/values, catalog/rowSplits).');
    const tokens = {
      values: new Int32Array(await values.data()),
      rowSplits: new Int32Array(await rowSplits.data()),
    };
    // everything checked (config bounds, sizes against the weights) before a layer is built
    const { config, tokenizer, vocabulary, itemIds } = checkMarsArtifact(metadata, tensors, tokens, where);
    const catalog = new ItemCatalog(itemIds, tokens);
    blocks = buildMarsBlocks(config, { vocabularySize: vocabulary.size, itemCount: catalog.size, seed: 1 });
    for (const weight of namedMarsWeights(blocks)) {
      const saved = tensors.get(weight.name) ?? tensors.get(weight.legacyName);
      if (!saved) {
        if (weight.optionalInLegacy && !tensors.has(weight.name)) continue;
        throw new Error(`the saved model lacks weight '${weight.name}'.`);
      }
      const { variable } = weight;
      if (
        saved.size !== variable.size ||
        (saved.rank === variable.rank && saved.shape.join() !== variable.shape.join())
      )
        throw new Error(
          `weight '${weight.name}' has shape [${saved.shape}] in the file but [${variable.shape}] in the model.`,
        );
      // earlier versions kept one [items, 1] seen mask for both ID-based layers
      tf.tidy(() =>
        variable.assign(saved.rank === variable.rank ? saved : tf.reshape(saved, variable.shape)),
      );
    }
    if (config.collaborativeFactors > 0)
      blocks.collaborative = await loadCollaborative(tensors, config, catalog);
    return { config, tokenizer, vocabulary, catalog, blocks };
  } catch (error) {
    if (blocks) disposeMarsBlocks(blocks);
    // every problem is named with the file it is in
    const message = (error as Error).message;
    throw message.startsWith(where) ? error : new Error(`${where}: ${message}`, { cause: error });
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

async function loadCollaborative(
  tensors: Map<string, tf.Tensor>,
  config: MarsConfig,
  catalog: ItemCatalog,
): Promise<BprMatrixFactorization> {
  const [userFactors, itemFactors, itemBiases] = await Promise.all(
    COLLABORATIVE.map((name) => {
      const tensor = tensors.get(`collaborative/${name}`);
      if (!tensor) throw new Error(`the saved model lacks weight 'collaborative/${name}'.`);
      return tensor.data();
    }),
  );
  const part = BprMatrixFactorization.fromFactors({
    factors: config.collaborativeFactors,
    userFactors: new Float32Array(userFactors),
    itemFactors: new Float32Array(itemFactors),
    itemBiases: new Float32Array(itemBiases),
  });
  if (part.itemCount !== catalog.size)
    throw new Error(
      `the saved collaborative part has ${part.itemCount} items but the catalogue ${catalog.size}.`,
    );
  return part;
}
