import type { CsrMatrix } from '../data/csr';
import { FIRST_WORD_ID } from '../text/reserved';
import type { Vocabulary } from '../text/vocabulary';
import type { MarsConfig } from './config';

/**
 * Refuses to train on a vocabulary without a word: every item text would encode to nothing,
 * every text vector would be the same, and the loss would stay at log 2. Names the settings
 * that remove words and how to change them.
 * @param itemCount - the items whose texts were read.
 * @throws RangeError naming the cause and the fields that would change it.
 */
export function checkVocabulary(vocabulary: Vocabulary, config: MarsConfig, itemCount: number): void {
  if (vocabulary.size > FIRST_WORD_ID) return;
  const stopwords = config.stopwords.length > 0 ? config.stopwords.join(', ') : 'none';
  throw new RangeError(
    `MarsModel.fit: the vocabulary is empty: no word of the ${itemCount} item texts is left after ` +
      `${config.stripHtml ? 'HTML cleanup, ' : ''}stopword removal (stopwords: ${stopwords}) and the minimum count ` +
      `(minWordCount ${config.minWordCount}), so the texts carry nothing to learn from. Check the item texts, or lower ` +
      `minWordCount or change stopwords (mars-rec train: --config '{"minWordCount":1,"stopwords":[]}').`,
  );
}

/**
 * Refuses training data with no positive to learn from (every row of `train` empty), and
 * a catalogue of fewer than two items (BPR needs a negative for every positive).
 * @throws RangeError naming the cause.
 */
export function checkTrainablePositives(train: CsrMatrix): void {
  if (train.columnCount < 2)
    throw new RangeError(
      `MarsModel.fit: the catalogue has ${train.columnCount} item(s); BPR training needs at least 2 (a positive and a negative)`,
    );
  if (train.offsets[train.rowCount] === 0)
    throw new RangeError(
      `MarsModel.fit: train holds no positive (${train.rowCount} users, none with an item): there is nothing to learn from`,
    );
}
