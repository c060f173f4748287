/**
 * Read-only ids by dense index: what a dataset needs of its user or item ids. Implemented by
 * {@link IdInterner} (compact, for millions of ids) and by plain arrays through
 * {@link IdInterner.fromIds}.
 */
export interface IdList {
  /** Number of ids. */
  readonly size: number;
  /** The id of dense index `index` (in `[0, size)`). */
  idAt(index: number): string;
  /** The dense index of an id, or undefined when absent. */
  indexOf(id: string): number | undefined;
}

const EMPTY = 0;
const MAX_LOAD = 0.6;
/** Ids longer than this many bytes are refused (a sign of a wrong column or delimiter). */
const MAX_ID_BYTES = 65_535;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Murmur3's 32-bit finaliser: spreads every input bit over the hash. */
function mix(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

function hashNumber(value: number): number {
  const low = value % 4294967296;
  const high = (value - low) / 4294967296;
  return mix((low ^ mix(high + 0x9e3779b9)) >>> 0);
}

/** FNV-1a over the bytes, then mixed. */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let p = start; p < end; p++) hash = Math.imul(hash ^ bytes[p], 0x01000193);
  return mix(hash >>> 0);
}

/**
 * The value of `bytes[start, end)` when it is a canonical decimal integer (digits only, no
 * leading zero, at most 15 digits, so exactly representable), else -1.
 */
export function canonicalIntegerOf(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length < 1 || length > 15) return -1;
  const first = bytes[start];
  if (first === 48) return length === 1 ? 0 : -1; // '0' alone, never a leading zero
  let value = 0;
  for (let p = start; p < end; p++) {
    const digit = bytes[p] - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function canonicalIntegerOfString(id: string): number {
  const length = id.length;
  if (length < 1 || length > 15) return -1;
  if (id.charCodeAt(0) === 48) return length === 1 ? 0 : -1;
  let value = 0;
  for (let p = 0; p < length; p++) {
    const digit = id.charCodeAt(p) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Interns string ids into dense indices `0, 1, 2, ...` in order of first appearance, compactly:
 * no JavaScript string or Map entry per id. Ids that are canonical decimal integers (`"0"`,
 * `"8141"`, not `"007"`) are kept as numbers (8 bytes each); as soon as one id is not, every id is
 * kept as its UTF-8 bytes in one arena. An open-addressing hash table (load <= 0.6) maps ids back
 * to indices. About 16 to 20 bytes per id plus the id's bytes, against ~80 for a `Map<string,
 * number>` with its strings.
 *
 * The hot paths take bytes straight from a read buffer ({@link IdInterner.internBytes}), a
 * number ({@link IdInterner.internNumber}) or a string ({@link IdInterner.internString}).
 */
export class IdInterner implements IdList {
  private count = 0;
  private numeric = true;
  /** Numeric mode: the id of each index. */
  private keys = new Float64Array(1024);
  /** Bytes mode: the arena and where each id starts (id `i` is `arena[starts[i], starts[i + 1])`). */
  private arena = new Uint8Array(0);
  private starts = new Uint32Array(0);
  /** Bytes mode: the hash of each id, compared before the bytes. */
  private hashes = new Int32Array(0);
  /** index + 1 per slot; 0 is empty. */
  private table = new Int32Array(2048);
  private mask = 2047;
  private scratch = new Uint8Array(256);
  private slotScratch = new Int32Array(0);

  /** Number of ids interned. */
  get size(): number {
    return this.count;
  }

  /** Whether every id so far is a canonical decimal integer (kept as a number). */
  get isNumeric(): boolean {
    return this.numeric;
  }

  /** Bytes held: arena, per-id arrays and the hash table. */
  get byteLength(): number {
    return (
      this.keys.byteLength +
      this.arena.byteLength +
      this.starts.byteLength +
      this.hashes.byteLength +
      this.table.byteLength
    );
  }

  /**
   * An interner holding `ids` in this order.
   * @throws RangeError naming an id that appears twice.
   */
  static fromIds(ids: Iterable<string>): IdInterner {
    const interner = new IdInterner();
    let position = 0;
    for (const id of ids) {
      const before = interner.size;
      const index = interner.internString(id);
      if (interner.size === before) {
        throw new RangeError(
          `IdInterner.fromIds: id '${id}' appears twice (positions ${index} and ${position})`,
        );
      }
      position++;
    }
    return interner;
  }

  /** The index of the id `bytes[start, end)` (UTF-8), added when new. */
  internBytes(bytes: Uint8Array, start: number, end: number): number {
    if (this.numeric) {
      const value = canonicalIntegerOf(bytes, start, end);
      if (value >= 0) return this.internNumber(value);
      this.toBytesMode();
    }
    return this.internInArena(bytes, start, end, true);
  }

  /** The index of the id `bytes[start, end)`, or -1 when absent (nothing is added). */
  findBytes(bytes: Uint8Array, start: number, end: number): number {
    if (this.numeric) {
      const value = canonicalIntegerOf(bytes, start, end);
      return value >= 0 ? this.findNumber(value) : -1;
    }
    return this.internInArena(bytes, start, end, false);
  }

  /**
   * The index of the id written as the decimal integer `value` (a safe integer >= 0), added
   * when new.
   */
  internNumber(value: number): number {
    if (!this.numeric) return this.internInArena(...this.decimalBytes(value), true);
    const table = this.table;
    const mask = this.mask;
    let slot = hashNumber(value) & mask;
    for (;;) {
      const entry = table[slot];
      if (entry === EMPTY) break;
      if (this.keys[entry - 1] === value) return entry - 1;
      slot = (slot + 1) & mask;
    }
    const index = this.count++;
    if (index === this.keys.length) this.keys = grow(this.keys, index * 2);
    this.keys[index] = value;
    table[slot] = index + 1;
    if (this.count > MAX_LOAD * (mask + 1)) this.rehash((mask + 1) * 2);
    return index;
  }

  /**
   * Interns `count` decimal integer ids at once (`keys[k]`, safe integers >= 0, as for
   * {@link IdInterner.internNumber}) into `out[k]`. Hashing every key first and probing in a
   * separate tight loop lets the processor overlap the cache misses of consecutive lookups:
   * several times faster than one call a key on tables larger than the caches.
   * @param add - add absent ids (else `out[k] = -1` for them).
   */
  internNumbers(keys: Float64Array, count: number, out: Int32Array, add = true): void {
    if (!this.numeric) {
      for (let k = 0; k < count; k++) out[k] = add ? this.internNumber(keys[k]) : this.findNumber(keys[k]);
      return;
    }
    if (this.slotScratch.length < count) this.slotScratch = new Int32Array(count);
    const slots = this.slotScratch;
    const mask = this.mask;
    for (let k = 0; k < count; k++) slots[k] = hashNumber(keys[k]) & mask;
    const table = this.table;
    const stored = this.keys;
    for (let k = 0; k < count; k++) {
      const key = keys[k];
      let slot = slots[k];
      let index = -1;
      for (;;) {
        const entry = table[slot];
        if (entry === EMPTY) break;
        if (stored[entry - 1] === key) {
          index = entry - 1;
          break;
        }
        slot = (slot + 1) & mask;
      }
      if (index < 0 && add) {
        index = this.internNumber(key);
        if (this.table !== table || this.keys !== stored) {
          // the table grew (or the keys moved): finish one by one from here
          for (let rest = k + 1; rest < count; rest++) out[rest] = this.internNumber(keys[rest]);
          out[k] = index;
          return;
        }
      }
      out[k] = index;
    }
  }

  /** The index of the decimal integer id `value`, or -1 when absent. */
  findNumber(value: number): number {
    if (!this.numeric) return this.internInArena(...this.decimalBytes(value), false);
    const table = this.table;
    const mask = this.mask;
    let slot = hashNumber(value) & mask;
    for (;;) {
      const entry = table[slot];
      if (entry === EMPTY) return -1;
      if (this.keys[entry - 1] === value) return entry - 1;
      slot = (slot + 1) & mask;
    }
  }

  /** The index of a string id, added when new. */
  internString(id: string): number {
    if (this.numeric) {
      const value = canonicalIntegerOfString(id);
      if (value >= 0) return this.internNumber(value);
      this.toBytesMode();
    }
    const [bytes, end] = this.encode(id);
    return this.internInArena(bytes, 0, end, true);
  }

  /** The index of a string id, or undefined when absent. */
  indexOf(id: string): number | undefined {
    let index: number;
    if (this.numeric) {
      const value = canonicalIntegerOfString(id);
      index = value >= 0 ? this.findNumber(value) : -1;
    } else {
      const [bytes, end] = this.encode(id);
      index = this.internInArena(bytes, 0, end, false);
    }
    return index < 0 ? undefined : index;
  }

  /** The id of index `index`. */
  idAt(index: number): string {
    if (!(index >= 0 && index < this.count)) {
      throw new RangeError(`IdInterner.idAt: index ${index} is outside [0, ${this.count})`);
    }
    if (this.numeric) return String(this.keys[index]);
    return decoder.decode(this.arena.subarray(this.starts[index], this.starts[index + 1]));
  }

  /** Every id, by index (allocates one string per id). */
  toArray(): string[] {
    const ids = new Array<string>(this.count);
    for (let index = 0; index < this.count; index++) ids[index] = this.idAt(index);
    return ids;
  }

  /**
   * A new interner holding the ids of `indices`, in that order (index `k` of the result is
   * `indices[k]` here).
   * @throws RangeError when an index repeats or is out of range.
   */
  select(indices: Int32Array): IdInterner {
    const result = new IdInterner();
    for (let k = 0; k < indices.length; k++) {
      const index = indices[k];
      if (!(index >= 0 && index < this.count))
        throw new RangeError(`IdInterner.select: index ${index} is outside [0, ${this.count})`);
      const before = result.size;
      if (this.numeric) result.internNumber(this.keys[index]);
      else result.internBytes(this.arena, this.starts[index], this.starts[index + 1]);
      if (result.size === before) throw new RangeError(`IdInterner.select: index ${index} appears twice`);
    }
    return result;
  }

  /** Trims the per-id arrays and the arena to their used length (the hash table stays). */
  trim(): void {
    if (this.numeric) this.keys = this.keys.slice(0, this.count);
    else {
      this.starts = this.starts.slice(0, this.count + 1);
      this.arena = this.arena.slice(0, this.starts[this.count]);
      this.hashes = this.hashes.slice(0, this.count);
    }
  }

  /** The ids as arrays for a binary file: numbers (`keys`), or UTF-8 bytes (`arena`, `starts`). */
  toColumns(): { keys: Float64Array } | { arena: Uint8Array; starts: Uint32Array } {
    if (this.numeric) return { keys: this.keys.subarray(0, this.count) };
    return {
      arena: this.arena.subarray(0, this.starts[this.count]),
      starts: this.starts.subarray(0, this.count + 1),
    };
  }

  /** Rebuilds an interner from {@link IdInterner.toColumns}'s arrays. */
  static fromColumns(
    columns: { keys: Float64Array } | { arena: Uint8Array; starts: Uint32Array },
  ): IdInterner {
    const interner = new IdInterner();
    if ('keys' in columns) {
      const { keys } = columns;
      interner.keys = keys.slice();
      interner.count = keys.length;
    } else {
      const { arena, starts } = columns;
      interner.numeric = false;
      interner.keys = new Float64Array(0);
      interner.arena = arena.slice();
      interner.starts = starts.slice();
      interner.count = starts.length - 1;
      interner.hashes = new Int32Array(interner.count);
      for (let index = 0; index < interner.count; index++) {
        interner.hashes[index] = hashBytes(arena, starts[index], starts[index + 1]) | 0;
      }
    }
    let capacity = 2048;
    while (interner.count > MAX_LOAD * capacity) capacity *= 2;
    interner.rehash(capacity);
    return interner;
  }

  private decimalBytes(value: number): [Uint8Array, number, number] {
    const [bytes, end] = this.encode(String(value));
    return [bytes, 0, end];
  }

  /** UTF-8 bytes of `id` in the scratch buffer: [buffer, length]. */
  private encode(id: string): [Uint8Array, number] {
    if (id.length * 3 > this.scratch.length) this.scratch = new Uint8Array(id.length * 3);
    const { written } = encoder.encodeInto(id, this.scratch);
    return [this.scratch, written];
  }

  private internInArena(bytes: Uint8Array, start: number, end: number, add: boolean): number {
    const length = end - start;
    if (length > MAX_ID_BYTES) {
      throw new RangeError(
        `IdInterner: an id of ${length} bytes is longer than ${MAX_ID_BYTES}: is the delimiter right?`,
      );
    }
    const hash = hashBytes(bytes, start, end) | 0;
    const table = this.table;
    const mask = this.mask;
    const arena = this.arena;
    const starts = this.starts;
    let slot = hash & mask;
    for (;;) {
      const entry = table[slot];
      if (entry === EMPTY) break;
      const index = entry - 1;
      if (this.hashes[index] === hash) {
        const from = starts[index];
        if (starts[index + 1] - from === length) {
          let equal = true;
          for (let p = 0; p < length; p++) {
            if (arena[from + p] !== bytes[start + p]) {
              equal = false;
              break;
            }
          }
          if (equal) return index;
        }
      }
      slot = (slot + 1) & mask;
    }
    if (!add) return -1;
    const index = this.count++;
    if (index + 1 >= this.starts.length) {
      this.starts = grow(this.starts, Math.max(1024, (index + 1) * 2));
      this.hashes = grow(this.hashes, this.starts.length);
    }
    const from = this.starts[index];
    if (from + length > this.arena.length) {
      this.arena = grow(this.arena, Math.max(4096, (from + length) * 2));
    }
    this.arena.set(bytes.subarray(start, end), from);
    this.starts[index + 1] = from + length;
    this.hashes[index] = hash;
    table[slot] = index + 1;
    if (this.count > MAX_LOAD * (mask + 1)) this.rehash((mask + 1) * 2);
    return index;
  }

  private rehash(capacity: number): void {
    const table = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let index = 0; index < this.count; index++) {
      let slot = (this.numeric ? hashNumber(this.keys[index]) : this.hashes[index]) & mask;
      while (table[slot] !== EMPTY) slot = (slot + 1) & mask;
      table[slot] = index + 1;
    }
    this.table = table;
    this.mask = mask;
  }

  /** Moves every numeric id into the byte arena as its decimal text (once, when a non-numeric id appears). */
  private toBytesMode(): void {
    const keys = this.keys;
    const count = this.count;
    this.numeric = false;
    this.keys = new Float64Array(0);
    this.count = 0;
    this.starts = new Uint32Array(Math.max(1024, count * 2));
    this.hashes = new Int32Array(this.starts.length);
    this.arena = new Uint8Array(Math.max(4096, count * 8));
    this.table.fill(0);
    for (let index = 0; index < count; index++) this.internInArena(...this.decimalBytes(keys[index]), true);
  }
}

function grow<T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(array: T, length: number): T {
  const grown = new (array.constructor as new (length: number) => T)(length);
  grown.set(array);
  return grown;
}
