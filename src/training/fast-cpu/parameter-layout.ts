/** The weights of one text CNN encoder, in TF.js's layouts (unpadded, row-major). */
export interface EncoderWeights {
  /** `[vocabularySize, embeddingDim]` word embeddings. */
  embedding: Float32Array;
  /** One `[k, embeddingDim, filters]` convolution kernel per kernel width. */
  convolutionKernels: Float32Array[];
  /** One `[filters]` convolution bias per kernel width. */
  convolutionBiases: Float32Array[];
  /** `[kernelSizes.length * filters, outputDim]` output layer kernel. */
  denseKernel: Float32Array;
  /** `[outputDim]` output layer bias. */
  denseBias: Float32Array;
}

/** Every trainable weight of a MARS model, as the fast CPU step holds them. */
export interface FastCpuWeights {
  /** `[user (memory) encoder, item encoder]`, or one encoder when it is shared. */
  encoders: EncoderWeights[];
  /** `[items]` item biases, when configured. */
  itemBias?: Float32Array;
  /** `[items, outputDim]` item-ID embeddings, when configured. */
  itemIdEmbedding?: Float32Array;
}

/** The sizes of a MARS model. */
export interface FastCpuShape {
  /** Vocabulary size V (rows of each embedding table). */
  vocabularySize: number;
  /** Word embedding size E. */
  embeddingDim: number;
  /** Filters F per kernel width. */
  filters: number;
  /** Convolution kernel widths, in tokens. */
  kernelSizes: number[];
  /** Output (item vector) size d. */
  outputDim: number;
  /** Catalogue size, in items. */
  itemCount: number;
  /** 1 (shared encoder) or 2 (the paper's f_user and f_item). */
  encoderCount: number;
  /** Whether the model has item biases. */
  itemBias: boolean;
  /** Whether the model has item-ID embeddings. */
  itemIdEmbedding: boolean;
}

/**
 * Where one weight lives in the parameter block, padded so the kernels vectorise: logical shape
 * `[a, b, c]` is stored as `[a, padded b, padded c]`.
 */
export interface ParameterSlot {
  /** Float offset in the parameter block (a multiple of 4). */
  offset: number;
  /** Floats it occupies, padding included (a multiple of 4). */
  size: number;
  /** Logical (TF.js) shape as `[a, b, c]`. */
  shape: [number, number, number];
  /** Stored shape `[a, b', c']`. */
  stored: [number, number, number];
  /** Rows (TF.js's first axis, what a lazy optimizer skips when untouched) and their stored width. */
  rows: number;
  /** Stored floats per row. */
  rowWidth: number;
}

/** The slots of one encoder. */
export interface EncoderSlots {
  /** `[V, E]` -> `[V, E']`. */
  embedding: ParameterSlot;
  /** `[k, E, F]` -> `[k, E', F']` per kernel width. */
  convolutionKernels: ParameterSlot[];
  /** `[F]` -> `[F']` per kernel width. */
  convolutionBiases: ParameterSlot[];
  /** `[K, F, d]` -> `[K, F', d']` (rows i * F' + f: the pooled features of width i). */
  denseKernel: ParameterSlot;
  /** `[d]` -> `[d']`. */
  denseBias: ParameterSlot;
}

/** Rounds up to a multiple of 4 (one SIMD vector of f32). */
export function padToVector(count: number): number {
  return Math.ceil(count / 4) * 4;
}

/**
 * The parameter block of the fast CPU step: every weight at a fixed, padded offset, the
 * embedding tables first (so an optimizer can skip fixed word embeddings as one range). The
 * first moments, second moments and gradients use blocks of the same layout.
 */
export class ParameterLayout {
  /** Padded E, F and d. */
  readonly depth: number;
  readonly filters: number;
  readonly width: number;
  /** Projection columns: sum over widths of k F'. */
  readonly columns: number;
  /** Pooled features: K F'. */
  readonly features: number;
  /** Column of each kernel width's block in a projection row. */
  readonly columnOffsets: number[];
  readonly encoders: EncoderSlots[];
  readonly itemBias?: ParameterSlot;
  readonly itemIdEmbedding?: ParameterSlot;
  /** Floats in the block. */
  readonly total: number;
  /** Floats taken by the embedding tables (the block's first range). */
  readonly embeddingEnd: number;
  /** Every slot, in block order. */
  readonly slots: ParameterSlot[] = [];

  constructor(readonly shape: FastCpuShape) {
    const { vocabularySize, embeddingDim, filters, kernelSizes, outputDim, itemCount } = shape;
    this.depth = padToVector(embeddingDim);
    this.filters = padToVector(filters);
    this.width = padToVector(outputDim);
    this.features = kernelSizes.length * this.filters;
    this.columnOffsets = [];
    let columns = 0;
    for (const k of kernelSizes) {
      this.columnOffsets.push(columns);
      columns += k * this.filters;
    }
    this.columns = columns;
    let offset = 0;
    const slot = (shape3: [number, number, number], stored: [number, number, number], rows: number) => {
      const size = stored[0] * stored[1] * stored[2];
      const created: ParameterSlot = {
        offset,
        size,
        shape: shape3,
        stored,
        rows,
        rowWidth: size / rows,
      };
      offset += padToVector(size);
      this.slots.push(created);
      return created;
    };
    const embeddings = Array.from({ length: shape.encoderCount }, () =>
      slot([1, vocabularySize, embeddingDim], [1, vocabularySize, this.depth], vocabularySize),
    );
    this.embeddingEnd = offset;
    this.encoders = embeddings.map((embedding) => ({
      embedding,
      convolutionKernels: kernelSizes.map((k) =>
        slot([k, embeddingDim, filters], [k, this.depth, this.filters], k),
      ),
      convolutionBiases: kernelSizes.map(() => slot([1, 1, filters], [1, 1, this.filters], this.filters)),
      denseKernel: slot(
        [kernelSizes.length, filters, outputDim],
        [kernelSizes.length, this.filters, this.width],
        kernelSizes.length * this.filters,
      ),
      denseBias: slot([1, 1, outputDim], [1, 1, this.width], this.width),
    }));
    if (shape.itemBias) this.itemBias = slot([1, 1, itemCount], [1, 1, itemCount], itemCount);
    if (shape.itemIdEmbedding)
      this.itemIdEmbedding = slot([1, itemCount, outputDim], [1, itemCount, this.width], itemCount);
    this.total = offset;
  }
}

/** Copies a logical (TF.js layout) array into its padded slot of `block`. */
export function writeSlot(
  block: Float32Array,
  slot: ParameterSlot,
  values: Float32Array,
  name: string,
): void {
  const [a, b, c] = slot.shape;
  const [, sb, sc] = slot.stored;
  if (values.length !== a * b * c)
    throw new RangeError(`FastCpuTrainer: ${name} has ${values.length} values, expected ${a * b * c}`);
  const target = block.subarray(slot.offset, slot.offset + slot.size);
  target.fill(0);
  for (let i = 0; i < a; i++)
    for (let j = 0; j < b; j++) {
      const from = (i * b + j) * c;
      target.set(values.subarray(from, from + c), (i * sb + j) * sc);
    }
}

/** Reads a slot of `block` back into a new logical (TF.js layout) array. */
export function readSlot(block: Float32Array, slot: ParameterSlot): Float32Array {
  const [a, b, c] = slot.shape;
  const [, sb, sc] = slot.stored;
  const values = new Float32Array(a * b * c);
  for (let i = 0; i < a; i++)
    for (let j = 0; j < b; j++) {
      const from = slot.offset + (i * sb + j) * sc;
      values.set(block.subarray(from, from + c), (i * b + j) * c);
    }
  return values;
}
