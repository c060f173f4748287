import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ItemBias } from '../layers/item-bias';
import { ItemIdEmbedding } from '../layers/item-id-embedding';
import type { MarsBlocks } from '../layers/mars-blocks';
import { MemoryAttention } from '../layers/memory-attention';
import { TextCnnEncoder } from '../layers/text-cnn-encoder';
import type { MarsConfig } from './config';

/** What the layers of {@link buildMarsBlocks} are sized by, besides the config. */
export interface MarsNetworkSizes {
  /** Rows of the word embedding tables (the vocabulary's size). */
  vocabularySize: number;
  /** Catalogue size, in items. */
  itemCount: number;
  /** Seed of the initialisers (the item encoder uses seed + 1). */
  seed: number;
  /** `[vocabularySize * embeddingDim]` pretrained word vectors for both encoders. Optional. */
  pretrainedEmbeddings?: Float32Array;
}

/**
 * The layers of a MARS model for a config: two text CNNs (one when `sharedEncoder`), the memory
 * attention, and the item bias and ID embedding when configured. The collaborative part is
 * fitted separately (`fitCollaborativePart`).
 */
export function buildMarsBlocks(config: MarsConfig, sizes: MarsNetworkSizes): MarsBlocks {
  const encoderConfig = {
    vocabularySize: sizes.vocabularySize,
    embeddingDim: config.embeddingDim,
    filters: config.filters,
    kernelSizes: config.kernelSizes,
    outputDim: config.outputDim,
    dropout: config.dropout,
    pretrainedEmbeddings: sizes.pretrainedEmbeddings,
    trainableEmbeddings: config.trainableWordEmbeddings,
  };
  const userEncoder = new TextCnnEncoder({ ...encoderConfig, seed: sizes.seed, name: 'user_encoder' });
  const itemEncoder = config.sharedEncoder
    ? userEncoder
    : new TextCnnEncoder({ ...encoderConfig, seed: sizes.seed + 1, name: 'item_encoder' });
  const { itemCount } = sizes;
  return {
    userEncoder,
    itemEncoder,
    attention: new MemoryAttention({ name: 'memory_attention', aggregation: config.aggregation }),
    // ID-based parts apply to items seen in training; cold items are scored from text alone
    itemBias: config.itemBias ? new ItemBias({ itemCount, name: 'item_bias' }) : undefined,
    itemIdEmbedding: config.itemIdEmbedding
      ? new ItemIdEmbedding({ itemCount, outputDim: config.outputDim, name: 'item_id_embedding' })
      : undefined,
  };
}

/** One weight of a MARS model with the name it is saved under. */
export interface NamedWeight {
  /** Saved name: the layer's role and the weight's own name (`user_encoder/embedding`, `item_bias/bias`). */
  name: string;
  /**
   * The name artifacts of earlier versions used (weights by position: `user_encoder/0`,
   * `item_bias`, `seen_items`), read when `name` is absent.
   */
  legacyName: string;
  /** Whether an artifact of earlier versions may lack it (then it keeps its initial value). */
  optionalInLegacy: boolean;
  /** The variable. */
  variable: tf.Variable;
  /** Whether training updates it. */
  trainable: boolean;
}

/** Saved names of earlier versions, by layer role and weight name (encoders: by position). */
const LEGACY_NAMES: Record<string, Record<string, string>> = {
  item_bias: { bias: 'item_bias', seen: 'seen_items', cold_bias: 'cold_item_bias' },
  item_id_embedding: { embedding: 'item_id_embedding', seen: 'seen_items' },
};

/**
 * Every weight of the blocks' layers, trainable or not, with its saved name. The encoders are
 * `encoder` (shared) or `user_encoder` and `item_encoder`; the attention has no weights.
 */
export function namedMarsWeights(blocks: MarsBlocks): NamedWeight[] {
  const layers: [string, tfl.layers.Layer | undefined][] =
    blocks.userEncoder === blocks.itemEncoder
      ? [['encoder', blocks.userEncoder]]
      : [
          ['user_encoder', blocks.userEncoder],
          ['item_encoder', blocks.itemEncoder],
        ];
  layers.push(['item_bias', blocks.itemBias], ['item_id_embedding', blocks.itemIdEmbedding]);
  const named: NamedWeight[] = [];
  for (const [role, layer] of layers) {
    if (!layer) continue;
    layer.build([]); // weights are created on first use
    layer.weights.forEach((weight, index) => {
      const legacy = LEGACY_NAMES[role]?.[weight.originalName];
      named.push({
        name: `${role}/${weight.originalName}`,
        legacyName: legacy ?? `${role}/${index}`,
        optionalInLegacy: legacy === 'cold_item_bias',
        variable: weight.read() as tf.Variable,
        trainable: weight.trainable,
      });
    });
  }
  return named;
}
