import type { CsrMatrix } from '../data/csr';
import type { MarsBlocks } from '../layers/mars-blocks';
import type { RaggedRows } from '../ragged/ragged-rows';
import type { MarsTrainingRun } from './train-mars';

/** The fields of a model's config that a training run reads. */
export interface MarsRunSettings {
  /** Longest history kept, in items. */
  maxHistory: number;
  /** lambda_u of eq. 4. */
  lambdaU: number;
  /** lambda_v of eq. 4. */
  lambdaV: number;
}

/**
 * The {@link MarsTrainingRun} of a model's blocks (what `MarsModel.fit` hands `trainMarsBlocks`):
 * the data, the config's history cap and regularisation, the model's evaluation, and, when the
 * blocks hold a warm-started collaborative part, a validation before the first step: that part
 * alone is a ranking already, the first candidate of the best-weights selection, so training can
 * only keep or improve it on validation.
 * @param documents - the encoded text of every item.
 * @param data - training positives and optional validation positives, users x items.
 * @param hooks - the model's evaluation and what to do when the weights change.
 */
export function marsTrainingRun(
  blocks: MarsBlocks,
  documents: RaggedRows,
  data: { train: CsrMatrix; validation?: CsrMatrix },
  settings: MarsRunSettings,
  hooks: Pick<MarsTrainingRun, 'evaluate' | 'onWeightsChanged'>,
): MarsTrainingRun {
  const { maxHistory, lambdaU, lambdaV } = settings;
  const { train, validation } = data;
  return {
    blocks,
    documents,
    train,
    validation,
    maxHistory,
    lambdaU,
    lambdaV,
    ...hooks,
    atStart: blocks.collaborative
      ? { start: 'the collaborative part alone', trained: 'the text part' }
      : undefined,
  };
}
