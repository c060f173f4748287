/**
 * A seeded pseudo-random generator: every source of randomness in mars-rec goes through one of
 * these, so the same seed always gives the same run.
 *
 * The algorithm is xoshiro128** (Blackman and Vigna), seeded through SplitMix32 so that nearby
 * seeds (1, 2, 3...) give unrelated streams. It is fast on 32-bit integer arithmetic, which is
 * what JavaScript engines do best, and has a period of 2^128 - 1.
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * @param seed - any finite number; integers are used as they are, other numbers are hashed by
   *   their bit pattern. The same seed gives the same stream on every platform.
   */
  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new TypeError(`SeededRandom: seed must be a finite number, got ${String(seed)}`);
    }
    let state = seedToUint32(seed);
    const next = (): number => {
      // SplitMix32
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next unsigned 32-bit integer, uniform over [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float uniform over [0, 1), with 32 bits of randomness. */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * An integer uniform over [0, n), without modulo bias (Lemire's multiply-and-reject method).
   * @param n - the exclusive upper bound, an integer in [1, 2^32].
   */
  nextInt(n: number): number {
    if (!(n >= 1 && n <= 4294967296) || !Number.isInteger(n)) {
      throw new RangeError(`SeededRandom.nextInt: n must be an integer in [1, 2^32], got ${n}`);
    }
    if (n <= 0x200000) {
      // n * 2^32 fits exactly in a double: one multiply, rejection on the low part.
      const threshold = 4294967296 % n;
      for (;;) {
        const product = this.nextUint32() * n;
        const low = product % 4294967296;
        if (low >= threshold) return Math.floor(product / 4294967296);
      }
    }
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Shuffles `values` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [index: number]: unknown }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const swap = values[i];
      values[i] = values[j];
      values[j] = swap;
    }
    return values;
  }

  /** A new generator whose stream is independent of this one's continuation (for sub-tasks). */
  fork(): SeededRandom {
    return new SeededRandom(this.nextUint32() * 4294967296 + this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function seedToUint32(seed: number): number {
  if (Number.isSafeInteger(seed)) {
    const high = Math.floor(seed / 4294967296);
    return (seed ^ Math.imul(high, 0x27d4eb2d)) >>> 0;
  }
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, seed);
  return (view.getUint32(0) ^ Math.imul(view.getUint32(4), 0x27d4eb2d)) >>> 0;
}
