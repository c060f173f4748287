import { compileKernels, instantiateKernels } from '../../kernels/load-kernels';
import type { KernelExports } from '../../kernels/kernel-exports';
import { historyMatrix } from '../../ragged/history-matrix';
import type { RaggedRows } from '../../ragged/ragged-rows';
import { uniqueRows } from '../../ragged/unique-rows';
import type { TripletBatch } from '../../sampling/bpr-triplet-sampler';
import { KernelThreads } from './kernel-threads';
import type { KernelJob } from './kernel-threads';
import { padToVector, ParameterLayout, readSlot, writeSlot } from './parameter-layout';
import type { EncoderSlots, FastCpuShape, FastCpuWeights, ParameterSlot } from './parameter-layout';
import { SharedArena } from './shared-arena';
import { splitByCost, splitEvenly } from './work-split';
import type { Ranges } from './work-split';

/** The optimizers the fast CPU step implements (those of `FitOptions.optimizer` by name). */
export type FastCpuOptimizer = 'adam' | 'lazy-adam' | 'sgd';

/** Everything the fast CPU step needs besides the weights; sizes in the units of their names. */
export interface FastCpuTrainerOptions extends Omit<
  FastCpuShape,
  'encoderCount' | 'itemBias' | 'itemIdEmbedding'
> {
  /** The token ids of every item (row = item index), as the model's catalogue holds them. */
  documents: RaggedRows;
  /** One encoder for both sides (documents of both sides deduplicated together). Default false. */
  sharedEncoder?: boolean;
  /** `'attention'` (MARS) or `'mean'`. Default `'attention'`. */
  aggregation?: 'attention' | 'mean';
  /** lambda_u of eq. 4. Default 1e-4. */
  lambdaU?: number;
  /** lambda_v of eq. 4. Default 1e-4. */
  lambdaV?: number;
  /** Longest history kept, in items (the last ones are kept). Default 50. */
  maxHistory?: number;
  /** Whether the word embeddings train. Default true. */
  trainableWordEmbeddings?: boolean;
  /** Optimizer. Default `'adam'`. */
  optimizer?: FastCpuOptimizer;
  /** Learning rate. Default 0.001. */
  learningRate?: number;
  /** Adam's beta1, beta2 and epsilon. Defaults 0.9, 0.999, 1e-7 (TF.js's on cpu and wasm). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /**
   * `[items]` 1 for items seen in training, 0 for cold items: the item bias and item-ID
   * embedding apply to seen items only. Default: every item seen.
   */
  seenItems?: Float32Array;
  /** The fixed bias of cold items (`seenItems` 0). Default 0. */
  coldItemBias?: number;
  /**
   * Threads, the calling one included (Node's worker_threads for the others). Default: the
   * available cores. Results are deterministic for a given thread count.
   */
  threads?: number;
}

/** What {@link FastCpuTrainer.forwardBackward} returns. */
export interface FastCpuForward {
  /** The BPR loss of eq. 4, averaged over the batch. */
  loss: number;
  /** `[batch, 2]` scores r of (j, j'), fixed scores and item biases included. */
  scores: Float32Array;
}

/** One side of a step: the deduplicated documents one encoder encodes, and its buffers. */
interface Side {
  encoder: number;
  /** Item index of each document row. */
  items: Int32Array;
  wordCount: number;
  offsets: number;
  local: number;
  words: number;
  projections: number;
  pooled: number;
  winners: number;
  upstreamPooled: number;
  vectors: number;
  vectorGradients: number;
  /** Per thread i32 scratch of the max-pool kernels (row addresses, the backward's sort). */
  scratch: number[];
  /** Per thread `[words, E']` embedding gradient buffers, and the table of their addresses. */
  embeddingParts: number[];
  embeddingPartTable: number;
  projectionRows: Ranges;
  documents: Ranges;
  wordRows: Ranges;
}

/** Per-encoder, per-thread gradient buffer: `[columns, E']` kernel, `[K F']` conv bias, `[K F', d']` dense kernel, `[d']` dense bias. */
interface GradientBlock {
  bytes: number;
  kernel: number;
  convolutionBias: number;
  denseKernel: number;
  denseBias: number;
}

const DEFAULT_STEP_BYTES = 32 * 2 ** 20;

/**
 * MARS's training step on the CPU without TensorFlow.js: the weights live in typed arrays in
 * one shared WebAssembly memory, and WebAssembly SIMD kernels (`src/kernels`) compute the step
 * (report eq. 3 and 4):
 *
 * 1. each side's unique words are projected once per step (P = E[U] W, one matrix product);
 * 2. a fused gather-sum + bias + ReLU + masked max-pool kernel encodes the deduplicated
 *    documents, keeping each (document, filter) winner; the output layer follows;
 * 3. attention + BPR loss, forward and backward, on typed arrays;
 * 4. the backward pass touches only the winners (sparse), giving the embedding gradient of the
 *    step's unique words and the kernel gradients;
 * 5. Adam (dense, as tf.train.adam; or lazy, or SGD) updates the weights in place.
 *
 * The deduplicated documents of a step (not the triplets) are split between threads (Node's
 * worker_threads over the same memory); per-thread gradients are summed in thread order, so a
 * run is deterministic for a seed and a thread count. It computes what the TF.js path computes
 * (same weights, outputs and gradients within float tolerance): the model copies its weights in
 * and reads them back ({@link FastCpuTrainer.weights}).
 */
export class FastCpuTrainer {
  /** Threads used, the calling one included. */
  readonly threads: number;
  private readonly layout: ParameterLayout;
  private readonly arena: SharedArena;
  private readonly kernels: KernelExports;
  private readonly pool: KernelThreads;
  private readonly documents: RaggedRows;
  private readonly settings: Required<Omit<FastCpuTrainerOptions, 'documents' | 'seenItems' | 'threads'>>;
  private readonly seenItems?: Float32Array;
  /** Addresses of the parameter, first-moment, second-moment and gradient blocks. */
  private readonly parameters: number;
  private readonly firstMoments: number;
  private readonly secondMoments: number;
  private readonly gradientBlock: number;
  /** Per encoder: `[E', columns]` and `[columns, E']` laid-out kernels. */
  private readonly flatKernels: number[];
  private readonly flatKernelsT: number[];
  /** Per encoder, per thread. */
  private readonly gradientBlocks: GradientBlock[][];
  private readonly gradientBlockTables: number[];
  private readonly zeros: number;
  /** Word -> position among the side's unique words, valid where `wordStamp` equals the current stamp. */
  private readonly wordSlot: Int32Array;
  private readonly wordStamp: Uint32Array;
  private stamp = 0;
  private sides: Side[] = [];
  /** Items whose bias or ID-embedding gradient the last step wrote (zeroed after the update). */
  private touchedItems = new Int32Array(0);
  private pending = false;
  private updates = 0;
  private accumulatedBeta1: number;
  private accumulatedBeta2: number;

  private constructor(
    layout: ParameterLayout,
    arena: SharedArena,
    kernels: KernelExports,
    pool: KernelThreads,
    options: FastCpuTrainerOptions,
  ) {
    this.layout = layout;
    this.arena = arena;
    this.kernels = kernels;
    this.pool = pool;
    this.threads = pool.threads;
    this.documents = options.documents;
    this.seenItems = options.seenItems;
    this.settings = {
      vocabularySize: options.vocabularySize,
      embeddingDim: options.embeddingDim,
      filters: options.filters,
      kernelSizes: [...options.kernelSizes],
      outputDim: options.outputDim,
      itemCount: options.itemCount,
      sharedEncoder: options.sharedEncoder ?? false,
      aggregation: options.aggregation ?? 'attention',
      lambdaU: options.lambdaU ?? 1e-4,
      lambdaV: options.lambdaV ?? 1e-4,
      maxHistory: options.maxHistory ?? 50,
      trainableWordEmbeddings: options.trainableWordEmbeddings ?? true,
      optimizer: options.optimizer ?? 'adam',
      learningRate: options.learningRate ?? 0.001,
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.999,
      epsilon: options.epsilon ?? 1e-7,
      coldItemBias: options.coldItemBias ?? 0,
    };
    this.accumulatedBeta1 = Math.fround(this.settings.beta1);
    this.accumulatedBeta2 = Math.fround(this.settings.beta2);
    const blockBytes = layout.total * 4;
    this.parameters = arena.allocate(blockBytes);
    this.firstMoments = arena.allocate(blockBytes);
    this.secondMoments = arena.allocate(blockBytes);
    this.gradientBlock = arena.allocate(blockBytes);
    const { depth, columns, features, width } = layout;
    this.flatKernels = layout.encoders.map(() => arena.allocate(depth * columns * 4));
    this.flatKernelsT = layout.encoders.map(() => arena.allocate(depth * columns * 4));
    this.gradientBlocks = layout.encoders.map(() =>
      Array.from({ length: this.threads }, () => {
        const kernel = arena.allocate(columns * depth * 4);
        const convolutionBias = arena.allocate(features * 4);
        const denseKernel = arena.allocate(features * width * 4);
        const denseBias = arena.allocate(width * 4);
        return { bytes: arena.allocate(0) - kernel, kernel, convolutionBias, denseKernel, denseBias };
      }),
    );
    this.gradientBlockTables = this.gradientBlocks.map((blocks) =>
      this.addressTable(blocks.map((block) => block.kernel)),
    );
    this.zeros = arena.allocate(layout.filters * 4);
    arena.markStepBase();
    this.wordSlot = new Int32Array(this.settings.vocabularySize);
    this.wordStamp = new Uint32Array(this.settings.vocabularySize);
  }

  /**
   * Compiles the kernels, copies the weights in and starts the worker threads.
   * @param weights - the model's current weights (TF.js layouts); copied, not kept.
   * @throws RangeError on inconsistent sizes or a token id outside the vocabulary.
   */
  static async create(weights: FastCpuWeights, options: FastCpuTrainerOptions): Promise<FastCpuTrainer> {
    const shape: FastCpuShape = {
      vocabularySize: options.vocabularySize,
      embeddingDim: options.embeddingDim,
      filters: options.filters,
      kernelSizes: [...options.kernelSizes],
      outputDim: options.outputDim,
      itemCount: options.itemCount,
      encoderCount: options.sharedEncoder ? 1 : 2,
      itemBias: weights.itemBias !== undefined,
      itemIdEmbedding: weights.itemIdEmbedding !== undefined,
    };
    checkOptions(shape, options, weights);
    const threads = options.threads ?? (await availableCores());
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`FastCpuTrainer: threads must be a positive integer, got ${String(threads)}`);
    const layout = new ParameterLayout(shape);
    const arena = new SharedArena(layout.total * 16 + DEFAULT_STEP_BYTES);
    const module = await compileKernels();
    const kernels = await instantiateKernels(module, arena.memory);
    const pool = await KernelThreads.start(module, arena.memory, kernels, threads);
    const trainer = new FastCpuTrainer(layout, arena, kernels, pool, options);
    trainer.setWeights(weights);
    return trainer;
  }

  /** The current weights, copied out in TF.js layouts. */
  weights(): FastCpuWeights {
    return this.readBlock(this.parameters);
  }

  /** Replaces the weights (TF.js layouts); the optimizer state is kept. */
  setWeights(weights: FastCpuWeights): void {
    const block = this.arena.f32().subarray(this.parameters / 4, this.parameters / 4 + this.layout.total);
    this.layout.encoders.forEach((slots, e) => {
      const encoder = weights.encoders[e];
      writeSlot(block, slots.embedding, encoder.embedding, `encoder ${e} embedding`);
      slots.convolutionKernels.forEach((slot, i) =>
        writeSlot(block, slot, encoder.convolutionKernels[i], `encoder ${e} convolution kernel ${i}`),
      );
      slots.convolutionBiases.forEach((slot, i) =>
        writeSlot(block, slot, encoder.convolutionBiases[i], `encoder ${e} convolution bias ${i}`),
      );
      writeSlot(block, slots.denseKernel, encoder.denseKernel, `encoder ${e} dense kernel`);
      writeSlot(block, slots.denseBias, encoder.denseBias, `encoder ${e} dense bias`);
    });
    if (this.layout.itemBias)
      writeSlot(block, this.layout.itemBias, weights.itemBias as Float32Array, 'itemBias');
    if (this.layout.itemIdEmbedding)
      writeSlot(
        block,
        this.layout.itemIdEmbedding,
        weights.itemIdEmbedding as Float32Array,
        'itemIdEmbedding',
      );
  }

  /**
   * One training step: forward, backward and the optimizer update.
   * @param fixedScores - `[batch, 2]` scores added to (r_j, r_j') and kept fixed (the
   *   collaborative part), or none.
   * @returns the batch's loss (eq. 4).
   */
  step(batch: TripletBatch, fixedScores?: Float32Array): number {
    const { loss } = this.forwardBackward(batch, fixedScores);
    this.applyGradients();
    return loss;
  }

  /**
   * The forward and backward passes of one batch; the gradients stay in the trainer until
   * {@link FastCpuTrainer.applyGradients} (read them with {@link FastCpuTrainer.gradients}).
   */
  forwardBackward(batch: TripletBatch, fixedScores?: Float32Array): FastCpuForward {
    if (this.pending) this.clearGradients();
    const size = batch.positives.length;
    if (batch.negatives.length !== size || batch.historyOffsets.length !== size + 1)
      throw new RangeError(
        `FastCpuTrainer: the batch has ${size} positives, ${batch.negatives.length} negatives and ${batch.historyOffsets.length - 1} histories`,
      );
    if (fixedScores && fixedScores.length !== size * 2)
      throw new RangeError(
        `FastCpuTrainer: fixedScores has ${fixedScores.length} values, expected ${size * 2}`,
      );
    this.arena.resetStep();
    const slots = historyMatrix(
      { values: batch.historyItems, rowSplits: batch.historyOffsets },
      { maxHistory: this.settings.maxHistory, truncating: 'pre', padValue: -1 },
    );
    let historyRows: Int32Array;
    let positiveRows: Int32Array;
    let negativeRows: Int32Array;
    if (this.settings.sharedEncoder) {
      const unique = uniqueRows([slots.ids, batch.positives, batch.negatives], { ignore: -1 });
      this.checkItems(unique.ids);
      this.sides = [this.planSide(0, unique.ids)];
      [historyRows, positiveRows, negativeRows] = unique.inverse;
    } else {
      const memory = uniqueRows([slots.ids], { ignore: -1 });
      const candidates = uniqueRows([batch.positives, batch.negatives]);
      this.checkItems(memory.ids);
      this.checkItems(candidates.ids);
      this.sides = [this.planSide(0, memory.ids), this.planSide(1, candidates.ids)];
      historyRows = memory.inverse[0];
      [positiveRows, negativeRows] = candidates.inverse;
    }
    const memorySide = this.sides[0];
    const candidateSide = this.sides[this.sides.length - 1];
    const { width } = this.layout;

    // forward: projections, then pooled features and vectors
    this.layOutKernels();
    this.pool.run(this.perThread((t) => this.sides.flatMap((side) => this.projectionJobs(side, t))));
    this.pool.run(this.perThread((t) => this.sides.flatMap((side) => this.encodeJobs(side, t))));
    this.addItemIdEmbeddings();

    // attention + BPR loss, forward and backward (one thread: a few hundred kB of work)
    const history = this.arena.allocate(size * slots.width * 4);
    const rows = this.arena.allocate(size * 8);
    const fixed = this.arena.allocate(size * 8);
    const scores = this.arena.allocate(size * 8);
    const scoreGradients = this.arena.allocate(size * 8);
    const scratch = this.arena.allocate((4 * slots.width + 2 * width) * 4);
    const ints = this.arena.i32();
    ints.set(historyRows, history / 4);
    for (let b = 0; b < size; b++) {
      ints[rows / 4 + 2 * b] = positiveRows[b];
      ints[rows / 4 + 2 * b + 1] = negativeRows[b];
    }
    const candidateItems = new Int32Array(size * 2);
    for (let b = 0; b < size; b++) {
      candidateItems[2 * b] = batch.positives[b];
      candidateItems[2 * b + 1] = batch.negatives[b];
    }
    const hasFixed = this.writeFixedScores(fixed, candidateItems, fixedScores);
    for (const side of this.sides)
      this.arena
        .f32()
        .fill(0, side.vectorGradients / 4, side.vectorGradients / 4 + side.items.length * width);
    const loss = this.kernels.attentionBprLoss(
      memorySide.vectors,
      history,
      size,
      slots.width,
      candidateSide.vectors,
      rows,
      width,
      hasFixed ? fixed : 0,
      this.settings.lambdaU,
      this.settings.lambdaV,
      this.settings.aggregation === 'mean' ? 1 : 0,
      memorySide.vectorGradients,
      candidateSide.vectorGradients,
      scores,
      scoreGradients,
      scratch,
    );
    this.addItemGradients(candidateItems, scoreGradients);

    // backward: output layer and the winners' sparse gradients per thread, then their sums
    this.pool.run(this.perThread((t) => this.backwardJobs(t)));
    this.pool.run(this.perThread((t) => this.reductionJobs(t)));
    this.pending = true;
    return { loss, scores: this.arena.f32().slice(scores / 4, scores / 4 + size * 2) };
  }

  /** The gradients of the last {@link FastCpuTrainer.forwardBackward}, in TF.js layouts (zeros if none). */
  gradients(): FastCpuWeights {
    return this.readBlock(this.gradientBlock);
  }

  /** Applies the optimizer to the gradients of the last {@link FastCpuTrainer.forwardBackward}. */
  applyGradients(): void {
    if (!this.pending)
      throw new Error('FastCpuTrainer.applyGradients: no gradients; call forwardBackward first');
    this.updates++;
    const { optimizer, beta1, beta2 } = this.settings;
    let correction1: number;
    let correction2: number;
    if (optimizer === 'adam') {
      // tf.train.adam keeps beta^t as a float32 product
      correction1 = Math.fround(1 - this.accumulatedBeta1);
      correction2 = Math.fround(1 - this.accumulatedBeta2);
      this.accumulatedBeta1 = Math.fround(this.accumulatedBeta1 * Math.fround(beta1));
      this.accumulatedBeta2 = Math.fround(this.accumulatedBeta2 * Math.fround(beta2));
    } else {
      correction1 = 1 - beta1 ** this.updates;
      correction2 = 1 - beta2 ** this.updates;
    }
    this.pool.run(this.perThread((t) => this.optimizerJobs(t, correction1, correction2)));
    this.clearItemGradients();
    this.pending = false;
  }

  /** Stops the worker threads; the trainer cannot step afterwards (its weights stay readable). */
  async close(): Promise<void> {
    await this.pool.close();
  }

  // ---------------------------------------------------------------------------------- planning

  /** Writes a side's documents (token offsets, unique words, each token's word position) into the step region. */
  private planSide(encoder: number, items: Int32Array): Side {
    const { values, rowSplits } = this.documents;
    const documentCount = items.length;
    let tokens = 0;
    for (let d = 0; d < documentCount; d++) tokens += rowSplits[items[d] + 1] - rowSplits[items[d]];
    const offsets = this.arena.allocate((documentCount + 1) * 4);
    const local = this.arena.allocate(tokens * 4);
    const words = this.arena.allocate((tokens + 4) * 4);
    const ints = this.arena.i32();
    const stamp = ++this.stamp;
    const { wordSlot, wordStamp } = this;
    let wordCount = 0;
    let at = 0;
    let longest = 0;
    const localBase = local / 4;
    const wordBase = words / 4;
    for (let d = 0; d < documentCount; d++) {
      ints[offsets / 4 + d] = at;
      const end = rowSplits[items[d] + 1];
      longest = Math.max(longest, end - rowSplits[items[d]]);
      for (let p = rowSplits[items[d]]; p < end; p++) {
        const word = values[p];
        if (wordStamp[word] !== stamp) {
          wordStamp[word] = stamp;
          wordSlot[word] = wordCount;
          ints[wordBase + wordCount++] = word;
        }
        ints[localBase + at++] = wordSlot[word];
      }
    }
    ints[offsets / 4 + documentCount] = at;
    const paddedWords = padToVector(wordCount);
    ints.fill(0, wordBase + wordCount, wordBase + paddedWords); // padding rows project word 0, never read
    const { columns, features, width, depth } = this.layout;
    const projections = this.arena.allocate(paddedWords * columns * 4);
    const pooled = this.arena.allocate(documentCount * features * 4);
    const winners = this.arena.allocate(documentCount * features * 4);
    const upstreamPooled = this.arena.allocate(documentCount * features * 4);
    const vectors = this.arena.allocate(documentCount * width * 4);
    const vectorGradients = this.arena.allocate(documentCount * width * 4);
    const embeddingParts = this.settings.trainableWordEmbeddings
      ? Array.from({ length: this.threads }, () => this.arena.allocate(wordCount * depth * 4))
      : [];
    const embeddingPartTable = this.addressTable(embeddingParts);
    const widest = Math.max(...this.settings.kernelSizes);
    const scratchInts = Math.max(this.layout.filters + longest + 1, widest * longest);
    const scratch = Array.from({ length: this.threads }, () => this.arena.allocate(scratchInts * 4));
    const cost = (d: number) => ints[offsets / 4 + d + 1] - ints[offsets / 4 + d] + 16;
    return {
      encoder,
      items,
      wordCount,
      offsets,
      local,
      words,
      projections,
      pooled,
      winners,
      upstreamPooled,
      vectors,
      vectorGradients,
      scratch,
      embeddingParts,
      embeddingPartTable,
      projectionRows: splitEvenly(paddedWords, this.threads, 4),
      documents: splitByCost(documentCount, this.threads, cost),
      wordRows: splitEvenly(wordCount, this.threads),
    };
  }

  private checkItems(items: Int32Array): void {
    const count = this.documents.rowSplits.length - 1;
    for (const item of items)
      if (!(item >= 0 && item < count))
        throw new RangeError(`FastCpuTrainer: item ${item} is not a document row in [0, ${count})`);
  }

  // ---------------------------------------------------------------------------------- jobs

  private perThread(jobsOf: (thread: number) => KernelJob[]): KernelJob[][] {
    return Array.from({ length: this.threads }, (_, t) => jobsOf(t));
  }

  private slotAddress(block: number, slot: ParameterSlot): number {
    return block + slot.offset * 4;
  }

  private encoderSlots(side: Side): EncoderSlots {
    return this.layout.encoders[side.encoder];
  }

  private layOutKernels(): void {
    const { depth, filters, columns, columnOffsets } = this.layout;
    this.layout.encoders.forEach((slots, e) =>
      slots.convolutionKernels.forEach((slot, i) =>
        this.kernels.layOutKernel(
          this.slotAddress(this.parameters, slot),
          this.settings.kernelSizes[i],
          depth,
          filters,
          columnOffsets[i],
          columns,
          this.flatKernels[e],
          this.flatKernelsT[e],
        ),
      ),
    );
  }

  private projectionJobs(side: Side, thread: number): KernelJob[] {
    const [start, end] = side.projectionRows[thread];
    if (end <= start) return [];
    const { depth, columns } = this.layout;
    const table = this.slotAddress(this.parameters, this.encoderSlots(side).embedding);
    return [
      {
        kernel: 'projectWords',
        args: [
          table,
          depth,
          side.words,
          start,
          end,
          this.flatKernels[side.encoder],
          depth,
          columns,
          side.projections,
        ],
      },
    ];
  }

  private encodeJobs(side: Side, thread: number): KernelJob[] {
    const [start, end] = side.documents[thread];
    if (end <= start) return [];
    const { columns, filters, features, width, columnOffsets } = this.layout;
    const slots = this.encoderSlots(side);
    const jobs: KernelJob[] = this.settings.kernelSizes.map((k, i) => ({
      kernel: 'maxPoolForward',
      args: [
        side.projections,
        columns,
        columnOffsets[i],
        k,
        filters,
        side.offsets,
        side.local,
        start,
        end,
        this.slotAddress(this.parameters, slots.convolutionBiases[i]),
        this.zeros,
        side.pooled,
        side.winners,
        features,
        i * filters,
        side.scratch[thread],
      ],
    }));
    jobs.push({
      kernel: 'denseForward',
      args: [
        side.pooled,
        features,
        start,
        end,
        this.slotAddress(this.parameters, slots.denseKernel),
        this.slotAddress(this.parameters, slots.denseBias),
        width,
        side.vectors,
      ],
    });
    return jobs;
  }

  private backwardJobs(thread: number): KernelJob[] {
    const { columns, filters, features, width, depth, columnOffsets } = this.layout;
    const jobs: KernelJob[] = [];
    for (const side of this.sides) {
      const block = this.gradientBlocks[side.encoder][thread];
      jobs.push({ kernel: 'zeroBytes', args: [block.kernel, block.bytes] });
      const embeddingGradient = side.embeddingParts[thread] ?? 0;
      if (embeddingGradient !== 0)
        jobs.push({ kernel: 'zeroBytes', args: [embeddingGradient, side.wordCount * depth * 4] });
      const [start, end] = side.documents[thread];
      if (end <= start) continue;
      const slots = this.encoderSlots(side);
      jobs.push({
        kernel: 'denseBackward',
        args: [
          side.pooled,
          features,
          start,
          end,
          this.slotAddress(this.parameters, slots.denseKernel),
          width,
          side.vectorGradients,
          side.upstreamPooled,
          block.denseKernel,
          block.denseBias,
        ],
      });
      this.settings.kernelSizes.forEach((k, i) =>
        jobs.push({
          kernel: 'maxPoolBackward',
          args: [
            columns,
            columnOffsets[i],
            k,
            filters,
            side.offsets,
            side.local,
            start,
            end,
            side.winners,
            side.upstreamPooled,
            features,
            i * filters,
            side.words,
            this.slotAddress(this.parameters, slots.embedding),
            depth,
            this.flatKernelsT[side.encoder],
            embeddingGradient,
            block.kernel,
            block.convolutionBias,
            side.scratch[thread],
          ],
        }),
      );
    }
    return jobs;
  }

  private reductionJobs(thread: number): KernelJob[] {
    const { depth, filters, features, width } = this.layout;
    const jobs: KernelJob[] = [];
    for (const side of this.sides) {
      if (side.embeddingParts.length === 0) continue;
      const [start, end] = side.wordRows[thread];
      if (end > start)
        jobs.push({
          kernel: 'sumRowsInto',
          args: [
            side.embeddingPartTable,
            this.threads,
            start,
            end,
            depth,
            side.words,
            this.slotAddress(this.gradientBlock, this.encoderSlots(side).embedding),
          ],
        });
    }
    // the small weights' sums, dealt round-robin
    const small: KernelJob[] = [];
    this.layout.encoders.forEach((slots, e) => {
      const parts = this.gradientBlockTables[e];
      const block = this.gradientBlocks[e][0];
      const offsetOf = (address: number) => (address - block.kernel) / 4;
      this.settings.kernelSizes.forEach((k, i) => {
        small.push({
          kernel: 'sumKernelGradient',
          args: [
            parts,
            this.threads,
            this.layout.columnOffsets[i],
            k,
            depth,
            filters,
            this.slotAddress(this.gradientBlock, slots.convolutionKernels[i]),
          ],
        });
        small.push({
          kernel: 'sumInto',
          args: [
            parts,
            this.threads,
            offsetOf(block.convolutionBias) + i * filters,
            filters,
            this.slotAddress(this.gradientBlock, slots.convolutionBiases[i]),
          ],
        });
      });
      small.push({
        kernel: 'sumInto',
        args: [
          parts,
          this.threads,
          offsetOf(block.denseKernel),
          features * width,
          this.slotAddress(this.gradientBlock, slots.denseKernel),
        ],
      });
      small.push({
        kernel: 'sumInto',
        args: [
          parts,
          this.threads,
          offsetOf(block.denseBias),
          width,
          this.slotAddress(this.gradientBlock, slots.denseBias),
        ],
      });
    });
    small.forEach((job, index) => {
      if (index % this.threads === thread) jobs.push(job);
    });
    return jobs;
  }

  private optimizerJobs(thread: number, correction1: number, correction2: number): KernelJob[] {
    const { optimizer, learningRate, beta1, beta2, epsilon, trainableWordEmbeddings } = this.settings;
    const { depth, total, embeddingEnd } = this.layout;
    const jobs: KernelJob[] = [];
    const blocks = [this.parameters, this.firstMoments, this.secondMoments, this.gradientBlock];
    const adamScalars = [learningRate, beta1, beta2, correction1, correction2, epsilon];
    const embeddingSides = trainableWordEmbeddings ? this.sides : [];
    if (optimizer === 'adam') {
      // dense, as tf.train.adam: every weight moves (stale moments included); the split is
      // row-aligned so each thread then zeroes the gradient rows of its own range
      const start = trainableWordEmbeddings ? 0 : embeddingEnd;
      const [low, high] = splitEvenly(total - start, this.threads, depth)[thread].map((x) => x + start);
      if (high > low) jobs.push({ kernel: 'adam', args: [...blocks, low, high, ...adamScalars] });
      for (const side of embeddingSides) {
        const slot = this.encoderSlots(side).embedding;
        const rowLow = Math.max(0, (low - slot.offset) / depth);
        const rowHigh = Math.min(slot.rows, (high - slot.offset) / depth);
        if (rowHigh > rowLow)
          jobs.push({
            kernel: 'zeroRowsInRange',
            args: [
              this.slotAddress(this.gradientBlock, slot),
              side.words,
              side.wordCount,
              depth,
              rowLow,
              rowHigh,
            ],
          });
      }
      return jobs;
    }
    for (const side of embeddingSides) {
      // the embedding rows of the step's words; the others have a zero gradient
      const slot = this.encoderSlots(side).embedding;
      const [start, end] = side.wordRows[thread];
      if (end <= start) continue;
      const [parameters, first, second, gradients] = blocks.map((block) => this.slotAddress(block, slot));
      jobs.push(
        optimizer === 'lazy-adam'
          ? {
              kernel: 'lazyAdamRows',
              args: [parameters, first, second, gradients, side.words, start, end, depth, ...adamScalars],
            }
          : { kernel: 'sgdRows', args: [parameters, gradients, side.words, start, end, depth, learningRate] },
      );
      jobs.push({ kernel: 'zeroListedRows', args: [gradients, side.words, start, end, depth] });
    }
    if (optimizer === 'sgd') {
      const [low, high] = splitEvenly(total - embeddingEnd, this.threads, 4)[thread].map(
        (x) => x + embeddingEnd,
      );
      if (high > low)
        jobs.push({ kernel: 'sgd', args: [this.parameters, this.gradientBlock, low, high, learningRate] });
      return jobs;
    }
    this.layout.slots
      .filter((slot) => slot.offset >= embeddingEnd)
      .forEach((slot, index) => {
        if (index % this.threads !== thread) return;
        const [parameters, first, second, gradients] = blocks.map((block) => this.slotAddress(block, slot));
        jobs.push({
          kernel: 'lazyAdam',
          args: [parameters, first, second, gradients, 0, slot.rows, slot.rowWidth, ...adamScalars],
        });
      });
    return jobs;
  }

  // ---------------------------------------------------------------------------------- item parts

  /** Adds the item-ID embedding of seen items to both sides' document vectors. */
  private addItemIdEmbeddings(): void {
    const slot = this.layout.itemIdEmbedding;
    if (!slot) return;
    const floats = this.arena.f32();
    const { width } = this.layout;
    const table = this.parameters / 4 + slot.offset;
    for (const side of this.sides) {
      for (let d = 0; d < side.items.length; d++) {
        const item = side.items[d];
        const seen = this.seenItems ? this.seenItems[item] : 1;
        if (seen === 0) continue;
        const row = side.vectors / 4 + d * width;
        for (let e = 0; e < width; e++) floats[row + e] += floats[table + item * width + e] * seen;
      }
    }
  }

  /** fixed[b, c] = fixedScores[b, c] + the item bias (learned for seen items, the cold bias for others). */
  private writeFixedScores(fixed: number, candidateItems: Int32Array, fixedScores?: Float32Array): boolean {
    const slot = this.layout.itemBias;
    if (!slot && !fixedScores) return false;
    const floats = this.arena.f32();
    for (let k = 0; k < candidateItems.length; k++) {
      let value = fixedScores ? fixedScores[k] : 0;
      if (slot) {
        const item = candidateItems[k];
        const seen = this.seenItems ? this.seenItems[item] : 1;
        value +=
          floats[this.parameters / 4 + slot.offset + item] * seen + (1 - seen) * this.settings.coldItemBias;
      }
      floats[fixed / 4 + k] = value;
    }
    return true;
  }

  /** Gradients of the item biases and item-ID embeddings (seen items only). */
  private addItemGradients(candidateItems: Int32Array, scoreGradients: number): void {
    const floats = this.arena.f32();
    const touched: number[] = [];
    const biasSlot = this.layout.itemBias;
    if (biasSlot) {
      const base = this.gradientBlock / 4 + biasSlot.offset;
      for (let k = 0; k < candidateItems.length; k++) {
        const item = candidateItems[k];
        const seen = this.seenItems ? this.seenItems[item] : 1;
        floats[base + item] += floats[scoreGradients / 4 + k] * seen;
        touched.push(item);
      }
    }
    const idSlot = this.layout.itemIdEmbedding;
    if (idSlot) {
      const { width } = this.layout;
      const base = this.gradientBlock / 4 + idSlot.offset;
      for (const side of this.sides) {
        for (let d = 0; d < side.items.length; d++) {
          const item = side.items[d];
          const seen = this.seenItems ? this.seenItems[item] : 1;
          if (seen === 0) continue;
          const row = side.vectorGradients / 4 + d * width;
          for (let e = 0; e < width; e++) floats[base + item * width + e] += floats[row + e] * seen;
          touched.push(item);
        }
      }
    }
    this.touchedItems = Int32Array.from(touched);
  }

  private clearItemGradients(): void {
    const floats = this.arena.f32();
    const { width } = this.layout;
    for (const item of this.touchedItems) {
      if (this.layout.itemBias) floats[this.gradientBlock / 4 + this.layout.itemBias.offset + item] = 0;
      if (this.layout.itemIdEmbedding) {
        const row = this.gradientBlock / 4 + this.layout.itemIdEmbedding.offset + item * width;
        floats.fill(0, row, row + width);
      }
    }
    this.touchedItems = new Int32Array(0);
  }

  /** Zeroes the gradients of a forwardBackward that was never applied. */
  private clearGradients(): void {
    const { depth } = this.layout;
    for (const side of this.sides) {
      if (side.embeddingParts.length === 0) continue;
      this.kernels.zeroListedRows(
        this.slotAddress(this.gradientBlock, this.encoderSlots(side).embedding),
        side.words,
        0,
        side.wordCount,
        depth,
      );
    }
    this.clearItemGradients();
    this.pending = false;
  }

  // ---------------------------------------------------------------------------------- helpers

  /** An i32 table of addresses in the current region. */
  private addressTable(addresses: number[]): number {
    const table = this.arena.allocate(Math.max(1, addresses.length) * 4);
    this.arena.i32().set(addresses, table / 4);
    return table;
  }

  private readBlock(address: number): FastCpuWeights {
    const block = this.arena.f32().subarray(address / 4, address / 4 + this.layout.total);
    const weights: FastCpuWeights = {
      encoders: this.layout.encoders.map((slots) => ({
        embedding: readSlot(block, slots.embedding),
        convolutionKernels: slots.convolutionKernels.map((slot) => readSlot(block, slot)),
        convolutionBiases: slots.convolutionBiases.map((slot) => readSlot(block, slot)),
        denseKernel: readSlot(block, slots.denseKernel),
        denseBias: readSlot(block, slots.denseBias),
      })),
    };
    if (this.layout.itemBias) weights.itemBias = readSlot(block, this.layout.itemBias);
    if (this.layout.itemIdEmbedding) weights.itemIdEmbedding = readSlot(block, this.layout.itemIdEmbedding);
    return weights;
  }
}

/** The cores Node reports (1 outside Node). */
async function availableCores(): Promise<number> {
  if (typeof process === 'undefined' || !process.versions?.node) return 1;
  const os = await import('node:os');
  return Math.max(
    1,
    typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
  );
}

function checkOptions(shape: FastCpuShape, options: FastCpuTrainerOptions, weights: FastCpuWeights): void {
  for (const key of ['vocabularySize', 'embeddingDim', 'filters', 'outputDim', 'itemCount'] as const) {
    if (!Number.isInteger(shape[key]) || shape[key] < 1)
      throw new RangeError(`FastCpuTrainer: ${key} must be a positive integer, got ${String(shape[key])}`);
  }
  if (shape.kernelSizes.length === 0 || !shape.kernelSizes.every((k) => Number.isInteger(k) && k >= 1))
    throw new RangeError(`FastCpuTrainer: kernelSizes must be positive integers, got [${shape.kernelSizes}]`);
  if (weights.encoders.length !== shape.encoderCount)
    throw new RangeError(
      `FastCpuTrainer: ${weights.encoders.length} encoders given, expected ${shape.encoderCount} (sharedEncoder ${Boolean(options.sharedEncoder)})`,
    );
  const optimizer = options.optimizer ?? 'adam';
  if (optimizer !== 'adam' && optimizer !== 'lazy-adam' && optimizer !== 'sgd')
    throw new RangeError(
      `FastCpuTrainer: optimizer must be 'adam', 'lazy-adam' or 'sgd', got '${String(optimizer)}'`,
    );
  const { values, rowSplits } = options.documents;
  if (rowSplits.length !== shape.itemCount + 1)
    throw new RangeError(
      `FastCpuTrainer: documents has ${rowSplits.length - 1} rows but itemCount is ${shape.itemCount}`,
    );
  for (let p = 0; p < values.length; p++) {
    if (!(values[p] >= 0 && values[p] < shape.vocabularySize))
      throw new RangeError(
        `FastCpuTrainer: token id ${values[p]} (position ${p} of documents) is outside the vocabulary [0, ${shape.vocabularySize})`,
      );
  }
  if (options.seenItems && options.seenItems.length !== shape.itemCount)
    throw new RangeError(
      `FastCpuTrainer: seenItems has ${options.seenItems.length} entries, expected itemCount ${shape.itemCount}`,
    );
}
