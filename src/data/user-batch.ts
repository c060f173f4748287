import type { IdInterner } from './id-interner';
import type { InteractionColumns } from './interaction-columns';

const BATCH = 4096;

/**
 * Interactions whose user id is a number, held back until a batch is full and then interned
 * together ({@link IdInterner.internNumbers}: the hash-table misses of a batch overlap), then
 * appended to the columns in their original order.
 */
export class NumericUserBatch {
  private readonly keys = new Float64Array(BATCH);
  private readonly items = new Int32Array(BATCH);
  private readonly times = new Float64Array(BATCH);
  private readonly ratings = new Float64Array(BATCH);
  private readonly users = new Int32Array(BATCH);
  private count = 0;

  /**
   * @param interner - the users.
   * @param columns - where the interactions go.
   */
  constructor(
    private readonly interner: IdInterner,
    private readonly columns: InteractionColumns,
  ) {}

  /** Holds one interaction of the user with the decimal integer id `user`. */
  push(user: number, item: number, time: number, rating: number): void {
    const at = this.count;
    this.keys[at] = user;
    this.items[at] = item;
    this.times[at] = time;
    this.ratings[at] = rating;
    this.count = at + 1;
    if (this.count === BATCH) this.flush();
  }

  /** Interns the held users and appends their interactions (call before any other append). */
  flush(): void {
    const count = this.count;
    if (count === 0) return;
    this.interner.internNumbers(this.keys, count, this.users);
    this.columns.append(this.users, this.items, this.times, this.ratings, count);
    this.count = 0;
  }
}
