import type { ScoringTable } from './scoring-table';

/**
 * One user's request in the form every serving path scores: the memory vectors c_h of the valid
 * history slots, the collaborative user vector p, and how the memory is read. Build it with
 * {@link prepareMemoryQuery}.
 *
 * The MARS score of item j (report section 3.1.1, plus the configured extra terms) is
 * r_j = sum_h a_hj s_hj + t_j with s_hj = c_h . v_j, a_hj = softmax_h(s_hj) (or 1/H for
 * `'mean'`) and t_j = p . q_j + b_j.
 */
export interface MemoryQuery {
  /** Size d of the text vectors. */
  readonly textDim: number;
  /** Valid history slots H (0: the text part scores 0 for every item). */
  readonly historyLength: number;
  /** `[H, d]` the memory vectors c_h, in float64. */
  readonly memory: Float64Array;
  /** `[d]` the mean of the memory rows in float64 (the whole text query of `'mean'`). */
  readonly meanMemory: Float64Array;
  /** `[F]` the collaborative user vector p in float64 (zeros for none). */
  readonly userVector: Float64Array;
  /** How the memory is read. */
  readonly aggregation: 'attention' | 'mean';
  /**
   * `[d + F + 2]` the envelope query y = [c, p, 1, R] against the index vectors
   * x_j = [v_j, q_j, b_j, |v_j|] ({@link indexVectorsOf}): y . x_j >= r_j for every item (see
   * {@link envelopeQuery}).
   */
  readonly envelope: Float32Array;
}

/** Options of {@link prepareMemoryQuery}. */
export interface MemoryQueryOptions {
  /** `[F]` the collaborative user vector p (learned or folded in). Default zeros. */
  userVector?: ArrayLike<number>;
  /** `'attention'` (MARS) or `'mean'`. Default `'attention'`. */
  aggregation?: 'attention' | 'mean';
}

/**
 * The {@link MemoryQuery} of a history given as table rows (its most recent items, already
 * capped to the model's `maxHistory`).
 * @param history - rows of the history items in `table` (removed rows are allowed: a history
 *   may hold items that left the catalogue).
 */
export function prepareMemoryQuery(
  table: ScoringTable,
  history: ArrayLike<number>,
  options: MemoryQueryOptions = {},
): MemoryQuery {
  const { textDim: d, collaborativeDim: f } = table;
  const aggregation = options.aggregation ?? 'attention';
  if (aggregation !== 'attention' && aggregation !== 'mean')
    throw new RangeError(
      `prepareMemoryQuery: aggregation must be 'attention' or 'mean', got '${String(aggregation)}'`,
    );
  const memoryVectors = table.view.memoryVectors;
  const memory = new Float64Array(history.length * d);
  for (let h = 0; h < history.length; h++) {
    const row = history[h];
    if (!Number.isInteger(row) || row < 0 || row >= table.size)
      throw new RangeError(
        `prepareMemoryQuery: history row ${row} (position ${h}) outside [0, ${table.size})`,
      );
    for (let i = 0; i < d; i++) memory[h * d + i] = memoryVectors[row * d + i];
  }
  const userVector = new Float64Array(f);
  if (options.userVector) {
    if (options.userVector.length !== f)
      throw new RangeError(
        `prepareMemoryQuery: the user vector has ${options.userVector.length} factors, the table ${f}`,
      );
    for (let i = 0; i < f; i++) {
      userVector[i] = options.userVector[i];
      if (!Number.isFinite(userVector[i]))
        throw new RangeError(`prepareMemoryQuery: user vector factor ${i} is ${userVector[i]}`);
    }
  }
  const meanMemory = new Float64Array(d);
  for (let h = 0; h < history.length; h++)
    for (let i = 0; i < d; i++) meanMemory[i] += memory[h * d + i] / history.length;
  const query = { textDim: d, historyLength: history.length, memory, meanMemory, userVector, aggregation };
  return { ...query, envelope: envelopeQuery(query) };
}

/**
 * The envelope query y = [c, p, 1, R] of a memory: with c the memory mean rounded to float32 and
 * R >= max_h |c_h - c| (rounded up), every item's score is at most y . x_j, because
 * sum_h a_hj s_hj <= max_h s_hj (the a_hj are convex weights over the valid slots) and
 * c_h . v_j <= c . v_j + |c_h - c| |v_j|. For `'mean'` the bound is the score itself up to
 * rounding (R covers the float32 rounding of c). One inner-product index over the x_j thus bounds
 * all H memory rows at once.
 */
export function envelopeQuery(query: Omit<MemoryQuery, 'envelope'>): Float32Array {
  const d = query.textDim;
  const f = query.userVector.length;
  const envelope = new Float32Array(d + f + 2);
  for (let i = 0; i < d; i++) envelope[i] = query.meanMemory[i];
  let radius = 0;
  if (query.aggregation === 'mean') {
    radius = distance(query.meanMemory, 0, envelope, d);
  } else {
    for (let h = 0; h < query.historyLength; h++)
      radius = Math.max(radius, distance(query.memory, h * d, envelope, d));
  }
  for (let i = 0; i < f; i++) envelope[d + i] = query.userVector[i];
  envelope[d + f] = 1;
  envelope[d + f + 1] = roundUp(radius);
  return envelope;
}

/**
 * The index vectors x_j = [v_j, q_j, b_j, |v_j|] of table rows (|v_j| rounded up), row-major
 * `[rows, d + F + 2]`: what the {@link ItemIndex} holds so that the envelope query bounds every
 * score.
 */
export function indexVectorsOf(table: ScoringTable, rows: ArrayLike<number>): Float32Array {
  const { textDim: d, collaborativeDim: f } = table;
  const width = d + f + 2;
  const { itemVectors, itemFactors, biases } = table.view;
  const vectors = new Float32Array(rows.length * width);
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k];
    const out = k * width;
    let norm = 0;
    for (let i = 0; i < d; i++) {
      const value = itemVectors[row * d + i];
      vectors[out + i] = value;
      norm += value * value;
    }
    for (let i = 0; i < f; i++) vectors[out + d + i] = itemFactors[row * f + i];
    vectors[out + d + f] = biases[row];
    vectors[out + d + f + 1] = roundUp(Math.sqrt(norm));
  }
  return vectors;
}

/** The width of the index vectors of a table: d + F + 2. */
export function indexDimensions(table: Pick<ScoringTable, 'textDim' | 'collaborativeDim'>): number {
  return table.textDim + table.collaborativeDim + 2;
}

/** Euclidean distance between `values[offset .. offset + d)` and the first `d` entries of `center`. */
function distance(values: Float64Array, offset: number, center: Float32Array, d: number): number {
  let sum = 0;
  for (let i = 0; i < d; i++) {
    const delta = values[offset + i] - center[i];
    sum += delta * delta;
  }
  return Math.sqrt(sum);
}

/** The smallest float32 at or above `value` (plus a relative hair for the square root's rounding). */
function roundUp(value: number): number {
  const padded = value * (1 + 1e-6) + Number.MIN_VALUE;
  const rounded = Math.fround(padded);
  return rounded >= padded ? rounded : Math.fround(padded * (1 + 2 ** -23));
}
