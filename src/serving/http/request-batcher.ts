interface Pending<Query, Result> {
  query: Query;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

/** Counters of a {@link RequestBatcher}. */
export interface BatcherStats {
  /** Model calls made. */
  batches: number;
  /** Queries answered or failed. */
  queries: number;
  /** Most queries in one call. */
  largestBatch: number;
}

/**
 * Groups queries that arrive while the model is busy into one call (group commit): the first
 * query of an idle batcher is run on the next turn of the event loop with whatever arrived with
 * it; queries arriving during a call wait for it and go together in the next one, up to
 * `maxBatchSize`. Under load the batch grows with the number of concurrent clients; alone, a
 * query waits for no timer. A failed batch is retried one query at a time, so one bad query
 * fails only itself.
 */
export class RequestBatcher<Query, Result> {
  private readonly queue: Pending<Query, Result>[] = [];
  private running = false;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly counters: BatcherStats = { batches: 0, queries: 0, largestBatch: 0 };

  /**
   * @param run - answers a batch of queries, one result per query in order.
   * @param maxBatchSize - most queries per call.
   */
  constructor(
    private readonly run: (queries: Query[]) => Promise<Result[]>,
    private readonly maxBatchSize: number,
  ) {
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1)
      throw new RangeError(`RequestBatcher: maxBatchSize must be a positive integer, got ${maxBatchSize}`);
  }

  /** Queues one query; resolves with its result. */
  submit(query: Query): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ query, resolve, reject });
      this.schedule();
    });
  }

  /** Queries waiting or being answered. */
  get pending(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  /** A copy of the counters. */
  get stats(): BatcherStats {
    return { ...this.counters };
  }

  /** Resolves once every query submitted so far has been answered. */
  drain(): Promise<void> {
    if (!this.running && !this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // setImmediate: requests read in the same poll phase join this batch
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatchSize);
    if (batch.length === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    this.running = true;
    this.counters.batches++;
    this.counters.queries += batch.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    try {
      await this.answer(batch);
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  private async answer(batch: Pending<Query, Result>[]): Promise<void> {
    try {
      const results = await this.run(batch.map((pending) => pending.query));
      if (results.length !== batch.length)
        throw new Error(`RequestBatcher: ${results.length} results for ${batch.length} queries`);
      batch.forEach((pending, index) => pending.resolve(results[index]));
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      for (const pending of batch) await this.answer([pending]);
    }
  }
}
