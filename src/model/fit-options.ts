import type { CollaborativeFitOptions } from '../collaborative/collaborative-part';
import type { CsrMatrix } from '../data/csr';
import type { TokenStore } from '../data/token-store';
import type { FitOutcome } from '../training/fit-events';
import type { MarsTrainingOptions } from '../training/train-mars';
import { checkTrainablePositives } from './training-data-checks';

/** What {@link MarsModel.fit} trains on: the item catalogue and the training positives. */
export interface MarsTrainingData {
  /** Item ids by dense item index. */
  itemIds: readonly string[];
  /** Item texts, aligned with `itemIds` (or give `itemTokens`). */
  itemTexts?: readonly string[];
  /**
   * The items already tokenised (`loadDataset`'s `dataset.itemTokens`, aligned with `itemIds`),
   * instead of `itemTexts`: the vocabulary comes from its counts, nothing is tokenised again.
   * Its tokenizer must have the model's settings (`stripHtml`, `stopwords`).
   */
  itemTokens?: TokenStore;
  /** Training positives, users x items (`columnCount = itemIds.length`), optional timestamps. */
  train: CsrMatrix;
  /** Held-out positives for validation (early stopping); same shape as `train`. Optional. */
  validation?: CsrMatrix;
}

/**
 * Options of {@link MarsModel.fit}; every field has a default. The training fields (budget,
 * optimizer, validation, callbacks) are those of `MarsTrainingOptions`.
 */
export interface FitOptions extends MarsTrainingOptions {
  /**
   * With `itemBias` configured, start the item biases of a new model from a bias-only BPR fit
   * on `train` (`fitBprItemBiases`, milliseconds): training then starts from the popularity
   * ranking rather than a random one. Ignored when continuing a fitted or loaded model.
   * Default true.
   */
  itemBiasWarmStart?: boolean;
  /**
   * With `collaborativeFactors` configured, the settings of the BPR-MF fit of the collaborative
   * part (made once, on a new model's first fit). Default: L2 and epochs chosen on the
   * validation data (`tuneBprMf`), BprMatrixFactorization's other defaults, this fit's seed;
   * without validation data BprMatrixFactorization's defaults (300 epochs, L2 0.03).
   */
  collaborative?: CollaborativeFitOptions;
  /**
   * Pretrained word vectors in the GloVe / word2vec text format (`word v1 ... vE` per line), for
   * example a file's lines from `readline`. On a new model's first fit, the word embeddings of
   * both encoders start from them (`loadWordVectors`; words absent from them start at zero);
   * `embeddingDim` must equal their size, and `trainableWordEmbeddings: false` keeps them fixed.
   * Ignored when continuing a fitted or loaded model.
   */
  wordVectors?: WordVectorLines;
}

/** Lines of a word-vector text file, synchronous or asynchronous. */
export type WordVectorLines = Iterable<string> | AsyncIterable<string>;

/**
 * What {@link MarsModel.fit} returns: how training ended (`FitOutcome`: steps, passes, best step,
 * stop reason, and all of it in words in `summary`), and what the first fit chose.
 */
export interface FitResult extends FitOutcome {
  /** With `wordVectors`: how many vocabulary words they covered. */
  wordVectorsFound?: number;
  /**
   * Training positives held out to validate on (no validation split under the default budget;
   * see `holdOutValidation`); absent when none were.
   */
  heldOutPositives?: number;
  /** The collaborative part's L2 and epochs, when chosen on validation (`tuneBprMf`). */
  collaborative?: { l2: number; epochs: number; metric: string; value: number };
}

/**
 * Checks that the training data fits together.
 * @throws RangeError naming the mismatch (ids vs texts, columns vs items, validation's shape),
 *   or data with nothing to learn from (no positive, fewer than two items).
 */
export function checkTrainingData(data: MarsTrainingData): void {
  if (!data.itemTexts && !data.itemTokens)
    throw new RangeError('MarsModel.fit: give itemTexts or itemTokens');
  const texts = data.itemTexts?.length ?? data.itemTokens?.size;
  if (data.itemIds.length !== texts) {
    throw new RangeError(`MarsModel.fit: ${data.itemIds.length} item ids but ${texts} item texts`);
  }
  if (data.train.columnCount !== data.itemIds.length) {
    throw new RangeError(
      `MarsModel.fit: train has ${data.train.columnCount} item columns but there are ${data.itemIds.length} items`,
    );
  }
  if (
    data.validation &&
    (data.validation.columnCount !== data.itemIds.length || data.validation.rowCount !== data.train.rowCount)
  ) {
    throw new RangeError(
      'MarsModel.fit: validation must have the same users (rows) and items (columns) as train',
    );
  }
  checkTrainablePositives(data.train);
}

/**
 * Checks that a later `fit` trains on the catalogue the model was first trained on (the same
 * item ids in the same order): its weights are tied to those items.
 * @param ids - the model's catalogue ids.
 * @throws RangeError when the items differ.
 */
export function checkSameCatalogue(ids: readonly string[], data: MarsTrainingData): void {
  if (data.itemIds.length !== ids.length || data.itemIds.some((id, i) => id !== ids[i]))
    throw new RangeError(
      'MarsModel.fit: the items differ from the catalogue this model was first trained on',
    );
}
