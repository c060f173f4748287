import type { CsrMatrix } from '../data/csr';
import { disposeMarsBlocks } from '../layers/mars-blocks';
import { evaluateRanking } from '../metrics/evaluate-ranking';
import type { RankingEvaluation } from '../metrics/evaluate-ranking';
import { topK } from '../metrics/top-k';
import { capHistory, historyOfRow } from '../ragged/cap-history';
import { explainAttention } from '../serving/explain-attention';
import { computeItemVectors, ItemVectorCache } from '../serving/item-vectors';
import { scoreHistories } from '../serving/score-histories';
import { CatalogueIndex } from '../serving/catalogue-index';
import type { CatalogueIndexOptions, ServingSearch } from '../serving/catalogue-index';
import { catalogueColumns, coldItemColumns } from '../serving/model-columns';
import type { ScoringColumns } from '../serving/scoring-table';
import { collaborativeUserVectors } from '../collaborative/fold-in';
import { encodeCorpus } from '../text/encode-corpus';
import { DEFAULT_SEED } from '../training/defaults';
import { validationForFit } from '../training/hold-out';
import { trainMarsBlocks } from '../training/train-mars';
import type { ArtifactLocation } from './artifact';
import type { ItemCatalog } from './catalog';
import { resolveMarsConfig } from './config';
import type { MarsConfig } from './config';
import { checkTrainingData } from './fit-options';
import type { FitOptions, FitResult, MarsTrainingData } from './fit-options';
import { DEFAULT_EVALUATION_METRICS, EVALUATION_USER_BATCH } from './mars-model-options';
import type {
  AttentionExplanation,
  EvaluateOptions,
  Recommendation,
  RecommendOptions,
} from './mars-model-options';
import { buildMarsModel, checkUsers, withFirstFit } from './build-model';
import type { BuiltMarsModel } from './build-model';
import { summarizeMarsBlocks } from './model-summary';
import type { ModelSummary } from './model-summary';
import { loadMarsModel, saveMarsModel } from './persistence';
import { uniqueHistory } from './unique-history';
import type { MarsModelParts } from './persistence';

/** Histories scored per batch by `recommendMany`. */
const RECOMMEND_BATCH = 64;

/**
 * MARS, the Memory Attention-Aware Recommender System (Zheng et al. 2019), wired from the
 * library's building blocks: the text pipeline (`Tokenizer`, `Vocabulary`, `ItemCatalog`), the
 * blocks of `buildMarsBlocks` (two `TextCnnEncoder`s, `MemoryAttention`, optional `ItemBias`,
 * `ItemIdEmbedding` and collaborative part), training by `trainMarsBlocks` (the BPR step
 * `marsBprLoss` in the fit loop), ranking by `serving/` (`computeItemVectors`, `scoreHistories`,
 * `explainAttention`), and the full-ranking evaluator of `mars-rec/metrics`. Nothing here is out
 * of reach of a user composing the blocks.
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
    const seed = options.seed ?? DEFAULT_SEED;
    const { train, validation, heldOut } = validationForFit(data.train, data.validation, {
      ...options,
      seed,
    });
    let built: BuiltMarsModel | undefined;
    if (this.parts) this.checkSameItems(data);
    else
      this.parts = (built = await buildMarsModel(this.config, { ...data, train, validation }, options)).parts;
    const { blocks, catalog } = this.parts;
    blocks.itemBias?.markSeen(train);
    blocks.itemIdEmbedding?.markSeen(train);
    this.vectors.invalidate();
    const outcome = await trainMarsBlocks(
      {
        blocks,
        documents: catalog.tokens,
        train,
        validation,
        maxHistory: this.config.maxHistory,
        lambdaU: this.config.lambdaU,
        lambdaV: this.config.lambdaV,
        evaluate: async (targets, users, metric) =>
          (await this.evaluate(targets, train, { metrics: [metric], users })).mean,
        onWeightsChanged: () => this.vectors.invalidate(),
        // a warm-started collaborative part is a ranking already: the first candidate of the
        // best-weights selection, so training can only keep or improve it on validation
        atStart: blocks.collaborative
          ? { start: 'the collaborative part alone', trained: 'the text part' }
          : undefined,
      },
      options,
    );
    return withFirstFit(outcome, built, heldOut);
  }

  /**
   * Full-ranking evaluation (the report's protocol): each user's memory is their `history` row
   * (`historyOfRow`: oldest first, capped at `maxHistory`); every item is scored, the history
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
    return evaluateRanking({
      itemCount: catalog.size,
      targets,
      exclude: history,
      users: options.users,
      onProgress: options.onProgress,
      metrics: options.metrics ?? DEFAULT_EVALUATION_METRICS,
      userBatchSize: options.userBatchSize ?? EVALUATION_USER_BATCH,
      // rows are the training users: a collaborative part adds their user term
      score: (users) =>
        this.scoreCapped(
          Array.from(users, (user) => historyOfRow(history, user, this.config.maxHistory)),
          users,
        ),
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
    const capped = histories.map((history) => capHistory(history, this.config.maxHistory));
    return this.scoreCapped(capped, users ? Int32Array.from(users) : undefined);
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

  /** {@link MarsModel.recommend} for many users at once, scored in batches. */
  async recommendMany(
    histories: readonly (readonly string[])[],
    options: RecommendOptions = {},
  ): Promise<Recommendation[][]> {
    const { catalog } = this.requireTrained('recommend');
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 1)
      throw new RangeError(`recommend: k must be a positive integer, got ${k}`);
    if (options.exact || options.approximate) return this.recommendFromIndex(histories, options, k);
    const indices = histories.map((history, user) =>
      catalog.indicesOf(uniqueHistory(history), `history item (user ${user})`),
    );
    const excluded = catalog.indicesOf(options.exclude ?? [], 'excluded item');
    const users = checkUsers('recommend', options.users, histories.length, this.parts?.blocks.collaborative);
    const allowed = options.candidates && new Set(catalog.indicesOf(options.candidates, 'candidate item'));
    const results: Recommendation[][] = [];
    for (let start = 0; start < indices.length; start += RECOMMEND_BATCH) {
      const slice = indices.slice(start, start + RECOMMEND_BATCH);
      const scores = await this.scoreItemsForHistories(slice, users?.slice(start, start + RECOMMEND_BATCH));
      slice.forEach((history, row) => {
        const rowScores = scores.subarray(row * catalog.size, (row + 1) * catalog.size);
        const skip = new Set<number>([...history, ...excluded]);
        if (allowed) for (let i = 0; i < catalog.size; i++) if (!allowed.has(i)) skip.add(i);
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
    const { catalog, blocks } = this.requireTrained('explain');
    const users = options.user === undefined ? undefined : [options.user];
    const [user] = checkUsers('explain', users, 1, blocks.collaborative) ?? [-1];
    const kept = capHistory(
      catalog.indicesOf(uniqueHistory(history), 'history item'),
      this.config.maxHistory,
    );
    const [candidate] = catalog.indicesOf([item], 'candidate item');
    const { weights, score } = await explainAttention(await this.vectors.get(), kept, candidate, {
      aggregation: this.config.aggregation,
      collaborative: blocks.collaborative,
      user,
    });
    const read = Array.from(kept, (index, position) => ({
      id: catalog.ids[index],
      weight: weights[position],
    }));
    return { item, score, history: read };
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
    const index = await CatalogueIndex.build(
      catalog.ids,
      columns,
      this.config.outputDim,
      blocks.collaborative?.factors ?? 0,
      { aggregation: this.config.aggregation, ...options },
    );
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
      const factors = blocks.collaborative?.factors ?? 0;
      if (index.table.textDim !== this.config.outputDim || index.table.collaborativeDim !== factors)
        throw new RangeError(
          `MarsModel.useIndex: the index holds vectors of ${index.table.textDim} + ${index.table.collaborativeDim} numbers, the model ${this.config.outputDim} + ${factors}: it was built from another model`,
        );
      if (index.aggregation !== this.config.aggregation)
        throw new RangeError(
          `MarsModel.useIndex: the index reads the memory by '${index.aggregation}', the model by '${this.config.aggregation}'`,
        );
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
    const documents = encodeCorpus(
      texts.map((text, position) => ({ id: String(position), text })),
      tokenizer,
      vocabulary,
      { maxLength: this.config.maxDocumentLength },
    );
    return coldItemColumns(blocks, documents);
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
    items.forEach((item, position) => {
      if (typeof item?.id !== 'string' || typeof item.text !== 'string')
        throw new TypeError(`MarsModel.indexItems: item ${position} needs a string id and a string text`);
    });
    const columns = await this.encodeItems(items.map((item) => item.text));
    const { itemFactors, biases } = index.table.view;
    const f = index.table.collaborativeDim;
    items.forEach((item, k) => {
      const row = index.rowOf(item.id);
      if (row === undefined) return;
      columns.itemFactors.set(itemFactors.subarray(row * f, (row + 1) * f), k * f);
      columns.biases[k] = biases[row];
    });
    return index.upsert(
      items.map((item) => item.id),
      columns,
    );
  }

  /** Removes items from the attached index: they are never recommended again. @returns how many were there. */
  async removeItems(ids: readonly string[]): Promise<number> {
    return this.requireIndex('removeItems').remove(ids);
  }

  /**
   * The collaborative user vector the model scores a history with: the learned p_u of a training
   * user, or the fold-in of the history's most recent `maxHistory` items (those of the model's
   * catalogue); empty without a collaborative part.
   */
  userVector(history: readonly string[], options: { user?: number } = {}): Float32Array {
    const { catalog, blocks } = this.requireTrained('userVector');
    const part = blocks.collaborative;
    const users = checkUsers('userVector', options.user === undefined ? undefined : [options.user], 1, part);
    if (!part) return new Float32Array(0);
    const capped = history.slice(Math.max(0, history.length - this.config.maxHistory));
    const known = Int32Array.from(
      capped.map((id) => catalog.indexOf(id)).filter((index): index is number => index !== undefined),
    );
    return collaborativeUserVectors(part, users ?? [-1], () => known);
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

  private checkSameItems(data: MarsTrainingData): undefined {
    const ids = this.parts?.catalog.ids ?? [];
    if (data.itemIds.length !== ids.length || data.itemIds.some((id, i) => id !== ids[i]))
      throw new RangeError(
        'MarsModel.fit: the items differ from the catalogue this model was first trained on',
      );
    return undefined;
  }

  /** Scores capped histories with the cached item vectors. */
  private async scoreCapped(histories: readonly Int32Array[], users?: Int32Array): Promise<Float32Array> {
    const { blocks } = this.requireTrained('score');
    return scoreHistories(await this.vectors.get(), histories, {
      aggregation: this.config.aggregation,
      collaborative: blocks.collaborative,
      users,
    });
  }

  /** `recommendMany` through the attached index (exact or approximate). */
  private async recommendFromIndex(
    histories: readonly (readonly string[])[],
    options: RecommendOptions,
    k: number,
  ): Promise<Recommendation[][]> {
    const index = this.requireIndex('recommend');
    if (options.exact && options.approximate)
      throw new RangeError('recommend: give exact or approximate, not both');
    const search: ServingSearch = options.exact
      ? { mode: 'exact' }
      : {
          mode: 'approximate',
          candidates: typeof options.approximate === 'object' ? options.approximate.candidates : undefined,
        };
    const users = checkUsers('recommend', options.users, histories.length, this.parts?.blocks.collaborative);
    const excluded = index.rowsOf(options.exclude ?? [], 'excluded item');
    const allowed = options.candidates && new Set(index.rowsOf(options.candidates, 'candidate item'));
    const results: Recommendation[][] = [];
    for (const [row, history] of histories.entries()) {
      const rows = index.rowsOf(history, `history item (user ${row})`);
      const userVector = this.userVector(history, { user: users?.[row] });
      const query = index.query(capHistory(rows, this.config.maxHistory), userVector);
      const top = await index.topK(query, { k, exclude: new Set([...rows, ...excluded]), allowed }, search);
      results.push(
        Array.from(top.rows, (item, position) => ({ id: index.ids[item], score: top.scores[position] })),
      );
    }
    return results;
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
