import type { CsrMatrix } from './csr';
import { IdInterner } from './id-interner';
import type { IdList } from './id-interner';
import { InteractionColumns } from './interaction-columns';
import type { TokenStore } from './token-store';

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

/** The parts of an {@link InteractionDataset}, for {@link InteractionDataset.fromParts}. */
export interface InteractionDatasetParts {
  /** User ids by dense index: an {@link IdList} (compact) or an array. */
  users: IdList | readonly string[];
  /** Item ids by dense index. */
  itemIds: readonly string[];
  /** Item texts by dense index (or give `itemTokens`). */
  itemTexts?: readonly string[];
  /** The items' tokens, aligned with `itemIds` (instead of, or besides, `itemTexts`). */
  itemTokens?: TokenStore;
  /** Users x items. */
  interactions: CsrMatrix;
  /** Ratings aligned with `interactions.indices` (NaN where unknown), when the source had them. */
  ratings?: Float64Array;
  /** Interactions skipped because their item is not among the items. */
  unknownItemInteractions?: number;
}

/**
 * Users, items and their interactions with dense indices: user `u` is `users.idAt(u)`, item `i`
 * is `itemIds[i]`, and the items of user `u` are a row of {@link InteractionDataset.interactions}
 * (CSR, rows sorted by item index, de-duplicated). Built from records by
 * {@link InteractionDataset.build}, or streamed from files by `loadDataset` (typed arrays only:
 * no object per interaction or per user).
 */
export class InteractionDataset {
  /** User ids by dense index (compact; {@link InteractionDataset.userIds} as an array). */
  readonly users: IdList;
  /** Item ids by dense index. */
  readonly itemIds: readonly string[];
  /** The items' tokens, when the dataset was loaded with a token store (`loadDataset`). */
  readonly itemTokens?: TokenStore;
  /** Users x items; `timestamps` aligned when every kept interaction had one. */
  readonly interactions: CsrMatrix;
  /** Ratings aligned with `interactions.indices` (NaN where unknown); undefined when the source had none. */
  readonly ratings?: Float64Array;
  /** Interactions skipped by {@link InteractionDataset.build} because their item is not among the items. */
  readonly unknownItemInteractions: number;
  private readonly texts?: readonly string[];
  private userIdArray?: readonly string[];
  private decodedTexts?: readonly string[];
  private itemIndexById?: Map<string, number>;

  private constructor(parts: InteractionDatasetParts) {
    const { users, itemIds, itemTexts, itemTokens } = parts;
    if (itemTexts === undefined && itemTokens === undefined) {
      throw new RangeError("InteractionDataset: give the items' texts or their tokens");
    }
    if (itemTexts !== undefined && itemTexts.length !== itemIds.length) {
      throw new RangeError(`InteractionDataset: ${itemIds.length} item ids but ${itemTexts.length} texts`);
    }
    if (itemTokens !== undefined && itemTokens.size !== itemIds.length) {
      throw new RangeError(
        `InteractionDataset: ${itemIds.length} item ids but ${itemTokens.size} token rows`,
      );
    }
    if (Array.isArray(users)) this.userIdArray = users as readonly string[];
    this.users = Array.isArray(users) ? IdInterner.fromIds(users as readonly string[]) : (users as IdList);
    this.itemIds = itemIds;
    this.texts = itemTexts;
    this.itemTokens = itemTokens;
    this.interactions = parts.interactions;
    this.ratings = parts.ratings;
    this.unknownItemInteractions = parts.unknownItemInteractions ?? 0;
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
    const users = new IdInterner();
    const columns = new InteractionColumns({ ratings: true });
    let position = 0;
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
      columns.push(users.internString(record.user), item, record.timestamp ?? NaN, record.rating ?? NaN);
      position++;
    }
    const { matrix, ratings } = columns.toCsr(users.size, items.length);
    return new InteractionDataset({
      users,
      itemIds: items.map((item) => item.id),
      itemTexts: items.map((item) => item.text),
      interactions: matrix.timestamps
        ? { ...matrix, timestamps: Float64Array.from(matrix.timestamps) }
        : matrix,
      ratings,
      unknownItemInteractions,
    });
  }

  /** Builds a dataset from already-indexed parts (used by preprocessing and the streaming loaders). */
  static fromParts(parts: InteractionDatasetParts): InteractionDataset {
    return new InteractionDataset(parts);
  }

  /** User ids as an array (made on first use: one string per user; prefer {@link InteractionDataset.users}). */
  get userIds(): readonly string[] {
    this.userIdArray ??= Array.from({ length: this.users.size }, (_, user) => this.users.idAt(user));
    return this.userIdArray;
  }

  /**
   * Item texts by dense index. A dataset loaded with a token store does not keep the original
   * texts: its texts are each item's tokens joined by spaces (made on first use).
   */
  get itemTexts(): readonly string[] {
    if (this.texts) return this.texts;
    const store = this.itemTokens as TokenStore;
    this.decodedTexts ??= Array.from({ length: store.size }, (_, item) => store.textOf(item));
    return this.decodedTexts;
  }

  /** Whether the dataset keeps its items' original texts (else only their tokens). */
  get hasItemTexts(): boolean {
    return this.texts !== undefined;
  }

  /** Number of users. */
  get userCount(): number {
    return this.users.size;
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
    return this.users.indexOf(id);
  }

  /** Dense index of an item id, or undefined. */
  itemIndex(id: string): number | undefined {
    this.itemIndexById ??= new Map(this.itemIds.map((itemId, index) => [itemId, index]));
    return this.itemIndexById.get(id);
  }
}
