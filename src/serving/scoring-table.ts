/** The columns of one or more items of a {@link ScoringTable}, row-major. */
export interface ScoringColumns {
  /** `[items, textDim]` item-side vectors v_j (item encoder, plus the ID embedding of seen items). */
  itemVectors: Float32Array;
  /** `[items, textDim]` memory-side vectors m_j (user encoder): what a history item contributes. */
  memoryVectors: Float32Array;
  /** `[items, collaborativeDim]` collaborative item factors q_j (zero for cold items); empty without a collaborative part. */
  itemFactors: Float32Array;
  /** `[items]` the whole per-item bias: the learned item bias plus the collaborative bias b_j (cold items: their cold bias). */
  biases: Float32Array;
}

/**
 * Everything needed to score a catalogue item without TensorFlow: the item's text vector, its
 * memory vector (when it appears in a history), its collaborative factors and its bias, in
 * growable typed arrays indexed by row (the item's dense index). Rows are never renumbered:
 * a removed item leaves a dead row, so an item keeps its row (and its tie-breaking rank) for the
 * table's life.
 */
export class ScoringTable {
  /** Size d of the text vectors (item and memory side). */
  readonly textDim: number;
  /** Size F of the collaborative factors (0 without a collaborative part). */
  readonly collaborativeDim: number;
  private columns: ScoringColumns;
  private live: Uint8Array;
  private rowCount = 0;
  private liveCount = 0;

  /**
   * @param textDim - size d of the text vectors.
   * @param collaborativeDim - size F of the collaborative factors, 0 for none.
   * @param capacity - rows to reserve, in items.
   */
  constructor(textDim: number, collaborativeDim: number, capacity = 1024) {
    if (!Number.isInteger(textDim) || textDim < 1)
      throw new RangeError(`ScoringTable: textDim must be a positive integer, got ${textDim}`);
    if (!Number.isInteger(collaborativeDim) || collaborativeDim < 0)
      throw new RangeError(`ScoringTable: collaborativeDim must be an integer >= 0, got ${collaborativeDim}`);
    this.textDim = textDim;
    this.collaborativeDim = collaborativeDim;
    const size = Math.max(1, Math.floor(capacity));
    this.columns = allocate(size, textDim, collaborativeDim);
    this.live = new Uint8Array(size);
  }

  /** Rows ever appended (live and removed), in items. */
  get size(): number {
    return this.rowCount;
  }

  /** Rows that can be recommended (not removed), in items. */
  get liveSize(): number {
    return this.liveCount;
  }

  /** The columns of every row (views over the first {@link ScoringTable.size} rows). */
  get view(): Readonly<ScoringColumns> {
    const { textDim: d, collaborativeDim: f } = this;
    const n = this.rowCount;
    return {
      itemVectors: this.columns.itemVectors.subarray(0, n * d),
      memoryVectors: this.columns.memoryVectors.subarray(0, n * d),
      itemFactors: this.columns.itemFactors.subarray(0, n * f),
      biases: this.columns.biases.subarray(0, n),
    };
  }

  /** Whether `row` holds an item that was not removed. */
  isLive(row: number): boolean {
    return row >= 0 && row < this.rowCount && this.live[row] === 1;
  }

  /**
   * Appends items as new rows.
   * @returns the first new row; the items get consecutive rows from it.
   */
  append(columns: ScoringColumns): number {
    const count = this.checkColumns(columns, 'append');
    this.reserve(this.rowCount + count);
    const first = this.rowCount;
    this.write(first, columns);
    this.live.fill(1, first, first + count);
    this.rowCount += count;
    this.liveCount += count;
    return first;
  }

  /** Overwrites the columns of existing rows (live or removed: a removed row comes back to life). */
  replace(rows: ArrayLike<number>, columns: ScoringColumns): void {
    const count = this.checkColumns(columns, 'replace');
    if (rows.length !== count)
      throw new RangeError(`ScoringTable.replace: ${rows.length} rows for ${count} items of columns`);
    const { textDim: d, collaborativeDim: f } = this;
    for (let k = 0; k < count; k++) {
      const row = this.checkRow(rows[k], 'replace');
      this.columns.itemVectors.set(columns.itemVectors.subarray(k * d, (k + 1) * d), row * d);
      this.columns.memoryVectors.set(columns.memoryVectors.subarray(k * d, (k + 1) * d), row * d);
      this.columns.itemFactors.set(columns.itemFactors.subarray(k * f, (k + 1) * f), row * f);
      this.columns.biases[row] = columns.biases[k];
      if (this.live[row] === 0) {
        this.live[row] = 1;
        this.liveCount++;
      }
    }
  }

  /** Marks rows removed: they are never recommended again (their columns stay for old histories). */
  remove(rows: ArrayLike<number>): void {
    for (let k = 0; k < rows.length; k++) {
      const row = this.checkRow(rows[k], 'remove');
      if (this.live[row] === 1) {
        this.live[row] = 0;
        this.liveCount--;
      }
    }
  }

  /** The live flags of every row (1 live, 0 removed). */
  get liveRows(): Uint8Array {
    return this.live.subarray(0, this.rowCount);
  }

  /** A table holding the given rows' columns and live flags (as loaded from disk). */
  static fromColumns(
    textDim: number,
    collaborativeDim: number,
    columns: ScoringColumns,
    live: Uint8Array,
  ): ScoringTable {
    const table = new ScoringTable(textDim, collaborativeDim, Math.max(1, live.length));
    table.append(columns);
    if (live.length !== table.rowCount)
      throw new RangeError(`ScoringTable.fromColumns: ${live.length} live flags for ${table.rowCount} rows`);
    for (let row = 0; row < live.length; row++) if (live[row] === 0) table.remove([row]);
    return table;
  }

  private checkColumns(columns: ScoringColumns, operation: string): number {
    const { textDim: d, collaborativeDim: f } = this;
    const count = columns.biases.length;
    const check = (name: keyof ScoringColumns, width: number): void => {
      if (columns[name].length !== count * width)
        throw new RangeError(
          `ScoringTable.${operation}: ${name} holds ${columns[name].length} numbers, expected ${count} items x ${width}`,
        );
    };
    check('itemVectors', d);
    check('memoryVectors', d);
    check('itemFactors', f);
    for (const name of ['itemVectors', 'memoryVectors', 'itemFactors', 'biases'] as const) {
      const values = columns[name];
      for (let k = 0; k < values.length; k++)
        if (!Number.isFinite(values[k]))
          throw new RangeError(
            `ScoringTable.${operation}: ${name} of item ${Math.floor(k / (values.length / count))} (of the ${count} given) is ${values[k]}`,
          );
    }
    return count;
  }

  private checkRow(row: number, operation: string): number {
    if (!Number.isInteger(row) || row < 0 || row >= this.rowCount)
      throw new RangeError(`ScoringTable.${operation}: row ${row} outside [0, ${this.rowCount})`);
    return row;
  }

  private reserve(rows: number): void {
    if (rows <= this.live.length) return;
    const size = Math.max(rows, Math.ceil(this.live.length * 1.5));
    const grown = allocate(size, this.textDim, this.collaborativeDim);
    for (const name of ['itemVectors', 'memoryVectors', 'itemFactors', 'biases'] as const)
      grown[name].set(this.columns[name]);
    const live = new Uint8Array(size);
    live.set(this.live);
    this.columns = grown;
    this.live = live;
  }

  private write(first: number, columns: ScoringColumns): void {
    const { textDim: d, collaborativeDim: f } = this;
    this.columns.itemVectors.set(columns.itemVectors, first * d);
    this.columns.memoryVectors.set(columns.memoryVectors, first * d);
    this.columns.itemFactors.set(columns.itemFactors, first * f);
    this.columns.biases.set(columns.biases, first);
  }
}

function allocate(rows: number, textDim: number, collaborativeDim: number): ScoringColumns {
  return {
    itemVectors: new Float32Array(rows * textDim),
    memoryVectors: new Float32Array(rows * textDim),
    itemFactors: new Float32Array(rows * collaborativeDim),
    biases: new Float32Array(rows),
  };
}
