/**
 * The typed bindings of the WebAssembly SIMD kernels (source: `src/kernels/assembly`). Every
 * address is a byte offset in the shared memory the instance was created with; `f32` arrays
 * are row-major; sizes are in elements. Widths the kernels vectorise over (filters, depth,
 * output width) are multiples of 4.
 */
export interface KernelExports {
  /** Rows [rowStart, rowEnd) (multiples of 4) of out `[rows, columns]` = table[words] x weights `[depth, columns]`. */
  projectWords(
    table: number,
    stride: number,
    words: number,
    rowStart: number,
    rowEnd: number,
    weights: number,
    depth: number,
    columns: number,
    out: number,
  ): void;
  /** Lays a `[k, depth, filters]` kernel out as `[depth, columns]` and `[columns, depth]` from column `column`. */
  layOutKernel(
    kernel: number,
    k: number,
    depth: number,
    filters: number,
    column: number,
    columns: number,
    flat: number,
    flatT: number,
  ): void;
  /** Fused gather-sum + bias + ReLU + masked max over time, with the winning positions, for documents [docStart, docEnd). */
  maxPoolForward(
    projections: number,
    columns: number,
    column: number,
    k: number,
    filters: number,
    offsets: number,
    local: number,
    docStart: number,
    docEnd: number,
    bias: number,
    zeros: number,
    pooled: number,
    winners: number,
    features: number,
    featureOffset: number,
    scratch: number,
  ): void;
  /** Sparse backward of the max-pool and the projection, winners only, for documents [docStart, docEnd). */
  maxPoolBackward(
    columns: number,
    column: number,
    k: number,
    filters: number,
    offsets: number,
    local: number,
    docStart: number,
    docEnd: number,
    winners: number,
    upstream: number,
    features: number,
    featureOffset: number,
    words: number,
    table: number,
    depth: number,
    flatT: number,
    embeddingGradient: number,
    kernelGradient: number,
    biasGradient: number,
    scratch: number,
  ): void;
  /** vectors = pooled x kernel + bias for documents [docStart, docEnd). */
  denseForward(
    pooled: number,
    features: number,
    docStart: number,
    docEnd: number,
    kernel: number,
    bias: number,
    width: number,
    vectors: number,
  ): void;
  /** Backward of {@link KernelExports.denseForward}; adds into the kernel and bias gradients. */
  denseBackward(
    pooled: number,
    features: number,
    docStart: number,
    docEnd: number,
    kernel: number,
    width: number,
    upstream: number,
    upstreamPooled: number,
    kernelGradient: number,
    biasGradient: number,
  ): void;
  /** Memory attention + BPR loss (eq. 4), forward and backward; returns the mean loss. */
  attentionBprLoss(
    memoryVectors: number,
    history: number,
    batch: number,
    slots: number,
    candidates: number,
    rows: number,
    width: number,
    fixed: number,
    lambdaU: number,
    lambdaV: number,
    mean: number,
    memoryGradient: number,
    candidateGradient: number,
    scores: number,
    scoreGradient: number,
    scratch: number,
  ): number;
  /** Dense Adam (tf.train.adam) on floats [start, end). */
  adam(
    parameters: number,
    first: number,
    second: number,
    gradients: number,
    start: number,
    end: number,
    learningRate: number,
    beta1: number,
    beta2: number,
    correction1: number,
    correction2: number,
    epsilon: number,
  ): void;
  /** Lazy Adam on rows [rowStart, rowEnd) of `width` floats: all-zero gradient rows stay. */
  lazyAdam(
    parameters: number,
    first: number,
    second: number,
    gradients: number,
    rowStart: number,
    rowEnd: number,
    width: number,
    learningRate: number,
    beta1: number,
    beta2: number,
    correction1: number,
    correction2: number,
    epsilon: number,
  ): void;
  /** Lazy Adam on the listed rows rows[start, end). */
  lazyAdamRows(
    parameters: number,
    first: number,
    second: number,
    gradients: number,
    rows: number,
    start: number,
    end: number,
    width: number,
    learningRate: number,
    beta1: number,
    beta2: number,
    correction1: number,
    correction2: number,
    epsilon: number,
  ): void;
  /** SGD (tf.train.sgd) on floats [start, end). */
  sgd(parameters: number, gradients: number, start: number, end: number, learningRate: number): void;
  /** SGD on the listed rows rows[start, end). */
  sgdRows(
    parameters: number,
    gradients: number,
    rows: number,
    start: number,
    end: number,
    width: number,
    learningRate: number,
  ): void;
  /** gradients[words[u]] = sum over threads of parts[t][u] for u in [rowStart, rowEnd). */
  sumRowsInto(
    parts: number,
    threads: number,
    rowStart: number,
    rowEnd: number,
    width: number,
    words: number,
    gradients: number,
  ): void;
  /** target[i] = sum over threads of parts[t][offset + i]. */
  sumInto(parts: number, threads: number, offset: number, count: number, target: number): void;
  /** A convolution kernel's gradient in its `[k, depth, filters]` layout from per-thread `[columns, depth]` parts. */
  sumKernelGradient(
    parts: number,
    threads: number,
    column: number,
    k: number,
    depth: number,
    filters: number,
    kernel: number,
  ): void;
  /** Zeroes the listed rows that fall in [rowLow, rowHigh). */
  zeroRowsInRange(
    gradients: number,
    rows: number,
    count: number,
    width: number,
    rowLow: number,
    rowHigh: number,
  ): void;
  /** Zeroes the rows rows[start, end). */
  zeroListedRows(gradients: number, rows: number, start: number, end: number, width: number): void;
  /** Zeroes `bytes` bytes. */
  zeroBytes(address: number, bytes: number): void;
}

/** The name of a kernel. */
export type KernelName = keyof KernelExports;

/** Every kernel, in a fixed order (the index a worker's job table refers to). */
export const KERNEL_NAMES: readonly KernelName[] = [
  'projectWords',
  'layOutKernel',
  'maxPoolForward',
  'maxPoolBackward',
  'denseForward',
  'denseBackward',
  'attentionBprLoss',
  'adam',
  'lazyAdam',
  'lazyAdamRows',
  'sgd',
  'sgdRows',
  'sumRowsInto',
  'sumInto',
  'sumKernelGradient',
  'zeroRowsInRange',
  'zeroListedRows',
  'zeroBytes',
];
