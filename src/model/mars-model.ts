import * as tf from '@tensorflow/tfjs-core';
import type { CsrMatrix } from '../data/csr';
import { MemoryAttention } from '../layers/memory-attention';
import { TextCnnEncoder } from '../layers/text-cnn-encoder';
import { defaultRankingMetrics, evaluateRanking } from '../metrics/evaluate-ranking';
import type { RankingEvaluation } from '../metrics/evaluate-ranking';
import { topK } from '../metrics/top-k';
import { BprTripletSampler } from '../sampling/bpr-triplet-sampler';
import { SeededRandom } from '../sampling/random';
import { Tokenizer } from '../text/tokenizer';
import type { StopwordLanguage } from '../text/stopwords';
import { Vocabulary } from '../text/vocabulary';
import { loadArtifact, saveArtifact } from './artifact';
import type { ArtifactLocation } from './artifact';
import { bucketRows } from '../ragged/length-buckets';
import type { LengthBuckets } from '../ragged/length-buckets';
import { planTripletDocuments } from '../ragged/triplet-documents';
import type { TripletBatch } from '../sampling/bpr-triplet-sampler';
import { ItemCatalog } from './catalog';
import { resolveMarsConfig } from './config';
import type { MarsConfig } from './config';
import type {
  FitOptions,
  FitResult,
  MarsTrainingData,
  ValidationEvent,
  WordVectorLines,
} from './fit-options';
import { gatherRows } from '../layers/ops/gather-rows';
import { loadWordVectors } from '../layers/word-vectors';
import type { LoadedWordVectors } from '../layers/word-vectors';
import { bprLossOfPairs } from './loss';
import { LazyAdamOptimizer } from './lazy-adam';
import { fitBprItemBiases } from '../baselines/item-biases';
import { maskedSoftmaxOverHistory, scoreAllItems } from './ranking';
import { BprMatrixFactorization } from '../baselines/bpr-mf';
import {
  addCollaborativeScores,
  collaborativePairScores,
  collaborativeUserVectors,
  fitCollaborativePart,
} from './collaborative';

/** One recommended item. */
export interface Recommendation {
  /** Item id. */
  id: string;
  /** The MARS score r = u . v (+ item bias when configured); higher is better. */
  score: number;
}

/** Options of {@link MarsModel.recommend}. */
export interface RecommendOptions {
  /** Number of items to return. Default 10. */
  k?: number;
  /** Item ids never to recommend (the history is always excluded too). */
  exclude?: readonly string[];
  /** Rank only these item ids. Default: the whole catalogue. */
  candidates?: readonly string[];
  /**
   * The training user (row index of `train`) the history belongs to, for a model with a
   * collaborative part (`collaborativeFactors`): their learned p_u is used. Default: none (an
   * anonymous history gets a user vector folded in from its items, `foldInUser`).
   */
  user?: number;
  /** {@link RecommendOptions.user} per history of `recommendMany`. */
  users?: readonly number[];
}

/** How much each history item contributed to a candidate's score ({@link MarsModel.explain}). */
export interface AttentionExplanation {
  /** The candidate item id. */
  item: string;
  /** The candidate's score. */
  score: number;
  /** One entry per history item kept (the most recent `maxHistory`), in history order. */
  history: { id: string; weight: number }[];
}

/** Options of {@link MarsModel.evaluate}. */
export interface EvaluateOptions {
  /** Metric names (see `mars-rec/metrics`). Default recall@10, recall@50, precision@10, ndcg@10, map@500, hit@10, mrr. */
  metrics?: readonly string[];
  /** Users scored per batch. Default 64. */
  userBatchSize?: number;
  /** Evaluate only these users. Default: every user with a target. */
  users?: Int32Array;
}

/**
 * The metrics {@link MarsModel.evaluate} reports by default: the evaluator's own default list
 * (`defaultRankingMetrics`: recall@10, recall@50, precision@10, ndcg@10, map@500, hit@10, mrr;
 * the report's recall@50 and MAP@500 included).
 */
export const DEFAULT_EVALUATION_METRICS: readonly string[] = defaultRankingMetrics;

interface MarsArtifactMetadata {
  config: MarsConfig;
  tokenizer: ReturnType<Tokenizer['toJSON']>;
  vocabulary: ReturnType<Vocabulary['toJSON']>;
  itemIds: string[];
  weightNames: string[];
}

interface CachedVectors {
  /** `[items, dim]` item-side vectors (item encoder). */
  itemVectors: tf.Tensor2D;
  /** `[items, dim]` memory-side vectors (user encoder); the same tensor with a shared encoder. */
  memoryVectors: tf.Tensor2D;
  /** `[items]` item biases, when configured. */
  itemBias?: Float32Array;
}

/**
 * MARS, the Memory Attention-Aware Recommender System (Zheng et al. 2019), wired from the
 * library's building blocks: the text pipeline (`Tokenizer`, `Vocabulary`), two
 * `TextCnnEncoder`s (f_user for the memory, f_item for candidates; one when `sharedEncoder`),
 * `MemoryAttention`, the `BprTripletSampler`, the BPR loss of eq. 4, and the full-ranking
 * evaluator of `mars-rec/metrics`. Nothing here is out of reach of a user composing the blocks.
 *
 * @example
 * ```ts
 * const model = MarsModel.create({ outputDim: 64 });
 * await model.fit({ itemIds, itemTexts, train, validation }, { steps: 2000 });
 * const top = await model.recommend(['item-12', 'item-7'], { k: 10 });
 * ```
 */
export class MarsModel {
  /** The resolved architecture. */
  readonly config: MarsConfig;
  private tokenizer?: Tokenizer;
  private vocabulary?: Vocabulary;
  private itemCatalog?: ItemCatalog;
  private userEncoder?: TextCnnEncoder;
  private itemEncoder?: TextCnnEncoder;
  private attention?: MemoryAttention;
  private itemBias?: tf.Variable;
  private itemIdEmbedding?: tf.Variable;
  /** `[items, 1]` 1 for items seen in training (they get an ID embedding), 0 for cold items. */
  private seenItems?: tf.Tensor2D;
  /** The fixed bias of items unseen in training (cold items): below every seen item after a warm start. */
  private coldItemBias?: tf.Scalar;
  /** The fixed BPR-MF part of `collaborativeFactors` (typed arrays). */
  private collaborative?: BprMatrixFactorization;
  private cache?: Promise<CachedVectors>;

  private constructor(config: MarsConfig) {
    this.config = config;
  }

  /** A new, untrained model; see {@link MarsConfig} for the fields and their defaults. */
  static create(config: Partial<MarsConfig> = {}): MarsModel {
    return new MarsModel(resolveMarsConfig(config));
  }

  /** The item catalogue (ids and encoded texts); undefined before the first `fit` or `load`. */
  get catalog(): ItemCatalog | undefined {
    return this.itemCatalog;
  }

  /**
   * Trains with BPR (report eq. 3 and 4) and Adam. The first call fits the tokenizer and
   * vocabulary on the item texts and builds the layers; later calls continue training the
   * same weights on the same catalogue.
   */
  async fit(data: MarsTrainingData, options: FitOptions = {}): Promise<FitResult> {
    checkTrainingData(data);
    const seed = options.seed ?? 1;
    let wordVectorsFound: number | undefined;
    if (!this.itemCatalog) {
      wordVectorsFound = await this.build(data, seed, options.wordVectors);
      if (this.config.collaborativeFactors > 0) {
        this.collaborative = fitCollaborativePart(data.train, this.config.collaborativeFactors, {
          seed,
          ...options.collaborative,
        });
        // the text term starts at exactly 0 (zero item vectors), so training starts from the
        // collaborative ranking; the item encoder's output layer learns from the first step
        if (!this.config.sharedEncoder) (this.itemEncoder as TextCnnEncoder).zeroOutputLayer();
      }
      if (this.itemBias && !this.collaborative && (options.itemBiasWarmStart ?? true)) {
        const warmStart = tf.tensor1d(fitBprItemBiases(data.train, { seed }));
        this.itemBias.assign(warmStart);
        this.coldItemBias?.dispose();
        this.coldItemBias = tf.tidy(() => tf.min(warmStart) as tf.Scalar); // items never liked rank last
        warmStart.dispose();
      }
    } else if (
      data.itemIds.length !== this.itemCatalog.size ||
      data.itemIds.some((id, i) => id !== this.itemCatalog?.ids[i])
    ) {
      throw new RangeError(
        'MarsModel.fit: the items differ from the catalogue this model was first trained on',
      );
    }
    this.markSeenItems(data.train);
    const batchSize = options.batchSize ?? 128;
    const sampler = new BprTripletSampler(data.train, {
      batchSize,
      maxHistory: this.config.maxHistory,
      historyStrategy: data.train.timestamps ? 'recent' : 'random',
      epochFraction: options.epochFraction ?? 0.1,
      seed,
    });
    const totalSteps =
      options.steps ?? Math.max(1, Math.round((options.epochs ?? 1) * sampler.stepsPerEpoch));
    const stepsPerEpoch = Math.max(1, sampler.stepsPerEpoch);
    const learningRate = options.learningRate ?? (0.001 * batchSize) / 512;
    const choice = options.optimizer ?? 'adam';
    const ownOptimizer = typeof choice === 'string';
    if (ownOptimizer && choice !== 'adam' && choice !== 'sgd' && choice !== 'lazy-adam')
      throw new RangeError(
        `MarsModel.fit: optimizer must be 'adam', 'lazy-adam', 'sgd' or a tf.Optimizer, got '${String(choice)}'`,
      );
    const optimizer =
      choice === 'adam'
        ? tf.train.adam(learningRate)
        : choice === 'lazy-adam'
          ? new LazyAdamOptimizer(learningRate)
          : choice === 'sgd'
            ? tf.train.sgd(learningRate)
            : choice;
    const variables = this.trainableVariables();
    const tokenBudget = options.tokenBudget ?? 16_384;
    const validation = data.validation;
    const validateEvery = options.validateEvery ?? Math.max(50, stepsPerEpoch); // never on a few steps' noise
    const validationMetric = options.validationMetric ?? 'recall@50';
    const patience = options.patience ?? 3;
    const restoreBest = options.restoreBestWeights ?? true;
    const validationRng = new SeededRandom(seed + 7919);

    const losses: number[] = [];
    const validations: ValidationEvent[] = [];
    let trainMilliseconds = 0;
    let best = -Infinity;
    let bestStep: number | undefined;
    let bestWeights: tf.Tensor[] | undefined;
    let sinceBest = 0;
    let stoppedEarly = false;
    let aborted = false;
    let epochLoss = 0;
    let epochSteps = 0;
    let step = 0;
    const validate = async (): Promise<boolean> => {
      const users = sampleUsersWithTargets(
        validation as CsrMatrix,
        options.validationUsers ?? 1000,
        validationRng,
      );
      const result = await this.evaluate(validation as CsrMatrix, data.train, {
        metrics: [validationMetric],
        users,
      });
      const event: ValidationEvent = { step, metrics: result.mean };
      validations.push(event);
      await options.onValidation?.(event);
      const value = result.mean[result.metrics[0]];
      if (value > best) {
        best = value;
        bestStep = step;
        sinceBest = 0;
        if (restoreBest) {
          tf.dispose(bestWeights);
          bestWeights = variables.map((variable) => tf.clone(variable));
        }
      } else if (patience > 0 && ++sinceBest >= patience) return false;
      return true;
    };
    try {
      // a warm-started collaborative part is a ranking already: it is the first candidate of
      // the best-weights selection, so training can only keep or improve it on validation
      if (validation && this.collaborative && totalSteps > 0) await validate();
      while (step < totalSteps) {
        if (options.signal?.aborted) {
          aborted = true;
          break;
        }
        const started = performance.now();
        const batch = sampler.nextBatch();
        const lossTensor = optimizer.minimize(
          () => this.batchLoss(batch, tokenBudget, true),
          true,
          variables,
        );
        const loss = lossTensor ? (await lossTensor.data())[0] : NaN;
        lossTensor?.dispose();
        trainMilliseconds += performance.now() - started;
        step++;
        losses.push(loss);
        epochLoss += loss;
        epochSteps++;
        this.invalidateCache();
        const trainSeconds = trainMilliseconds / 1000;
        await options.onBatchEnd?.({
          step,
          totalSteps,
          loss,
          trainSeconds,
          tripletsPerSecond: (step * batchSize) / Math.max(trainSeconds, 1e-9),
        });
        if (step % stepsPerEpoch === 0 || step === totalSteps) {
          await options.onEpochEnd?.({
            epoch: Math.ceil(step / stepsPerEpoch) - 1,
            step,
            meanLoss: epochLoss / epochSteps,
          });
          epochLoss = 0;
          epochSteps = 0;
        }
        if (validation && (step % validateEvery === 0 || step === totalSteps) && !(await validate())) {
          stoppedEarly = true;
          break;
        }
      }
      if (bestWeights && restoreBest && bestStep !== step) {
        variables.forEach((variable, index) => variable.assign((bestWeights as tf.Tensor[])[index]));
        this.invalidateCache();
      }
    } finally {
      tf.dispose(bestWeights);
      if (ownOptimizer) optimizer.dispose();
    }
    const trainSeconds = trainMilliseconds / 1000;
    return {
      steps: step,
      trainSeconds,
      tripletsPerSecond: (step * batchSize) / Math.max(trainSeconds, 1e-9),
      losses,
      validations,
      bestStep,
      stoppedEarly,
      aborted,
      ...(wordVectorsFound === undefined ? {} : { wordVectorsFound }),
    };
  }

  /**
   * Full-ranking evaluation (`docs/metrics.md`): each user's history is their `history`
   * row (capped at `maxHistory`, most recent first when timestamps exist); every item is
   * scored, the history items are excluded, and the metrics are computed against `targets`.
   * @param targets - held-out positives (validation or test), users x items.
   * @param history - training positives, same shape; used as memory and excluded from ranking.
   */
  async evaluate(
    targets: CsrMatrix,
    history: CsrMatrix,
    options: EvaluateOptions = {},
  ): Promise<RankingEvaluation> {
    const catalog = this.requireTrained('evaluate');
    return evaluateRanking({
      itemCount: catalog.size,
      targets,
      exclude: history,
      users: options.users,
      metrics: options.metrics ?? DEFAULT_EVALUATION_METRICS,
      userBatchSize: options.userBatchSize ?? 64,
      // rows are the training users: a collaborative part adds their user term
      score: (users) =>
        this.scoreHistories(users, (user) => capHistory(history, user, this.config.maxHistory), users),
    });
  }

  /**
   * Scores every catalogue item for each given history, with cached item and memory vectors
   * and one matrix product per item chunk.
   * @param histories - one list of item indices per user.
   * @param users - with a collaborative part (`collaborativeFactors`), the training user
   *   (row of `train`) of each history, -1 for none; default none (the collaborative user vector
   *   of an anonymous history is folded in from its items).
   * @returns row-major `[histories.length, items]` scores.
   */
  async scoreItemsForHistories(
    histories: readonly Int32Array[],
    users?: ArrayLike<number>,
  ): Promise<Float32Array> {
    if (users && users.length !== histories.length)
      throw new RangeError(`scoreItemsForHistories: ${users.length} users for ${histories.length} histories`);
    return this.scoreHistories(
      Int32Array.from(histories.keys()),
      (row) => histories[row].slice(-this.config.maxHistory),
      users ? Int32Array.from(users) : undefined,
    );
  }

  /**
   * The top `k` items for a user given their history (item ids, oldest first; the most recent
   * `maxHistory` are used). History items are never recommended.
   */
  async recommend(history: readonly string[], options: RecommendOptions = {}): Promise<Recommendation[]> {
    const { user, ...rest } = options;
    return (
      await this.recommendMany([history], { ...rest, users: user === undefined ? undefined : [user] })
    )[0];
  }

  /** {@link MarsModel.recommend} for many users at once, scored in batches. */
  async recommendMany(
    histories: readonly (readonly string[])[],
    options: RecommendOptions = {},
  ): Promise<Recommendation[][]> {
    const catalog = this.requireTrained('recommend');
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 1)
      throw new RangeError(`recommend: k must be a positive integer, got ${k}`);
    const historyIndices = histories.map((history, user) =>
      catalog.indicesOf(history, `history item (user ${user})`),
    );
    const excluded = catalog.indicesOf(options.exclude ?? [], 'excluded item');
    const users = this.checkUsers('recommend', options.users, histories.length);
    let allowed: Uint8Array | undefined;
    if (options.candidates) {
      allowed = new Uint8Array(catalog.size);
      for (const index of catalog.indicesOf(options.candidates, 'candidate item')) allowed[index] = 1;
    }
    const results: Recommendation[][] = [];
    const batch = 64;
    for (let start = 0; start < historyIndices.length; start += batch) {
      const slice = historyIndices.slice(start, start + batch);
      const scores = await this.scoreItemsForHistories(slice, users?.slice(start, start + batch));
      slice.forEach((history, row) => {
        const rowScores = scores.subarray(row * catalog.size, (row + 1) * catalog.size);
        const skip = new Set<number>([...history, ...excluded]);
        if (allowed) for (let i = 0; i < catalog.size; i++) if (!allowed[i]) skip.add(i);
        const top = topK(rowScores, Math.min(k, catalog.size), skip);
        results.push(Array.from(top, (item) => ({ id: catalog.ids[item], score: rowScores[item] })));
      });
    }
    return results;
  }

  /**
   * The attention weight of each history item for one candidate: how much each remembered item
   * shaped the adaptive user vector u = C a for that candidate (the paper's case study).
   */
  async explain(
    history: readonly string[],
    item: string,
    options: { user?: number } = {},
  ): Promise<AttentionExplanation> {
    const catalog = this.requireTrained('explain');
    const [user] = this.checkUsers('explain', options.user === undefined ? undefined : [options.user], 1) ?? [
      -1,
    ];
    const kept = catalog.indicesOf(history, 'history item').slice(-this.config.maxHistory);
    const [candidate] = catalog.indicesOf([item], 'candidate item');
    const cache = await this.vectors();
    const [weights, score] = tf.tidy(() => {
      const memory = tf.gather(cache.memoryVectors, kept); // [history, dim]
      const itemVector = tf.slice(cache.itemVectors, [candidate, 0], [1, -1]); // [1, dim]
      const similarity = tf.reshape(tf.matMul(memory, tf.reshape(itemVector, [-1, 1])), [1, kept.length, 1]);
      const mask = tf.ones([1, kept.length, 1]);
      const attention =
        this.config.aggregation === 'mean'
          ? tf.div(mask, Math.max(1, kept.length))
          : maskedSoftmaxOverHistory(similarity as tf.Tensor3D, mask);
      return [tf.reshape(attention, [kept.length]), tf.sum(tf.mul(attention, similarity))];
    });
    const weightValues = await weights.data();
    const scoreValue =
      (await score.data())[0] +
      (cache.itemBias?.[candidate] ?? 0) +
      (this.collaborative ? this.collaborativeScore(user, kept, candidate) : 0);
    tf.dispose([weights, score]);
    return {
      item,
      score: scoreValue,
      history: Array.from(kept, (index, position) => ({
        id: catalog.ids[index],
        weight: weightValues[position],
      })),
    };
  }

  /**
   * Saves everything needed to rank again: config, tokenizer, vocabulary, item ids and encoded
   * texts, and weights, as one artifact (a directory in Node, or any tfjs IO handler or URL
   * scheme such as `indexeddb://name` in the browser).
   */
  async save(location: ArtifactLocation): Promise<void> {
    const catalog = this.requireTrained('save');
    const named = this.namedWeights();
    const tensors = new Map<string, tf.Tensor>(named.map(({ name, tensor }) => [name, tensor]));
    const values = tf.tensor1d(catalog.tokens.values, 'int32');
    const rowSplits = tf.tensor1d(catalog.tokens.rowSplits, 'int32');
    tensors.set('catalog/values', values);
    tensors.set('catalog/rowSplits', rowSplits);
    const part = this.collaborative;
    if (part) {
      tensors.set(
        'collaborative/user_factors',
        tf.tensor2d(part.userFactors, [part.userCount, part.factors]),
      );
      tensors.set(
        'collaborative/item_factors',
        tf.tensor2d(part.itemFactors, [part.itemCount, part.factors]),
      );
      tensors.set('collaborative/item_biases', tf.tensor1d(part.itemBiases));
    }
    // the tensors made here (not the model's own weights) are freed after saving
    const owned = [...tensors].filter(([name]) => /^(catalog|collaborative)\//.test(name)).map(([, t]) => t);
    try {
      await saveArtifact<MarsArtifactMetadata>(location, {
        metadata: {
          config: this.config,
          tokenizer: (this.tokenizer as Tokenizer).toJSON(),
          vocabulary: (this.vocabulary as Vocabulary).toJSON(),
          itemIds: [...catalog.ids],
          weightNames: named.map(({ name }) => name),
        },
        tensors,
      });
    } finally {
      tf.dispose(owned);
    }
  }

  /** Loads a model written by {@link MarsModel.save}; it scores exactly as the saved one. */
  static async load(location: ArtifactLocation): Promise<MarsModel> {
    const { metadata, tensors } = await loadArtifact<MarsArtifactMetadata>(location);
    try {
      // artifacts written before the collaborative part existed have no such field: they had none
      const savedConfig: Partial<MarsConfig> = metadata.config;
      const model = new MarsModel(
        resolveMarsConfig({ ...savedConfig, collaborativeFactors: savedConfig.collaborativeFactors ?? 0 }),
      );
      model.tokenizer = Tokenizer.fromJSON(metadata.tokenizer);
      model.vocabulary = Vocabulary.fromJSON(metadata.vocabulary);
      const values = tensors.get('catalog/values');
      const rowSplits = tensors.get('catalog/rowSplits');
      if (!values || !rowSplits)
        throw new Error('The saved model holds no item catalogue (catalog/values, catalog/rowSplits).');
      model.itemCatalog = new ItemCatalog(metadata.itemIds, {
        values: new Int32Array(await values.data()),
        rowSplits: new Int32Array(await rowSplits.data()),
      });
      model.buildLayers(1);
      for (const { name, variable } of model.namedVariables()) {
        const saved = tensors.get(name);
        if (!saved) throw new Error(`The saved model lacks weight '${name}'.`);
        if (saved.shape.join('x') !== variable.shape.join('x')) {
          throw new Error(
            `Weight '${name}' has shape [${saved.shape}] in the file but [${variable.shape}] in the model.`,
          );
        }
        variable.assign(saved);
      }
      if (model.config.collaborativeFactors > 0) {
        const factors = ['user_factors', 'item_factors', 'item_biases'].map((name) => {
          const tensor = tensors.get(`collaborative/${name}`);
          if (!tensor) throw new Error(`The saved model lacks weight 'collaborative/${name}'.`);
          return tensor;
        });
        const [userFactors, itemFactors, itemBiases] = await Promise.all(
          factors.map((tensor) => tensor.data()),
        );
        model.collaborative = BprMatrixFactorization.fromFactors({
          factors: model.config.collaborativeFactors,
          userFactors: new Float32Array(userFactors),
          itemFactors: new Float32Array(itemFactors),
          itemBiases: new Float32Array(itemBiases),
        });
        if (model.collaborative.itemCount !== model.itemCatalog.size)
          throw new Error(
            `The saved collaborative part has ${model.collaborative.itemCount} items but the catalogue ${model.itemCatalog.size}.`,
          );
      }
      const coldBias = tensors.get('cold_item_bias');
      if (coldBias) model.coldItemBias = tf.clone(coldBias) as tf.Scalar;
      const seen = tensors.get('seen_items');
      if (model.seenItems && seen) {
        model.seenItems.dispose();
        model.seenItems = tf.clone(seen) as tf.Tensor2D;
      }
      return model;
    } finally {
      tf.dispose([...tensors.values()]);
    }
  }

  /** Frees every tensor the model holds. */
  dispose(): void {
    this.invalidateCache();
    for (const layer of new Set([this.userEncoder, this.itemEncoder, this.attention])) layer?.dispose();
    for (const tensor of [this.itemBias, this.itemIdEmbedding, this.seenItems, this.coldItemBias])
      tensor?.dispose();
  }

  // ---------------------------------------------------------------------------------------------

  private async build(
    data: MarsTrainingData,
    seed: number,
    wordVectors?: WordVectorLines,
  ): Promise<number | undefined> {
    this.tokenizer = new Tokenizer({
      html: this.config.stripHtml,
      stopwords: this.config.stopwords as StopwordLanguage[],
    });
    this.vocabulary = Vocabulary.fit(
      data.itemTexts.map((text, index) => ({ id: data.itemIds[index], text })),
      {
        tokenizer: this.tokenizer,
        minCount: this.config.minWordCount,
        maxSize: this.config.maxVocabularySize,
      },
    );
    this.itemCatalog = ItemCatalog.fromTexts(
      data.itemIds,
      data.itemTexts,
      this.tokenizer,
      this.vocabulary,
      this.config.maxDocumentLength,
    );
    let pretrained: LoadedWordVectors | undefined;
    if (wordVectors) {
      pretrained = await loadWordVectors(wordVectors, this.vocabulary);
      if (pretrained.dim !== this.config.embeddingDim)
        throw new RangeError(
          `MarsModel.fit: the word vectors have ${pretrained.dim} dimensions but embeddingDim is ${this.config.embeddingDim}; set embeddingDim to ${pretrained.dim}`,
        );
    }
    this.buildLayers(seed, pretrained?.vectors);
    return pretrained?.found;
  }

  private buildLayers(seed: number, pretrainedEmbeddings?: Float32Array): void {
    const vocabularySize = (this.vocabulary as Vocabulary).size;
    const itemCount = (this.itemCatalog as ItemCatalog).size;
    const encoderConfig = {
      vocabularySize,
      embeddingDim: this.config.embeddingDim,
      filters: this.config.filters,
      kernelSizes: this.config.kernelSizes,
      outputDim: this.config.outputDim,
      dropout: this.config.dropout,
      pretrainedEmbeddings,
      trainableEmbeddings: this.config.trainableWordEmbeddings,
    };
    this.userEncoder = new TextCnnEncoder({ ...encoderConfig, seed, name: 'user_encoder' });
    this.itemEncoder = this.config.sharedEncoder
      ? this.userEncoder
      : new TextCnnEncoder({ ...encoderConfig, seed: seed + 1, name: 'item_encoder' });
    this.attention = new MemoryAttention({ name: 'memory_attention', aggregation: this.config.aggregation });
    if (this.config.itemBias) this.itemBias = zeroVariable([itemCount]);
    if (this.config.itemIdEmbedding) this.itemIdEmbedding = zeroVariable([itemCount, this.config.outputDim]);
    // ID-based parts (bias, ID embedding) apply to items seen in training; cold items are scored from text alone
    if (this.config.itemBias || this.config.itemIdEmbedding) this.seenItems = tf.zeros([itemCount, 1]);
  }

  private markSeenItems(train: CsrMatrix): void {
    if (!this.seenItems) return;
    const seen = new Float32Array(train.columnCount);
    for (let k = 0; k < train.offsets[train.rowCount]; k++) seen[train.indices[k]] = 1;
    const previous = this.seenItems;
    this.seenItems = tf.tidy(() => tf.maximum(previous, tf.tensor2d(seen, [seen.length, 1])) as tf.Tensor2D);
    previous.dispose();
  }

  /** Every weight variable, trainable or not (fixed word embeddings included), with its saved name. */
  private namedVariables(): { name: string; variable: tf.Variable; trainable: boolean }[] {
    const named: { name: string; variable: tf.Variable; trainable: boolean }[] = [];
    const encoders = this.config.sharedEncoder
      ? [['encoder', this.userEncoder]]
      : [
          ['user_encoder', this.userEncoder],
          ['item_encoder', this.itemEncoder],
        ];
    for (const [prefix, encoder] of encoders as [string, TextCnnEncoder][]) {
      encoder.build(); // weights are created on first use
      // the trainable weights first, then any fixed one: with every weight trainable (the
      // default) the names are those of earlier versions
      encoder.weights.forEach((weight, index) =>
        named.push({
          name: `${prefix}/${index}`,
          variable: weight.read() as tf.Variable,
          trainable: weight.trainable,
        }),
      );
    }
    (this.attention as MemoryAttention)
      .trainableVariables()
      .forEach((variable, index) => named.push({ name: `attention/${index}`, variable, trainable: true }));
    if (this.itemBias) named.push({ name: 'item_bias', variable: this.itemBias, trainable: true });
    if (this.itemIdEmbedding)
      named.push({ name: 'item_id_embedding', variable: this.itemIdEmbedding, trainable: true });
    return named;
  }

  private namedWeights(): { name: string; tensor: tf.Tensor }[] {
    const named = this.namedVariables().map(({ name, variable }) => ({
      name,
      tensor: variable as tf.Tensor,
    }));
    if (this.seenItems) named.push({ name: 'seen_items', tensor: this.seenItems });
    if (this.coldItemBias) named.push({ name: 'cold_item_bias', tensor: this.coldItemBias });
    return named;
  }

  private trainableVariables(): tf.Variable[] {
    return this.namedVariables()
      .filter(({ trainable }) => trainable)
      .map(({ variable }) => variable);
  }

  /** The BPR loss of one sampled batch (eq. 4). */
  private batchLoss(batch: TripletBatch, tokenBudget: number, training: boolean): tf.Scalar {
    const catalog = this.itemCatalog as ItemCatalog;
    const size = batch.users.length;
    const plan = planTripletDocuments(
      {
        histories: { values: batch.historyItems, rowSplits: batch.historyOffsets },
        positives: batch.positives,
        negatives: batch.negatives,
      },
      catalog.tokens,
      { sharedEncoder: this.config.sharedEncoder, tokenBudget, maxHistory: this.config.maxHistory },
    );
    const candidateRows = new Int32Array(size * 2);
    const candidateItems = new Int32Array(size * 2);
    for (let b = 0; b < size; b++) {
      candidateRows[2 * b] = plan.positiveRows[b];
      candidateRows[2 * b + 1] = plan.negativeRows[b];
      candidateItems[2 * b] = batch.positives[b];
      candidateItems[2 * b + 1] = batch.negatives[b];
    }
    const { history } = plan;
    return tf.tidy(() => {
      const dim = this.config.outputDim;
      const itemVectors = this.encodeBuckets('item', plan.candidates, training); // [unique, dim]
      const memoryVectors =
        plan.memory === plan.candidates ? itemVectors : this.encodeBuckets('memory', plan.memory, training);
      const memory =
        plan.memory.buckets.length > 0
          ? tf.reshape(gatherRows(memoryVectors, history.ids), [size, history.width, dim])
          : tf.zeros([size, history.width, dim]); // [batch, history, dim]
      const mask = tf.tensor2d(history.mask, [size, history.width]);
      const candidateVectors = tf.reshape(gatherRows(itemVectors, candidateRows), [size, 2, dim]);
      const { scores, userVectors } = (this.attention as MemoryAttention).scoreWithUserVectors(
        memory as tf.Tensor3D,
        mask,
        candidateVectors as tf.Tensor3D,
      ); // [batch, 2], [batch, 2, dim]
      let allScores: tf.Tensor2D = scores;
      if (this.itemBias) {
        const seen = tf.gather(this.seenItems as tf.Tensor2D, tf.tensor1d(candidateItems, 'int32'));
        const biases = this.effectiveBias(
          gatherRows(tf.reshape(this.itemBias, [-1, 1]) as tf.Tensor2D, candidateItems),
          seen,
        );
        allScores = tf.add(allScores, tf.reshape(biases, [size, 2]));
      }
      if (this.collaborative) {
        const pairUsers = Int32Array.from({ length: size * 2 }, (_, k) => batch.users[k >> 1]);
        const fixed = collaborativePairScores(this.collaborative, pairUsers, candidateItems);
        allScores = tf.add(allScores, tf.tensor2d(fixed, [size, 2]));
      }
      return bprLossOfPairs(allScores, userVectors, candidateVectors as tf.Tensor3D, {
        lambdaU: this.config.lambdaU,
        lambdaV: this.config.lambdaV,
      });
    });
  }

  /**
   * Encodes length-bucketed documents with the user-side (`memory`) or item-side encoder,
   * bucket by bucket, adding the item-ID embedding of seen items when configured.
   * @returns `[documents, dim]` in the buckets' output order (`buckets.order`).
   */
  private encodeBuckets(side: 'memory' | 'item', buckets: LengthBuckets, training: boolean): tf.Tensor2D {
    const encoder = (side === 'memory' ? this.userEncoder : this.itemEncoder) as TextCnnEncoder;
    if (buckets.buckets.length === 0) return tf.zeros([0, this.config.outputDim]);
    const parts = buckets.buckets.map((bucket) => encoder.encodeTokens(bucket, { training }));
    let vectors = parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as tf.Tensor2D);
    if (this.itemIdEmbedding && this.seenItems) {
      const idVectors = tf.mul(
        gatherRows(this.itemIdEmbedding as tf.Tensor2D, buckets.order),
        tf.gather(this.seenItems, tf.tensor1d(buckets.order, 'int32')),
      );
      vectors = tf.add(vectors, idVectors);
    }
    return vectors;
  }

  /** Item-side and memory-side vectors of every catalogue item, cached until the weights change. */
  private vectors(): Promise<CachedVectors> {
    if (!this.cache) {
      const computing = this.computeVectors();
      this.cache = computing;
      // a failed computation is not cached: the next call tries again
      computing.catch(() => {
        if (this.cache === computing) this.cache = undefined;
      });
    }
    return this.cache;
  }

  private async computeVectors(): Promise<CachedVectors> {
    const catalog = this.itemCatalog as ItemCatalog;
    const buckets = bucketRows(catalog.tokens, { tokenBudget: 65_536 });
    const catalogueOrder = tf.tensor1d(buckets.positions, 'int32'); // catalogue index -> output row
    const encodeAll = (side: 'memory' | 'item'): tf.Tensor2D =>
      tf.tidy(() => tf.gather(this.encodeBuckets(side, buckets, false), catalogueOrder) as tf.Tensor2D);
    const itemVectors = encodeAll('item');
    // one encoder (and the same ID embedding) on both sides: the memory vectors are the item vectors
    const memoryVectors = this.config.sharedEncoder ? itemVectors : encodeAll('memory');
    catalogueOrder.dispose();
    let itemBias: Float32Array | undefined;
    if (this.itemBias) {
      const bias = this.itemBias;
      const seen = this.seenItems as tf.Tensor2D;
      const masked = tf.tidy(() => this.effectiveBias(bias, tf.reshape(seen, [-1])));
      itemBias = new Float32Array(await masked.data()); // data(), not dataSync(): webgpu in Node
      masked.dispose();
    }
    return { itemVectors, memoryVectors, itemBias };
  }

  /** Learned bias for items seen in training, the fixed cold-item bias for the others. */
  private effectiveBias(bias: tf.Tensor, seen: tf.Tensor): tf.Tensor {
    const cold = tf.mul(tf.sub(1, seen), this.coldItemBias ?? 0);
    return tf.add(tf.mul(bias, seen), cold);
  }

  private invalidateCache(): void {
    const cache = this.cache;
    if (!cache) return;
    this.cache = undefined;
    cache.then(
      (vectors) => tf.dispose([vectors.itemVectors, vectors.memoryVectors]),
      () => undefined, // a failed computation holds no tensors; its caller saw the error
    );
  }

  /** Scores all items for rows whose histories `historyOf(row)` gives (item indices). */
  private async scoreHistories(
    rows: Int32Array,
    historyOf: (row: number) => Int32Array,
    users?: Int32Array,
  ): Promise<Float32Array> {
    const catalog = this.itemCatalog as ItemCatalog;
    const cache = await this.vectors();
    const histories = Array.from(rows, (row) => historyOf(row));
    const width = Math.max(1, ...histories.map((history) => history.length));
    const indices = new Int32Array(rows.length * width);
    histories.forEach((history, row) => indices.set(history, row * width));
    const memory = tf.tidy(
      () =>
        tf.reshape(tf.gather(cache.memoryVectors, tf.tensor1d(indices, 'int32')), [
          rows.length,
          width,
          this.config.outputDim,
        ]) as tf.Tensor3D,
    );
    const values = await scoreAllItems(
      memory,
      histories.map((history) => history.length),
      cache.itemVectors,
      { aggregation: this.config.aggregation },
    ).finally(() => memory.dispose());
    if (cache.itemBias) {
      for (let row = 0; row < rows.length; row++) {
        const offset = row * catalog.size;
        for (let i = 0; i < catalog.size; i++) values[offset + i] += cache.itemBias[i];
      }
    }
    if (this.collaborative) {
      const vectors = collaborativeUserVectors(
        this.collaborative,
        users ?? new Int32Array(rows.length).fill(-1),
        (row) => histories[row],
      );
      addCollaborativeScores(this.collaborative, vectors, values);
    }
    return values;
  }

  /** p . q_candidate + b_candidate for a known user, or for the fold-in of an anonymous history. */
  private collaborativeScore(user: number, history: ArrayLike<number>, candidate: number): number {
    const part = this.collaborative as BprMatrixFactorization;
    return part.scoreUserVectors(collaborativeUserVectors(part, [user], () => history))[candidate];
  }

  /** Validates user indices given for a collaborative part. */
  private checkUsers(
    operation: string,
    users: readonly number[] | undefined,
    count: number,
  ): Int32Array | undefined {
    if (users === undefined) return undefined;
    if (users.length !== count)
      throw new RangeError(`${operation}: ${users.length} users for ${count} histories`);
    const known = this.collaborative?.userCount ?? 0;
    users.forEach((user, row) => {
      if (!Number.isInteger(user) || user < -1 || user >= known)
        throw new RangeError(
          this.collaborative
            ? `${operation}: user ${user} (history ${row}) is not a training user index in [0, ${known}) or -1`
            : `${operation}: user ${user} (history ${row}) given, but the model has no collaborative part (collaborativeFactors 0)`,
        );
    });
    return Int32Array.from(users);
  }

  private requireTrained(operation: string): ItemCatalog {
    if (!this.itemCatalog)
      throw new Error(
        `MarsModel.${operation}: the model has not been trained or loaded yet; call fit() or MarsModel.load() first`,
      );
    return this.itemCatalog;
  }
}

/** A trainable variable of zeros (names are left to tfjs: two models may live side by side). */
function zeroVariable(shape: number[]): tf.Variable {
  const zeros = tf.zeros(shape);
  const variable = tf.variable(zeros, true);
  zeros.dispose();
  return variable;
}

function checkTrainingData(data: MarsTrainingData): void {
  if (data.itemIds.length !== data.itemTexts.length) {
    throw new RangeError(
      `MarsModel.fit: ${data.itemIds.length} item ids but ${data.itemTexts.length} item texts`,
    );
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
}

/** The user's history row capped to the `maxHistory` most recent (by timestamp when present) items. */
function capHistory(matrix: CsrMatrix, user: number, maxHistory: number): Int32Array {
  const start = matrix.offsets[user];
  const end = matrix.offsets[user + 1];
  const row = matrix.indices.subarray(start, end);
  if (row.length <= maxHistory) return row;
  if (!matrix.timestamps) return row.subarray(0, maxHistory);
  const times = matrix.timestamps;
  const order = Array.from({ length: row.length }, (_, k) => k).sort(
    (a, b) => times[start + b] - times[start + a] || a - b,
  );
  return Int32Array.from(order.slice(0, maxHistory), (k) => row[k]);
}

/** Up to `count` users that have at least one target, drawn without replacement. */
function sampleUsersWithTargets(targets: CsrMatrix, count: number, rng: SeededRandom): Int32Array {
  const users: number[] = [];
  for (let user = 0; user < targets.rowCount; user++)
    if (targets.offsets[user + 1] > targets.offsets[user]) users.push(user);
  if (users.length <= count) return Int32Array.from(users);
  return Int32Array.from(rng.shuffle(users).slice(0, count)).sort();
}
