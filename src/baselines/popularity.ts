import type { CsrMatrix } from '../data/csr';

/** The JSON form of a fitted {@link PopularityRecommender}. */
export interface PopularityJson {
  /** Always `'popularity'`. */
  kind: 'popularity';
  /** `[items]` training interactions per item. */
  itemCounts: number[];
}

/**
 * The "most popular" baseline: every user gets the same ranking, items ordered by how many
 * training users interacted with them. Strong on rating data, so any model must beat it.
 */
export class PopularityRecommender {
  /** `[items]` the number of training interactions of each item. */
  readonly itemCounts: Float32Array;

  private constructor(itemCounts: Float32Array) {
    this.itemCounts = itemCounts;
  }

  /** Counts the interactions of each item in `train`. */
  static fit(train: CsrMatrix): PopularityRecommender {
    const counts = new Float32Array(train.columnCount);
    for (let k = 0; k < train.offsets[train.rowCount]; k++) counts[train.indices[k]] += 1;
    return new PopularityRecommender(counts);
  }

  /** A recommender from saved counts (`itemCounts` of a fitted one). */
  static fromCounts(itemCounts: Float32Array): PopularityRecommender {
    return new PopularityRecommender(itemCounts);
  }

  /** The JSON form (`fromJSON` reads it back). */
  toJSON(): PopularityJson {
    return { kind: 'popularity', itemCounts: Array.from(this.itemCounts) };
  }

  /**
   * A recommender from its JSON form ({@link PopularityRecommender.toJSON}).
   * @throws TypeError when `json` is not a popularity model's JSON.
   */
  static fromJSON(json: PopularityJson): PopularityRecommender {
    if (typeof json !== 'object' || json === null || json.kind !== 'popularity')
      throw new TypeError(
        `PopularityRecommender.fromJSON: not a popularity model (kind ${JSON.stringify(json?.kind)})`,
      );
    if (
      !Array.isArray(json.itemCounts) ||
      !json.itemCounts.every((count) => Number.isFinite(count) && count >= 0)
    )
      throw new TypeError('PopularityRecommender.fromJSON: itemCounts must be an array of counts >= 0');
    return new PopularityRecommender(Float32Array.from(json.itemCounts));
  }

  /** Number of items scored. */
  get itemCount(): number {
    return this.itemCounts.length;
  }

  /**
   * Scores every item for each user (the same row for all users).
   * @param users - user indices, only their count matters.
   * @returns row-major `[users.length, items]` scores.
   */
  scoreUsers(users: Int32Array): Float32Array {
    const scores = new Float32Array(users.length * this.itemCounts.length);
    for (let row = 0; row < users.length; row++) scores.set(this.itemCounts, row * this.itemCounts.length);
    return scores;
  }
}
