import { compileWasm, createWasmMemory, instantiateWasm, WASM_PAGE_BYTES } from '../../core/wasm.ts';
import { WASM_BASE64 } from './gram-rows.wasm.ts';

/**
 * The Gram matrix of a block of freshly solved rows in WebAssembly SIMD (gram-rows.wat): the same float64 sums, in
 * the same order, as `addGramRows` (so the fit is bit-identical either way), two columns per instruction. It is an
 * f²/2 update per row, a tenth or more of an ALS iteration in scalar JavaScript at 64 factors.
 */
export interface SimdGramRows {
  /** Adds Σ_{u∈[start,end)} x_u x_uᵀ (upper triangle) of `factors` (rows of f) into `out` at `offset`. */
  add(factors: Float32Array, start: number, end: number, out: Float64Array, offset: number): void;
}

type GramRows = (rows: number, n: number, f: number, out: number) => void;

/** The kernel for f factors (one per thread: it owns its memory), or undefined when f is odd or SIMD is unavailable. */
export function createSimdGramRows(f: number): SimdGramRows | undefined {
  const module = f % 2 === 0 && f > 0 ? compileWasm(WASM_BASE64) : null;
  if (module === null) return undefined;
  // Layout in bytes: the f×f float64 sums, then the block's rows (float32), room for `capacity` rows.
  const rowsAt = f * f * 8;
  let capacity = 256;
  const memory = createWasmMemory(rowsAt + capacity * f * 4);
  const gramRows = instantiateWasm(module, { env: { memory } })['gramRows'] as GramRows;
  let sums = new Float64Array(memory.buffer, 0, f * f);
  let rows = new Float32Array(memory.buffer, rowsAt);
  return {
    add(factors, start, end, out, offset) {
      const n = end - start;
      if (n <= 0) return;
      if (n > capacity) {
        capacity = n;
        const pages = Math.ceil((rowsAt + capacity * f * 4) / WASM_PAGE_BYTES) - memory.buffer.byteLength / WASM_PAGE_BYTES;
        if (pages > 0) memory.grow(pages);
        sums = new Float64Array(memory.buffer, 0, f * f);
        rows = new Float32Array(memory.buffer, rowsAt);
      }
      // Starting from out's own values, so each sum is formed in addGramRows' order.
      sums.set(out.subarray(offset, offset + f * f));
      rows.set(factors.subarray(start * f, end * f));
      gramRows(rowsAt, n, f, 0);
      for (let j = 0; j < f; j++) out.set(sums.subarray(j * f + j, (j + 1) * f), offset + j * f + j);
    },
  };
}
