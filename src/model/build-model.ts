import type { BprMatrixFactorization } from '../collaborative/bpr-mf';
import { fitCollaborativePart } from '../collaborative/collaborative-part';
import { fitBprItemBiases } from '../collaborative/item-biases';
import { loadWordVectors } from '../layers/word-vectors';
import type { StopwordLanguage } from '../text/stopwords';
import { Tokenizer } from '../text/tokenizer';
import { Vocabulary } from '../text/vocabulary';
import { DEFAULT_SEED } from '../training/defaults';
import { ItemCatalog } from './catalog';
import type { MarsConfig } from './config';
import type { FitOptions, MarsTrainingData } from './fit-options';
import { buildMarsBlocks } from './mars-network';
import type { MarsModelParts } from './persistence';

/** A new model's parts and, with word vectors, how many vocabulary words they covered. */
export interface BuiltMarsModel {
  /** Tokenizer, vocabulary, catalogue and blocks. */
  parts: Omit<MarsModelParts, 'config'>;
  /** With `options.wordVectors`: vocabulary words found in them. */
  wordVectorsFound?: number;
}

/**
 * What a new model's first `fit` builds before training: the text pipeline fitted on the item
 * texts (tokenizer, vocabulary, catalogue), the blocks (`buildMarsBlocks`, word embeddings from
 * `options.wordVectors` when given), the collaborative part fitted on `train` (the item encoder's
 * output then starts at zero, so training starts from the collaborative ranking), and the
 * item-bias warm start.
 * @throws RangeError when the word vectors' size differs from `embeddingDim`.
 */
export async function buildMarsModel(
  config: MarsConfig,
  data: MarsTrainingData,
  options: FitOptions,
): Promise<BuiltMarsModel> {
  const seed = options.seed ?? DEFAULT_SEED;
  const tokenizer = new Tokenizer({
    html: config.stripHtml,
    stopwords: config.stopwords as StopwordLanguage[],
  });
  const vocabulary = Vocabulary.fit(
    data.itemTexts.map((text, index) => ({ id: data.itemIds[index], text })),
    { tokenizer, minCount: config.minWordCount, maxSize: config.maxVocabularySize },
  );
  const catalog = ItemCatalog.fromTexts(
    data.itemIds,
    data.itemTexts,
    tokenizer,
    vocabulary,
    config.maxDocumentLength,
  );
  const pretrained = options.wordVectors && (await loadWordVectors(options.wordVectors, vocabulary));
  if (pretrained && pretrained.dim !== config.embeddingDim)
    throw new RangeError(
      `MarsModel.fit: the word vectors have ${pretrained.dim} dimensions but embeddingDim is ${config.embeddingDim}; set embeddingDim to ${pretrained.dim}`,
    );
  const blocks = buildMarsBlocks(config, {
    vocabularySize: vocabulary.size,
    itemCount: catalog.size,
    seed,
    pretrainedEmbeddings: pretrained ? pretrained.vectors : undefined,
  });
  if (config.collaborativeFactors > 0) {
    blocks.collaborative = fitCollaborativePart(data.train, config.collaborativeFactors, {
      seed,
      ...options.collaborative,
    });
    // the text term starts at exactly 0 (zero item vectors): training starts from the collaborative ranking
    if (!config.sharedEncoder) blocks.itemEncoder.zeroOutputLayer();
  }
  if (blocks.itemBias && !blocks.collaborative && (options.itemBiasWarmStart ?? true))
    blocks.itemBias.warmStart(fitBprItemBiases(data.train, { seed })); // items never liked rank last
  return {
    parts: { tokenizer, vocabulary, catalog, blocks },
    ...(pretrained ? { wordVectorsFound: pretrained.found } : {}),
  };
}

/**
 * Checks user indices given with histories for a collaborative part.
 * @param operation - the caller, for the message.
 * @param count - the number of histories.
 * @returns the users, or undefined when none were given.
 * @throws RangeError naming the history whose user is not a training user (or -1), or when the
 *   model has no collaborative part.
 */
export function checkUsers(
  operation: string,
  users: readonly number[] | undefined,
  count: number,
  part: BprMatrixFactorization | undefined,
): Int32Array | undefined {
  if (users === undefined) return undefined;
  if (users.length !== count)
    throw new RangeError(`${operation}: ${users.length} users for ${count} histories`);
  const known = part?.userCount ?? 0;
  users.forEach((user, row) => {
    if (!Number.isInteger(user) || user < -1 || user >= known)
      throw new RangeError(
        part
          ? `${operation}: user ${user} (history ${row}) is not a training user index in [0, ${known}) or -1`
          : `${operation}: user ${user} (history ${row}) given, but the model has no collaborative part (collaborativeFactors 0)`,
      );
  });
  return Int32Array.from(users);
}
