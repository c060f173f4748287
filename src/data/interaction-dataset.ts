import type { CsrMatrix } from './csr';

/** One item record: its id, its text, and any extra fields of the source. */
export interface ItemRecord {
  /** Item id, unique in a dataset. */
  id: string;
  /** The item's text (synopsis, article, description). */
  text: string;
}

/** One interaction record: a user, an item, and optionally a rating and a Unix timestamp. */
export interface InteractionRecord {
  /** User id. */
  user: string;
  /** Item id. */
  item: string;
  /** Explicit rating, when the source has one. */
  rating?: number;
  /** Unix time in seconds, when the source has one. */
  timestamp?: number;
}

/**
 * Users, items and their interactions with dense indices: user `u` is `userIds[u]`, item `i` is
 * `itemIds[i]`, and the items of user `u` are a row of {@link InteractionDataset.interactions}
 * (CSR, rows sorted by item index, de-duplicated). Built by {@link InteractionDataset.build}.
 */
export class InteractionDataset {
  /** User ids by dense index. */
  readonly userIds: readonly string[];
  /** Item ids by dense index. */
  readonly itemIds: readonly string[];
  /** Item texts by dense index. */
  readonly itemTexts: readonly string[];
  /** Users x items; `timestamps` aligned when every kept interaction had one. */
  readonly interactions: CsrMatrix;
  /** Ratings aligned with `interactions.indices`; NaN where unknown. */
  readonly ratings: Float64Array;
  /** Interactions skipped by {@link InteractionDataset.build} because their item is not among the items. */
  readonly unknownItemInteractions: number;
  private readonly userIndexById: Map<string, number>;
  private readonly itemIndexById: Map<string, number>;

  private constructor(
    userIds: readonly string[],
    itemIds: readonly string[],
    itemTexts: readonly string[],
    interactions: CsrMatrix,
    ratings: Float64Array,
    unknownItemInteractions = 0,
  ) {
    this.unknownItemInteractions = unknownItemInteractions;
    this.userIds = userIds;
    this.itemIds = itemIds;
    this.itemTexts = itemTexts;
    this.interactions = interactions;
    this.ratings = ratings;
    this.userIndexById = new Map(userIds.map((id, index) => [id, index]));
    this.itemIndexById = new Map(itemIds.map((id, index) => [id, index]));
  }

  /**
   * Builds a dataset from item and interaction records. Items keep their record order; users are
   * indexed in order of first appearance. A repeated (user, item) pair is kept once, with the
   * highest rating and the latest timestamp (documented de-duplication). Interactions whose item
   * is not among the items are counted in `unknownItemInteractions` and skipped, or fail with
   * `onUnknownItem: 'error'`.
   * @throws RangeError naming the interaction (by position) whose item is unknown (with
   *   `onUnknownItem: 'error'`), or a repeated item id.
   */
  static build(
    items: readonly ItemRecord[],
    interactions: Iterable<InteractionRecord>,
    options: { onUnknownItem?: 'skip' | 'error' } = {},
  ): InteractionDataset {
    let unknownItemInteractions = 0;
    const itemIndex = new Map<string, number>();
    items.forEach((item, index) => {
      const previous = itemIndex.get(item.id);
      if (previous !== undefined) {
        throw new RangeError(
          `InteractionDataset.build: item id '${item.id}' appears twice (items ${previous} and ${index})`,
        );
      }
      itemIndex.set(item.id, index);
    });
    const userIndex = new Map<string, number>();
    const rows: Map<number, { rating: number; timestamp: number }>[] = [];
    let position = 0;
    let allTimed = true;
    for (const record of interactions) {
      const item = itemIndex.get(record.item);
      if (item === undefined && options.onUnknownItem !== 'error') {
        unknownItemInteractions++;
        position++;
        continue;
      }
      if (item === undefined) {
        throw new RangeError(
          `InteractionDataset.build: interaction ${position} (user '${record.user}') names item '${record.item}', which is not among the items`,
        );
      }
      let user = userIndex.get(record.user);
      if (user === undefined) {
        user = userIndex.size;
        userIndex.set(record.user, user);
        rows.push(new Map());
      }
      const rating = record.rating ?? Number.NaN;
      const timestamp = record.timestamp ?? Number.NaN;
      if (record.timestamp === undefined) allTimed = false;
      const previous = rows[user].get(item);
      rows[user].set(item, {
        rating: previous ? maxKnown(previous.rating, rating) : rating,
        timestamp: previous ? maxKnown(previous.timestamp, timestamp) : timestamp,
      });
      position++;
    }
    const offsets = new Int32Array(rows.length + 1);
    rows.forEach((row, user) => (offsets[user + 1] = offsets[user] + row.size));
    const indices = new Int32Array(offsets[rows.length]);
    const ratings = new Float64Array(indices.length);
    const timestamps = new Float64Array(indices.length);
    rows.forEach((row, user) => {
      const sorted = [...row.entries()].sort((a, b) => a[0] - b[0]);
      sorted.forEach(([item, values], k) => {
        indices[offsets[user] + k] = item;
        ratings[offsets[user] + k] = values.rating;
        timestamps[offsets[user] + k] = values.timestamp;
      });
    });
    const matrix: CsrMatrix = {
      rowCount: rows.length,
      columnCount: items.length,
      offsets,
      indices,
      timestamps: allTimed && indices.length > 0 ? timestamps : undefined,
    };
    return new InteractionDataset(
      [...userIndex.keys()],
      items.map((item) => item.id),
      items.map((item) => item.text),
      matrix,
      ratings,
      unknownItemInteractions,
    );
  }

  /** Builds a dataset from already-indexed parts (used by preprocessing). */
  static fromParts(parts: {
    userIds: readonly string[];
    itemIds: readonly string[];
    itemTexts: readonly string[];
    interactions: CsrMatrix;
    ratings: Float64Array;
  }): InteractionDataset {
    return new InteractionDataset(
      parts.userIds,
      parts.itemIds,
      parts.itemTexts,
      parts.interactions,
      parts.ratings,
    );
  }

  /** Number of users. */
  get userCount(): number {
    return this.userIds.length;
  }

  /** Number of items. */
  get itemCount(): number {
    return this.itemIds.length;
  }

  /** Number of (user, item) interactions. */
  get interactionCount(): number {
    return this.interactions.indices.length;
  }

  /** Dense index of a user id, or undefined. */
  userIndex(id: string): number | undefined {
    return this.userIndexById.get(id);
  }

  /** Dense index of an item id, or undefined. */
  itemIndex(id: string): number | undefined {
    return this.itemIndexById.get(id);
  }
}

/** The larger of two values where NaN means unknown. */
function maxKnown(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return Math.max(a, b);
}
