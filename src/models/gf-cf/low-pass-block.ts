import { WASM_BASE64 } from '../core/simd/score-items.wasm.ts';
import { compileWasm, createWasmMemory, instantiateWasm } from '../core/wasm.ts';

/** Users scored together: the item table streams from memory once per block instead of once per user. */
export const USER_BLOCK = 32;

/** Bytes of item table per tile: small enough to stay in a core's L2 cache while every user of a block reads it. */
const TILE_BYTES = 256 * 1024;

type ScoreItems = (y: number, x: number, out: number, rows: number, f: number) => void;

/**
 * out[b·items + i] = x_b · y_i for up to {@link USER_BLOCK} rank-k vectors x_b and every row y_i of an item table
 * (items × rank), in WebAssembly SIMD (models/core/simd/score-items.wat) tile by tile: each tile of the table is
 * read by all users of the block while it is in cache, so the arithmetic, not memory, sets the pace. At 41 000
 * items × 256 the table is 42 MB, beyond every cache; one user at a time would stream all of it per user.
 * Undefined (use plain loops) when rank is not a multiple of 4 or SIMD is unavailable.
 */
export class LowPassBlockScorer {
  readonly #items: number;
  readonly #rank: number;
  readonly #heap: Float32Array;
  readonly #scoreItems: ScoreItems;
  readonly #xAt: number;
  readonly #outAt: number;
  readonly #tile: number;

  private constructor(table: Float32Array, items: number, rank: number, module: object) {
    this.#items = items;
    this.#rank = rank;
    this.#xAt = items * rank;
    this.#outAt = this.#xAt + USER_BLOCK * rank;
    const memory = createWasmMemory((this.#outAt + USER_BLOCK * items) * 4);
    this.#scoreItems = instantiateWasm(module, { env: { memory } })['scoreItems'] as ScoreItems;
    this.#heap = new Float32Array(memory.buffer);
    this.#heap.set(table.subarray(0, items * rank), 0);
    this.#tile = Math.max(4, Math.floor(TILE_BYTES / (rank * 4)) & ~3);
  }

  static create(table: Float32Array, items: number, rank: number): LowPassBlockScorer | undefined {
    const module = rank % 4 === 0 && items > 0 ? compileWasm(WASM_BASE64) : null;
    return module === null ? undefined : new LowPassBlockScorer(table, items, rank, module);
  }

  /** Rows [0, count) of out (count × items) from the vectors x (count × rank, row-major); count ≤ USER_BLOCK. */
  score(x: Float32Array, count: number, out: Float32Array): void {
    const items = this.#items;
    const rank = this.#rank;
    this.#heap.set(x.subarray(0, count * rank), this.#xAt);
    for (let t0 = 0; t0 < items; t0 += this.#tile) {
      const rows = Math.min(this.#tile, items - t0);
      for (let b = 0; b < count; b++) {
        this.#scoreItems(t0 * rank * 4, (this.#xAt + b * rank) * 4, (this.#outAt + b * items + t0) * 4, rows, rank);
      }
    }
    out.set(this.#heap.subarray(this.#outAt, this.#outAt + count * items));
  }
}
