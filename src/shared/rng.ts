import { ValidationError } from './errors.ts';

/** Anything indexable and writable by position: plain arrays and typed arrays alike. */
export interface MutableIndexed<T> {
  length: number;
  [index: number]: T;
}

const TWO_POW_32 = 4294967296;
const INV_TWO_POW_32 = 1 / TWO_POW_32;

/** splitmix32: turns one 32-bit state into a well-mixed output, so nearby seeds give unrelated streams. */
function splitmix32(state: number): number {
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A small seeded PRNG (xoshiro128**, Blackman & Vigna 2018, seeded through splitmix32).
 *
 * Used by the generator, models (initialisation, negative sampling) and random splits, injected rather than global.
 * Why not `Math.random`: every generated dataset and every model fit must be reproducible from one integer,
 * and it must be fast enough for tens of millions of draws. The period is 2^128 − 1 and the output passes
 * BigCrush; `next()` has 32 bits of resolution, plenty for sampling and simulation (not for cryptography).
 */
export class Rng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;
  /** Second value of the last polar-method pair, NaN when none is cached. */
  #spareNormal = Number.NaN;

  /** @param seed any safe integer; equal seeds give identical streams. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new ValidationError(`Rng seed must be a safe integer, got ${seed}`);
    // Fold the high bits in too, so seeds that differ only above bit 31 still differ.
    let state = (seed >>> 0) ^ Math.imul(Math.floor(seed / TWO_POW_32) >>> 0, 0x9e3779b9);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      state = (state + 0x9e3779b9) | 0;
      words.push(splitmix32(state));
    }
    this.#s0 = words[0] ?? 1;
    this.#s1 = words[1] ?? 2;
    this.#s2 = words[2] ?? 3;
    this.#s3 = words[3] ?? 4;
    // xoshiro's all-zero state is a fixed point; splitmix32 makes it practically impossible, but be safe.
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s1 = this.#s1;
    const r = Math.imul(s1, 5);
    const result = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= s1;
    this.#s1 = s1 ^ this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = (this.#s3 << 11) | (this.#s3 >>> 21);
    return result;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform integer in [lo, hiExclusive). */
  int(lo: number, hiExclusive: number): number {
    if (!(hiExclusive > lo)) throw new ValidationError(`Rng.int needs lo < hiExclusive, got [${lo}, ${hiExclusive})`);
    return lo + Math.floor(this.next() * (hiExclusive - lo));
  }

  /** Uniform integer in [0, n); n must be a positive integer ≤ 2^32. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) {
      throw new ValidationError(`Rng.nextInt needs a positive integer bound ≤ 2^32, got ${n}`);
    }
    return Math.floor(this.next() * n);
  }

  /**
   * Uniform integer in [0, n) without argument checks, for sampling loops that run millions of times
   * (BPR's negative sampling). `n` must be a positive integer ≤ 2^32.
   */
  uniformInt(n: number): number {
    return Math.floor(this.nextUint32() * INV_TWO_POW_32 * n);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal draw (Marsaglia polar method; the second value of each pair is cached). */
  normal(): number {
    const spare = this.#spareNormal;
    if (!Number.isNaN(spare)) {
      this.#spareNormal = Number.NaN;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.#spareNormal = v * m;
    return u * m;
  }

  /** A uniformly chosen element; throws on an empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new ValidationError('Rng.pick needs a non-empty array');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /**
   * Index drawn in proportion to weights given as their running sum (`cumulativeWeights[i]` = w0 + … + wi).
   * Binary search, O(log n); zero-weight entries are never chosen. Throws when the total weight is not positive.
   */
  weightedIndex(cumulativeWeights: Float64Array): number {
    const n = cumulativeWeights.length;
    const total = n === 0 ? 0 : (cumulativeWeights[n - 1] as number);
    if (!(total > 0)) throw new ValidationError('Rng.weightedIndex needs a positive total weight');
    const x = this.next() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulativeWeights[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Fisher–Yates shuffle in place; returns the same array for chaining. */
  shuffle<A extends MutableIndexed<unknown>>(items: A): A {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /**
   * An independent child stream. Sub-generators each take a fork so that drawing more numbers in one
   * (say, more dirty rows) never shifts the sequence another one sees.
   */
  fork(): Rng {
    return new Rng(this.nextUint32() * 2097152 + (this.nextUint32() >>> 11));
  }
}
