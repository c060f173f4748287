import type { BprMatrixFactorization } from '../collaborative/bpr-mf';
import { asCollaborativePart, fitCollaborativePart } from '../collaborative/collaborative-part';
import { fitBprItemBiases } from '../collaborative/item-biases';
import { loadWordVectors } from '../layers/word-vectors';
import type { StopwordLanguage } from '../text/stopwords';
import { Tokenizer } from '../text/tokenizer';
import { Vocabulary } from '../text/vocabulary';
import { DEFAULT_SEED } from '../training/defaults';
import { tuneBprMf } from '../training/tune-bpr-mf';
import type { BprMfTuning } from '../training/tune-bpr-mf';
import { ItemCatalog } from './catalog';
import { checkVocabulary } from './training-data-checks';
import type { MarsConfig } from './config';
import type { FitOptions, FitResult, MarsTrainingData } from './fit-options';
import type { FitOutcome } from '../training/fit-events';
import { buildMarsBlocks } from './mars-network';
import type { MarsModelParts } from './persistence';

/** A new model's parts and, with word vectors, how many vocabulary words they covered. */
export interface BuiltMarsModel {
  /** Tokenizer, vocabulary, catalogue and blocks. */
  parts: Omit<MarsModelParts, 'config'>;
  /** With `options.wordVectors`: vocabulary words found in them. */
  wordVectorsFound?: number;
  /** How the collaborative part's L2 and epochs were chosen on validation, when they were. */
  collaborativeTuning?: BprMfTuning;
}

/**
 * What a new model's first `fit` builds before training: the text pipeline fitted on the item
 * texts (tokenizer, vocabulary, catalogue), the blocks (`buildMarsBlocks`, word embeddings from
 * `options.wordVectors` when given), the collaborative part fitted on `train` (its L2 and epochs
 * chosen on `validation` by `tuneBprMf` when there is one and `options.collaborative` does not
 * fix both; the item encoder's output then starts at zero, so training starts from the
 * collaborative ranking), and the item-bias warm start.
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
    wordBoundaries: config.wordBoundaries,
  });
  const { vocabulary, catalog } = data.itemTokens
    ? fromTokens(config, data, tokenizer)
    : fromTexts(config, data, tokenizer);
  checkVocabulary(vocabulary, config, data.itemIds.length);
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
  let collaborativeTuning: BprMfTuning | undefined;
  if (config.collaborativeFactors > 0) {
    const settings = { seed, ...options.collaborative, factors: config.collaborativeFactors };
    const fixed = settings.l2 !== undefined && settings.epochs !== undefined;
    if (data.validation && !fixed) {
      collaborativeTuning = await tuneBprMf(data.train, data.validation, settings);
      blocks.collaborative = asCollaborativePart(collaborativeTuning.model, data.train);
    } else blocks.collaborative = fitCollaborativePart(data.train, config.collaborativeFactors, settings);
    // the text term starts at exactly 0 (zero item vectors): training starts from the collaborative ranking
    if (!config.sharedEncoder) blocks.itemEncoder.zeroOutputLayer();
  }
  if (blocks.itemBias && !blocks.collaborative && (options.itemBiasWarmStart ?? true))
    blocks.itemBias.warmStart(fitBprItemBiases(data.train, { seed })); // items never liked rank last
  return {
    parts: { tokenizer, vocabulary, catalog, blocks },
    ...(pretrained ? { wordVectorsFound: pretrained.found } : {}),
    ...(collaborativeTuning ? { collaborativeTuning } : {}),
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

/**
 * {@link checkUsers} for one history: the training user it belongs to, -1 when none is given.
 * @throws RangeError as {@link checkUsers} does.
 */
export function checkUser(
  operation: string,
  user: number | undefined,
  part: BprMatrixFactorization | undefined,
): number {
  return (checkUsers(operation, user === undefined ? undefined : [user], 1, part) ?? [-1])[0];
}

/**
 * A fit's result: the loop's outcome, with what the first fit chose (word vectors found, the
 * collaborative part's tuning) and the held-out validation slice, in numbers and in the summary.
 */
export function withFirstFit(
  outcome: FitOutcome,
  built: BuiltMarsModel | undefined,
  heldOut: number,
): FitResult {
  const result: FitResult = { ...outcome };
  const preamble: string[] = [];
  if (heldOut > 0) {
    result.heldOutPositives = heldOut;
    preamble.push(`validated on ${heldOut} training positives held out for it (no validation split)`);
  }
  if (built?.wordVectorsFound !== undefined) result.wordVectorsFound = built.wordVectorsFound;
  const tuning = built?.collaborativeTuning;
  if (tuning) {
    result.collaborative = {
      l2: tuning.l2,
      epochs: tuning.epochs,
      metric: tuning.metric,
      value: tuning.value,
    };
    preamble.push(`collaborative part: ${tuning.summary}`);
  }
  result.summary = [...preamble, outcome.summary].join('; ');
  return result;
}

/** Vocabulary and catalogue from the item texts: tokenised here. */
function fromTexts(
  config: MarsConfig,
  data: MarsTrainingData,
  tokenizer: Tokenizer,
): { vocabulary: Vocabulary; catalog: ItemCatalog } {
  const texts = data.itemTexts ?? [];
  const vocabulary = Vocabulary.fit(
    texts.map((text, index) => ({ id: data.itemIds[index], text })),
    { tokenizer, minCount: config.minWordCount, maxSize: config.maxVocabularySize },
  );
  const catalog = ItemCatalog.fromTexts(data.itemIds, texts, tokenizer, vocabulary, config.maxDocumentLength);
  return { vocabulary, catalog };
}

/**
 * Vocabulary and catalogue from items the data layer tokenised once (`TokenStore`): the
 * vocabulary from its counts, the rows by table lookup.
 * @throws RangeError when the store's tokenizer has other settings than the model's.
 */
function fromTokens(
  config: MarsConfig,
  data: MarsTrainingData,
  tokenizer: Tokenizer,
): { vocabulary: Vocabulary; catalog: ItemCatalog } {
  const store = data.itemTokens as NonNullable<MarsTrainingData['itemTokens']>;
  if (JSON.stringify(store.tokenizer) !== JSON.stringify(tokenizer.toJSON())) {
    throw new RangeError(
      "MarsModel.fit: itemTokens were made by a tokenizer with other settings than the model's (stripHtml, stopwords); tokenise with the model's settings",
    );
  }
  const vocabulary = Vocabulary.fromCounts(store.tokenCounts(), {
    minCount: config.minWordCount,
    maxSize: config.maxVocabularySize,
  });
  return {
    vocabulary,
    catalog: new ItemCatalog(data.itemIds, store.encode(vocabulary, config.maxDocumentLength)),
  };
}
