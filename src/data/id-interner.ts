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
/** A direct map may hold up to this many slots an id (4 bytes each: 16 bytes an id at most). */
const DENSE_SLOTS_PER_ID = 4;
const TWO_POW_32 = 4294967296;
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

/** The hash of a safe integer >= 0 (no floating-point modulo on the common path below 2^32). */
function hashNumber(value: number): number {
  if (value < TWO_POW_32) return mix(value >>> 0);
  const high = Math.floor(value / TWO_POW_32);
  return mix(((value >>> 0) ^ mix(high + 0x9e3779b9)) >>> 0);
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
 * kept as its UTF-8 bytes in one arena.
 *
 * Lookups cost one cache miss where they can: integer ids that cover their range densely (at
 * least one id in every four values, as auto-increment ids do) are found in a
 * direct map (`key - base` to the index, 4 bytes a value); other ids go through an
 * open-addressing table (load <= 0.6) whose slots hold the index beside the key's low 32 bits
 * (numbers) or its hash (bytes), so a probe compares inside the slot without reading the key
 * elsewhere. About 13 to 30 bytes per id plus the id's bytes, against ~80 for a
 * `Map<string, number>` with its strings.
 *
 * The hot paths take bytes straight from a read buffer ({@link IdInterner.internBytes}), a
 * number ({@link IdInterner.internNumber}), a batch of numbers ({@link IdInterner.internNumbers})
 * or a string ({@link IdInterner.internString}).
 *
 * @example
 * ```ts
 * import { IdInterner } from 'mars-rec/data';
 *
 * const users = new IdInterner();
 * users.internString('u42'); // 0
 * users.internString('u7'); // 1
 * users.internString('u42'); // 0 again
 * console.log(users.size, users.indexOf('u7'), users.idAt(0)); // 2 1 u42
 * ```
 */
export class IdInterner implements IdList {
  private count = 0;
  private numeric = true;
  /** Numeric mode: the id of each index (32-bit while every id is below 2^32). */
  private keys: Uint32Array | Float64Array = new Uint32Array(1024);
  /** Numeric mode: the smallest and largest id so far. */
  private minKey = Infinity;
  private maxKey = -Infinity;
  /** Numeric mode: some id is >= 2^32 (a slot's low 32 bits then do not decide equality). */
  private wide = false;
  /** Numeric mode, dense: index + 1 of the id `base + k` at `map[k]` (0: absent); empty otherwise. */
  private map = new Int32Array(0);
  private base = 0;
  /** Bytes mode: the arena and where each id starts (id `i` is `arena[starts[i], starts[i + 1])`). */
  private arena = new Uint8Array(0);
  private starts = new Uint32Array(0);
  /**
   * Hashed modes: two int32 a slot, `[index + 1, check]` (index + 1 = 0: empty), where check is
   * the key's low 32 bits (numbers) or the hash of its bytes. Empty in dense mode.
   */
  private table = new Int32Array(4096);
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

  /** Bytes held: ids, arena and the lookup structure (direct map or hash table). */
  get byteLength(): number {
    return (
      this.keys.byteLength +
      this.arena.byteLength +
      this.starts.byteLength +
      this.map.byteLength +
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
    if (this.map.length > 0) {
      const offset = value - this.base;
      if (offset >= 0 && offset < this.map.length) {
        const entry = this.map[offset];
        if (entry !== EMPTY) return entry - 1;
        const index = this.addKey(value);
        this.map[offset] = index + 1;
        return index;
      }
      if (this.widenMap(value)) return this.internNumber(value);
    }
    const table = this.table;
    const mask = this.mask;
    const check = value | 0;
    let slot = hashNumber(value) & mask;
    for (;;) {
      const entry = table[2 * slot];
      if (entry === EMPTY) break;
      if (table[2 * slot + 1] === check && (!this.wide || this.keys[entry - 1] === value)) return entry - 1;
      slot = (slot + 1) & mask;
    }
    const index = this.addKey(value);
    table[2 * slot] = index + 1;
    table[2 * slot + 1] = check;
    if (this.count > MAX_LOAD * (mask + 1)) this.growNumeric();
    return index;
  }

  /**
   * Interns `count` decimal integer ids at once (`keys[k]`, safe integers >= 0, as for
   * {@link IdInterner.internNumber}) into `out[k]`, in order (a new id gets the next index).
   * Looking up a whole batch in tight loops lets the processor overlap the cache misses of
   * consecutive lookups: several times faster than one call a key on tables larger than the
   * caches.
   * @param add - add absent ids (else `out[k] = -1` for them).
   */
  internNumbers(keys: Float64Array, count: number, out: Int32Array, add = true): void {
    if (!this.numeric) {
      for (let k = 0; k < count; k++) out[k] = add ? this.internNumber(keys[k]) : this.findNumber(keys[k]);
      return;
    }
    if (this.map.length > 0) {
      this.internDense(keys, count, out, add);
      return;
    }
    if (this.slotScratch.length < count) this.slotScratch = new Int32Array(count);
    const slots = this.slotScratch;
    const mask = this.mask;
    for (let k = 0; k < count; k++) slots[k] = hashNumber(keys[k]) & mask;
    const table = this.table;
    const wide = this.wide;
    const stored = this.keys;
    for (let k = 0; k < count; k++) {
      const key = keys[k];
      const check = key | 0;
      let slot = slots[k];
      let index = -1;
      for (;;) {
        const entry = table[2 * slot];
        if (entry === EMPTY) break;
        if (table[2 * slot + 1] === check && (!wide || stored[entry - 1] === key)) {
          index = entry - 1;
          break;
        }
        slot = (slot + 1) & mask;
      }
      if (index < 0 && add) {
        index = this.internNumber(key);
        if (this.table !== table || this.keys !== stored || this.wide !== wide) {
          // the table grew or changed mode (or the keys moved): go on with the rest afresh
          out[k] = index;
          if (k + 1 < count)
            this.internNumbers(keys.subarray(k + 1), count - k - 1, out.subarray(k + 1), add);
          return;
        }
      }
      out[k] = index;
    }
  }

  /** {@link IdInterner.internNumbers} in dense mode: one read of the direct map a key. */
  private internDense(keys: Float64Array, count: number, out: Int32Array, add: boolean): void {
    const map = this.map;
    const base = this.base;
    const length = map.length;
    for (let k = 0; k < count; k++) {
      const offset = keys[k] - base;
      if (offset >= 0 && offset < length) {
        const entry = map[offset];
        if (entry !== EMPTY) {
          out[k] = entry - 1;
          continue;
        }
      }
      out[k] = add ? this.internNumber(keys[k]) : this.findNumber(keys[k]);
      if (this.map !== map) {
        if (k + 1 < count) this.internNumbers(keys.subarray(k + 1), count - k - 1, out.subarray(k + 1), add);
        return;
      }
    }
  }

  /** The index of the decimal integer id `value`, or -1 when absent. */
  findNumber(value: number): number {
    if (!this.numeric) return this.internInArena(...this.decimalBytes(value), false);
    if (this.map.length > 0) {
      const offset = value - this.base;
      return offset >= 0 && offset < this.map.length ? this.map[offset] - 1 : -1;
    }
    const table = this.table;
    const mask = this.mask;
    const check = value | 0;
    let slot = hashNumber(value) & mask;
    for (;;) {
      const entry = table[2 * slot];
      if (entry === EMPTY) return -1;
      if (table[2 * slot + 1] === check && (!this.wide || this.keys[entry - 1] === value)) return entry - 1;
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

  /** Trims the per-id arrays and the arena to their used length (the lookup structure stays). */
  trim(): void {
    if (this.numeric) this.keys = this.keys.slice(0, this.count);
    else {
      this.starts = this.starts.slice(0, this.count + 1);
      this.arena = this.arena.slice(0, this.starts[this.count]);
    }
  }

  /** The ids as arrays for a binary file: numbers (`keys`), or UTF-8 bytes (`arena`, `starts`). */
  toColumns(): { keys: Float64Array } | { arena: Uint8Array; starts: Uint32Array } {
    if (this.numeric) {
      const keys = this.keys.subarray(0, this.count);
      return { keys: keys instanceof Float64Array ? keys : Float64Array.from(keys) };
    }
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
      for (let index = 0; index < keys.length; index++) interner.noteKey(keys[index]);
      interner.buildNumericLookup();
      return interner;
    }
    const { arena, starts } = columns;
    interner.numeric = false;
    interner.keys = new Float64Array(0);
    interner.arena = arena.slice();
    interner.starts = starts.slice();
    interner.count = starts.length - 1;
    interner.table = new Int32Array(2 * capacityFor(interner.count));
    interner.mask = interner.table.length / 2 - 1;
    for (let index = 0; index < interner.count; index++) {
      interner.place(index, hashBytes(arena, starts[index], starts[index + 1]) | 0);
    }
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

  /** Numeric mode: appends a new id's key; returns its index. */
  private addKey(value: number): number {
    const index = this.count++;
    if (value >= TWO_POW_32 && this.keys instanceof Uint32Array) this.keys = Float64Array.from(this.keys);
    if (index === this.keys.length) this.keys = grow(this.keys, index * 2);
    this.keys[index] = value;
    this.noteKey(value);
    return index;
  }

  private noteKey(value: number): void {
    if (value < this.minKey) this.minKey = value;
    if (value > this.maxKey) this.maxKey = value;
    if (value >= TWO_POW_32) this.wide = true;
  }

  /** Whether a direct map over `[minKey, maxKey]` costs at most DENSE_SLOTS_PER_ID slots an id. */
  private denseEnough(low: number, high: number): boolean {
    return high - low + 1 <= DENSE_SLOTS_PER_ID * this.count;
  }

  /** Numeric mode, hashed: the table is full; go dense when the ids allow, else double it. */
  private growNumeric(): void {
    if (this.denseEnough(this.minKey, this.maxKey)) this.buildDenseMap(this.minKey, this.maxKey + 1);
    else this.rehashNumbers(2 * (this.mask + 1));
  }

  /** Builds the direct map or the hash table for the keys held, whichever fits them. */
  private buildNumericLookup(): void {
    if (this.count > 0 && this.denseEnough(this.minKey, this.maxKey)) {
      this.buildDenseMap(this.minKey, this.maxKey + 1);
    } else this.rehashNumbers(capacityFor(this.count));
  }

  /**
   * Dense mode: a key outside the map arrived. Widens the map to take it (by half again, so
   * ids that grow one by one cost amortised O(1)) while that keeps it dense, else switches to
   * the hash table. Returns whether the map now covers `value`.
   */
  private widenMap(value: number): boolean {
    const length = this.map.length;
    const needLow = Math.min(this.base, value);
    const needHigh = Math.max(this.base + length, value + 1);
    const limit = DENSE_SLOTS_PER_ID * (this.count + 1); // one more id is about to be added
    if (needHigh - needLow > limit) {
      this.rehashNumbers(capacityFor(this.count + 1));
      return false;
    }
    const slack = Math.min(length >> 1, limit - (needHigh - needLow));
    if (value < this.base) this.buildDenseMap(Math.max(0, needLow - slack), needHigh);
    else this.buildDenseMap(needLow, needHigh + slack);
    return true;
  }

  /** Dense mode over the keys `[low, high)`. */
  private buildDenseMap(low: number, high: number): void {
    const map = new Int32Array(high - low);
    for (let index = 0; index < this.count; index++) map[this.keys[index] - low] = index + 1;
    this.map = map;
    this.base = low;
    this.table = new Int32Array(0);
    this.mask = -1;
  }

  /** Hashed numeric mode with `capacity` slots (a power of two). */
  private rehashNumbers(capacity: number): void {
    this.map = new Int32Array(0);
    this.table = new Int32Array(2 * capacity);
    this.mask = capacity - 1;
    const keys = this.keys;
    for (let index = 0; index < this.count; index++) {
      const key = keys[index];
      let slot = hashNumber(key) & this.mask;
      while (this.table[2 * slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.table[2 * slot] = index + 1;
      this.table[2 * slot + 1] = key | 0;
    }
  }

  /** Hashed mode: puts index `index` with check `check` into its slot (known absent). */
  private place(index: number, hash: number): void {
    let slot = hash & this.mask;
    while (this.table[2 * slot] !== EMPTY) slot = (slot + 1) & this.mask;
    this.table[2 * slot] = index + 1;
    this.table[2 * slot + 1] = hash;
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
      const entry = table[2 * slot];
      if (entry === EMPTY) break;
      if (table[2 * slot + 1] === hash) {
        const index = entry - 1;
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
    if (index + 1 >= this.starts.length) this.starts = grow(this.starts, Math.max(1024, (index + 1) * 2));
    const from = this.starts[index];
    if (from + length > this.arena.length) {
      this.arena = grow(this.arena, Math.max(4096, (from + length) * 2));
    }
    this.arena.set(bytes.subarray(start, end), from);
    this.starts[index + 1] = from + length;
    table[2 * slot] = index + 1;
    table[2 * slot + 1] = hash;
    if (this.count > MAX_LOAD * (mask + 1)) this.rehashBytes(2 * (mask + 1));
    return index;
  }

  /** Bytes mode: a table of `capacity` slots, filled from the old one's hashes. */
  private rehashBytes(capacity: number): void {
    const old = this.table;
    this.table = new Int32Array(2 * capacity);
    this.mask = capacity - 1;
    for (let slot = 0; slot < old.length; slot += 2) {
      if (old[slot] !== EMPTY) this.place(old[slot] - 1, old[slot + 1]);
    }
  }

  /** Moves every numeric id into the byte arena as its decimal text (once, when a non-numeric id appears). */
  private toBytesMode(): void {
    const keys = this.keys;
    const count = this.count;
    this.numeric = false;
    this.keys = new Float64Array(0);
    this.map = new Int32Array(0);
    this.count = 0;
    this.starts = new Uint32Array(Math.max(1024, count * 2));
    this.arena = new Uint8Array(Math.max(4096, count * 8));
    this.table = new Int32Array(2 * capacityFor(count));
    this.mask = this.table.length / 2 - 1;
    for (let index = 0; index < count; index++) this.internInArena(...this.decimalBytes(keys[index]), true);
  }
}

/** Slots (a power of two, at least 2,048) of a hash table holding `count` ids at load <= 0.6. */
function capacityFor(count: number): number {
  let capacity = 2048;
  while (count > MAX_LOAD * capacity) capacity *= 2;
  return capacity;
}

function grow<T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(array: T, length: number): T {
  const grown = new (array.constructor as new (length: number) => T)(length);
  grown.set(array);
  return grown;
}
