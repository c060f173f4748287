import type { CsrMatrix } from '../data/csr';
import { disposeMarsBlocks } from '../layers/mars-blocks';
import { evaluateRanking } from '../metrics/evaluate-ranking';
import type { RankingEvaluation } from '../metrics/evaluate-ranking';
import { capHistory, historiesOfRows } from '../ragged/cap-history';
import { uniqueHistory } from '../ragged/unique-history';
import { CatalogueIndex } from '../serving/catalogue-index';
import type { CatalogueIndexOptions } from '../serving/catalogue-index';
import { checkIndexMatches, checkItemTexts, keepLearnedColumns } from '../serving/catalogue-updates';
import { explainAttention } from '../serving/explain-attention';
import { computeItemVectors, ItemVectorCache } from '../serving/item-vectors';
import { catalogueColumns, coldItemColumns } from '../serving/model-columns';
import { rankHistories } from '../serving/rank-histories';
import { scoreHistories } from '../serving/score-histories';
import type { ScoringColumns } from '../serving/scoring-table';
import { searchCatalogue, servingSearchOf } from '../serving/search-catalogue';
import { collaborativeUserVectors } from '../collaborative/fold-in';
import { encodeCorpus } from '../text/encode-corpus';
import { validationForFit } from '../training/hold-out';
import { marsTrainingRun } from '../training/mars-training-run';
import { trainMarsBlocks } from '../training/train-mars';
import type { ArtifactLocation } from './artifact';
import type { ItemCatalog } from './catalog';
import { resolveMarsConfig } from './config';
import type { MarsConfig } from './config';
import { checkSameCatalogue, checkTrainingData } from './fit-options';
import type { FitOptions, FitResult, MarsTrainingData } from './fit-options';
import { DEFAULT_EVALUATION_METRICS, EVALUATION_USER_BATCH } from './mars-model-options';
import type {
  AttentionExplanation,
  EvaluateOptions,
  Recommendation,
  RecommendOptions,
} from './mars-model-options';
import { buildMarsModel, checkUser, checkUsers, withFirstFit } from './build-model';
import type { BuiltMarsModel } from './build-model';
import { summarizeMarsBlocks } from './model-summary';
import type { ModelSummary } from './model-summary';
import { loadMarsModel, saveMarsModel } from './persistence';
import type { MarsModelParts } from './persistence';

/**
 * MARS, the Memory Attention-Aware Recommender System (Zheng et al. 2019), wired from the
 * library's building blocks: the text pipeline (`Tokenizer`, `Vocabulary`, `ItemCatalog`), the
 * blocks of `buildMarsBlocks` (two `TextCnnEncoder`s, `MemoryAttention`, optional `ItemBias`,
 * `ItemIdEmbedding` and collaborative part), training by `trainMarsBlocks` (`marsTrainingRun`;
 * the BPR step `marsBprLoss` in the fit loop), ranking by `serving/` (`computeItemVectors`,
 * `scoreHistories`, `rankHistories`, `explainAttention`; `searchCatalogue` over a
 * `CatalogueIndex`), and the full-ranking evaluator of `mars-rec/metrics` over
 * `historiesOfRows`. Every step is public: nothing here is out of reach of a user composing the
 * blocks.
 *
 * @example
 * ```ts
 * import { formatMetricsTable, MarsModel } from 'mars-rec';
 * import { loadDataset, splitPerUser } from 'mars-rec/data';
 *
 * const { dataset } = await loadDataset({ items: 'items.jsonl', interactions: 'interactions.csv', minRating: 4 });
 * const split = splitPerUser(dataset, { trainFraction: 0.3, seed: 1 });
 * const model = MarsModel.create({ outputDim: 64 });
 * const fit = await model.fit(
 *   { itemIds: dataset.itemIds, itemTexts: dataset.itemTexts, train: split.train, validation: split.validation },
 *   { verbose: true }, // progress on stderr; the default budget stops when validation stops improving
 * );
 * console.log(fit.summary);
 * console.log(formatMetricsTable(await model.evaluate(split.test, split.train)));
 * const history = split.historyOf(0); // item ids, oldest first
 * const top = await model.recommend(history, { k: 10 });
 * const why = await model.explain(history, top[0].id);
 * if (why.uniformity.nearUniform) console.log('every history item contributes about equally');
 * await model.save('./my-model'); // MarsModel.load('./my-model') scores identically
 * ```
 */
export class MarsModel {
  /** The resolved architecture. */
  readonly config: MarsConfig;
  private parts?: Omit<MarsModelParts, 'config'>;
  private servingIndex?: CatalogueIndex;
  private readonly vectors = new ItemVectorCache(() => {
    const { blocks, catalog } = this.requireTrained('score');
    return computeItemVectors(blocks, catalog.tokens);
  });

  private constructor(config: MarsConfig) {
    this.config = config;
  }

  /** A new, untrained model; see {@link MarsConfig} for the fields and their defaults. */
  static create(config: Partial<MarsConfig> = {}): MarsModel {
    return new MarsModel(resolveMarsConfig(config));
  }

  /** The item catalogue (ids and encoded texts); undefined before the first `fit` or `load`. */
  get catalog(): ItemCatalog | undefined {
    return this.parts?.catalog;
  }

  /**
   * Trains with BPR (report eq. 3 and 4). The first call fits the tokenizer and vocabulary on
   * the item texts, builds the layers and fits the collaborative part; later calls continue
   * training the same weights on the same catalogue.
   */
  async fit(data: MarsTrainingData, options: FitOptions = {}): Promise<FitResult> {
    checkTrainingData(data);
    const { train, validation, heldOut } = validationForFit(data.train, data.validation, options);
    let built: BuiltMarsModel | undefined;
    if (this.parts) checkSameCatalogue(this.parts.catalog.ids, data);
    else
      this.parts = (built = await buildMarsModel(this.config, { ...data, train, validation }, options)).parts;
    const { blocks, catalog } = this.parts;
    this.vectors.invalidate();
    const run = marsTrainingRun(blocks, catalog.tokens, { train, validation }, this.config, {
      evaluate: async (targets, users, metric) =>
        (await this.evaluate(targets, train, { metrics: [metric], users })).mean,
      onWeightsChanged: () => this.vectors.invalidate(),
    });
    return withFirstFit(await trainMarsBlocks(run, options), built, heldOut);
  }

  /**
   * Full-ranking evaluation (the report's protocol): each user's memory is their `history` row
   * (`historiesOfRows`: oldest first, capped at `maxHistory`); every item is scored, the history
   * items are excluded, and the metrics are computed against `targets`.
   * @param targets - held-out positives (validation or test), users x items.
   * @param history - training positives, same shape; used as memory and excluded from ranking.
   */
  async evaluate(
    targets: CsrMatrix,
    history: CsrMatrix,
    options: EvaluateOptions = {},
  ): Promise<RankingEvaluation> {
    const { catalog } = this.requireTrained('evaluate');
    const { maxHistory } = this.config;
    return evaluateRanking({
      itemCount: catalog.size,
      targets,
      exclude: history,
      users: options.users,
      onProgress: options.onProgress,
      metrics: options.metrics ?? DEFAULT_EVALUATION_METRICS,
      userBatchSize: options.userBatchSize ?? EVALUATION_USER_BATCH,
      // rows are the training users: a collaborative part adds their user term
      score: (users) => this.scoreItemsForHistories(historiesOfRows(history, users, maxHistory), users),
    });
  }

  /**
   * Scores every catalogue item for each given history, with cached item and memory vectors.
   * @param histories - one list of item indices per user, oldest first (capped by `capHistory`).
   * @param users - with a collaborative part (`collaborativeFactors`), the training user (row of
   *   `train`) of each history, -1 for none; default none (the collaborative user vector of an
   *   anonymous history is folded in from its items).
   * @returns row-major `[histories.length, items]` scores.
   */
  async scoreItemsForHistories(
    histories: readonly Int32Array[],
    users?: ArrayLike<number>,
  ): Promise<Float32Array> {
    if (users && users.length !== histories.length)
      throw new RangeError(`scoreItemsForHistories: ${users.length} users for ${histories.length} histories`);
    const { blocks } = this.requireTrained('score');
    const { maxHistory, aggregation } = this.config;
    const capped = histories.map((history) => capHistory(history, maxHistory));
    return scoreHistories(await this.vectors.get(), capped, {
      aggregation,
      collaborative: blocks.collaborative,
      users: users ? Int32Array.from(users) : undefined,
    });
  }

  /**
   * The top `k` items for a user given their history (item ids, oldest first; an id given
   * twice counts once, at its most recent position, and the most recent `maxHistory` are
   * used). History items are never recommended.
   */
  async recommend(history: readonly string[], options: RecommendOptions = {}): Promise<Recommendation[]> {
    const { user, ...rest } = options;
    return (
      await this.recommendMany([history], { ...rest, users: user === undefined ? undefined : [user] })
    )[0];
  }

  /** {@link MarsModel.recommend} for many users at once, scored in batches (`RANK_HISTORIES_BATCH`). */
  async recommendMany(
    histories: readonly (readonly string[])[],
    options: RecommendOptions = {},
  ): Promise<Recommendation[][]> {
    const { catalog, blocks } = this.requireTrained('recommend');
    const { maxHistory } = this.config;
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 1)
      throw new RangeError(`recommend: k must be a positive integer, got ${k}`);
    const users = checkUsers('recommend', options.users, histories.length, blocks.collaborative);
    if (options.exact || options.approximate) {
      const index = this.requireIndex('recommend');
      const search = servingSearchOf(options);
      const userVectorOf = (row: number, history: readonly string[]): Float32Array =>
        this.userVector(history, { user: users?.[row] });
      return searchCatalogue(index, histories, { ...options, k, search, maxHistory, userVectorOf });
    }
    const indices = histories.map((history, user) =>
      catalog.historyIndices(history, `history item (user ${user})`),
    );
    const exclude = catalog.indicesOf(options.exclude ?? [], 'excluded item');
    const allowed = options.candidates && new Set(catalog.indicesOf(options.candidates, 'candidate item'));
    const score = (batch: readonly Int32Array[], start: number): Promise<Float32Array> =>
      this.scoreItemsForHistories(batch, users?.slice(start, start + batch.length));
    return rankHistories(catalog.ids, indices, score, { k, exclude, allowed });
  }

  /**
   * The attention weight of each history item for one candidate: how much each remembered item
   * shaped the adaptive user vector u = C a for that candidate (the paper's case study), and
   * `uniformity`: whether the weights single any item out at all (`nearUniform` when every
   * history item contributes about equally).
   */
  async explain(
    history: readonly string[],
    item: string,
    options: { user?: number } = {},
  ): Promise<AttentionExplanation> {
    const { catalog, blocks } = this.requireTrained('explain');
    const user = checkUser('explain', options.user, blocks.collaborative);
    const kept = capHistory(catalog.historyIndices(history), this.config.maxHistory);
    const [candidate] = catalog.indicesOf([item], 'candidate item');
    const settings = { aggregation: this.config.aggregation, collaborative: blocks.collaborative, user };
    const read = await explainAttention(await this.vectors.get(), kept, candidate, settings);
    const weights = Array.from(kept, (index, k) => ({ id: catalog.ids[index], weight: read.weights[k] }));
    return { item, score: read.score, history: weights, uniformity: read.uniformity };
  }

  /** The catalogue index that `recommend` searches with `exact` or `approximate` (see {@link MarsModel.buildIndex}). */
  get index(): CatalogueIndex | undefined {
    return this.servingIndex;
  }

  /**
   * Builds a {@link CatalogueIndex} of the model's catalogue (its item and memory vectors,
   * collaborative factors and biases, in a vector engine: usearch by default) and attaches it, so
   * that `recommend` can search it (`exact`, `approximate`). Save it with `index.save(dir)`;
   * the model frees it on `dispose`.
   */
  async buildIndex(options: CatalogueIndexOptions = {}): Promise<CatalogueIndex> {
    const { catalog, blocks } = this.requireTrained('buildIndex');
    const columns = await catalogueColumns(await this.vectors.get(), blocks.collaborative);
    const { outputDim, aggregation } = this.config;
    const factors = blocks.collaborative?.factors ?? 0;
    const index = await CatalogueIndex.build(catalog.ids, columns, outputDim, factors, {
      aggregation,
      ...options,
    });
    this.useIndex(index);
    return index;
  }

  /**
   * Attaches a catalogue index (built by {@link MarsModel.buildIndex}, or `CatalogueIndex.load` of
   * a saved one) or detaches it (`undefined`).
   */
  useIndex(index: CatalogueIndex | undefined): void {
    if (index) {
      const { blocks } = this.requireTrained('useIndex');
      const { outputDim: textDim, aggregation } = this.config;
      const collaborativeDim = blocks.collaborative?.factors ?? 0;
      checkIndexMatches(index, { textDim, collaborativeDim, aggregation }, 'MarsModel.useIndex');
    }
    if (this.servingIndex && this.servingIndex !== index) this.servingIndex.dispose();
    this.servingIndex = index;
  }

  /**
   * The scoring columns of items unseen in training, from their text alone (the model's
   * tokenizer, vocabulary and encoders; no retraining): what {@link MarsModel.indexItems} adds.
   */
  async encodeItems(texts: readonly string[]): Promise<ScoringColumns> {
    const { tokenizer, vocabulary, blocks } = this.requireTrained('encodeItems');
    const items = texts.map((text, position) => ({ id: String(position), text }));
    const maxLength = this.config.maxDocumentLength;
    return coldItemColumns(blocks, encodeCorpus(items, tokenizer, vocabulary, { maxLength }));
  }

  /**
   * Adds new items to the attached index, or updates edited ones, with vectors from their text
   * alone: no retraining. An edited item keeps what was learned about it by id (its
   * collaborative factors and bias); its text vectors are recomputed.
   */
  async indexItems(
    items: readonly { id: string; text: string }[],
  ): Promise<{ added: number; replaced: number }> {
    const index = this.requireIndex('indexItems');
    checkItemTexts(items, 'MarsModel.indexItems');
    const ids = items.map((item) => item.id);
    const columns = await this.encodeItems(items.map((item) => item.text));
    return index.upsert(ids, keepLearnedColumns(index, ids, columns));
  }

  /** Removes items from the attached index: they are never recommended again. @returns how many were there. */
  async removeItems(ids: readonly string[]): Promise<number> {
    return this.requireIndex('removeItems').remove(ids);
  }

  /**
   * The collaborative user vector the model scores a history with: the learned p_u of a training
   * user, or the fold-in of the history's most recent `maxHistory` distinct items (those of the
   * model's catalogue; an id given twice counts once, as in `recommend`); empty without a
   * collaborative part.
   */
  userVector(history: readonly string[], options: { user?: number } = {}): Float32Array {
    const { catalog, blocks } = this.requireTrained('userVector');
    const user = checkUser('userVector', options.user, blocks.collaborative);
    if (!blocks.collaborative) return new Float32Array(0);
    const distinct = uniqueHistory(history);
    const recent = catalog.knownIndicesOf(
      distinct.slice(Math.max(0, distinct.length - this.config.maxHistory)),
    );
    return collaborativeUserVectors(blocks.collaborative, [user], () => recent);
  }

  /**
   * Saves everything needed to rank again: config, tokenizer, vocabulary, item ids and encoded
   * texts, and weights by name, as one artifact (a directory in Node, or any tfjs IO handler or
   * URL scheme such as `indexeddb://name` in the browser).
   */
  async save(location: ArtifactLocation): Promise<void> {
    await saveMarsModel(location, { config: this.config, ...this.requireTrained('save') });
  }

  /** Loads a model written by {@link MarsModel.save} (or by earlier versions); it scores exactly as the saved one. */
  static async load(location: ArtifactLocation): Promise<MarsModel> {
    const { config, ...parts } = await loadMarsModel(location);
    const model = new MarsModel(config);
    model.parts = parts;
    return model;
  }

  /**
   * The weights block by block (text CNNs, item bias, item-ID embedding, collaborative part) with
   * their shapes and parameter counts; `formatModelSummary` prints it as a table.
   */
  summary(): ModelSummary {
    return summarizeMarsBlocks(this.requireTrained('summary').blocks);
  }

  /** Frees every tensor the model holds. */
  dispose(): void {
    this.servingIndex?.dispose();
    this.servingIndex = undefined;
    this.vectors.invalidate();
    if (this.parts) disposeMarsBlocks(this.parts.blocks);
  }

  private requireIndex(operation: string): CatalogueIndex {
    if (!this.servingIndex)
      throw new Error(
        `MarsModel.${operation}: no catalogue index is attached; build one with model.buildIndex() (or 'mars-rec index'), or load one with CatalogueIndex.load and model.useIndex`,
      );
    return this.servingIndex;
  }

  private requireTrained(operation: string): Omit<MarsModelParts, 'config'> {
    if (!this.parts)
      throw new Error(
        `MarsModel.${operation}: the model has not been trained or loaded yet; call fit() or MarsModel.load() first`,
      );
    return this.parts;
  }
}
