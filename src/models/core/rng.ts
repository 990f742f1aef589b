import { ValidationError } from '../../shared/errors.ts';

const TWO_POW_32 = 4294967296;

/** splitmix32 finaliser: spreads one 32-bit state into a well-mixed word, so nearby seeds give unrelated streams. */
function splitmix32(state: number): number {
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Seeded PRNG for models (initialisation, negative sampling, random splits): xoshiro128** (Blackman & Vigna 2018),
 * its 128-bit state seeded through splitmix32. Models take an injected Rng instead of `Math.random` so that the
 * same seed gives the same model [implicit `random_state`]. Period 2^128 − 1; 32-bit outputs; not for cryptography.
 * No I/O and no global state: two instances with the same seed produce identical streams.
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
    state = (state + 0x9e3779b9) | 0;
    this.#s0 = splitmix32(state);
    state = (state + 0x9e3779b9) | 0;
    this.#s1 = splitmix32(state);
    state = (state + 0x9e3779b9) | 0;
    this.#s2 = splitmix32(state);
    state = (state + 0x9e3779b9) | 0;
    this.#s3 = splitmix32(state);
    // The all-zero state is a fixed point of xoshiro.
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

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n); n must be a positive integer ≤ 2^32. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) {
      throw new ValidationError(`Rng.nextInt needs a positive integer bound ≤ 2^32, got ${n}`);
    }
    return Math.floor(this.next() * n);
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

  /** Fisher–Yates shuffle of a typed array in place; returns it. */
  shuffle<A extends Int32Array | Float32Array>(items: A): A {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /**
   * An independent child stream (one per epoch, per worker, per sub-task), so drawing more numbers in one
   * consumer never shifts the sequence another sees. Advances this generator by two draws.
   */
  fork(): Rng {
    return new Rng(this.nextUint32() * 2097152 + (this.nextUint32() >>> 11));
  }
}
