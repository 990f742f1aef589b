import type { AlsRows } from '../als-kernels.ts';
import { compileWasm, createWasmMemory, instantiateWasm, WASM_PAGE_BYTES } from '../../core/wasm.ts';
import { WASM_BASE64 } from './cg-products.wasm.ts';

/**
 * The products of a conjugate-gradient ALS row solve in WebAssembly SIMD (cg-products.wat): (G + λI)·v, and
 * the row's own terms Σ (c−1)(y·v) y over its non-zeros. Together they are nearly all of an iteration's
 * arithmetic, and four float32 lanes per instruction run them about 3× faster than scalar JavaScript. Each
 * thread's module has its own memory: G (as float32, like implicit's float32 solver) and a copy of the fixed
 * side's factor table are loaded once per half-iteration, a row's non-zeros once per row solve. `solve` runs a
 * row's whole CG in the module (its float64 vectors x, r, p, Ap in the module's memory too); the fit calls only
 * `load`, `gather` and `solve`. The single products below are the solve's parts, exposed so that its test can check
 * each against JavaScript and the solve against JavaScript driving them.
 */
export interface SimdCgProducts {
  /** Loads G (row-major f×f, both triangles), λ and the fixed side's factor table; once per half-iteration. */
  load(gram: Float64Array, lambda: number, fixed: Float32Array): void;
  /** Copies row `[from, to)`'s non-zeros (item ids and weights) in and sets its λ; once per row solve. */
  gather(rows: AlsRows, from: number, to: number, lambda: number): void;
  /** out = b − A·v for the gathered row (the CG residual at v). */
  residual(v: Float64Array, out: Float64Array): void;
  /** out = A·v for the gathered row. */
  product(v: Float64Array, out: Float64Array): void;
  /** out = (G + λI)·v alone. */
  gramTimes(v: Float64Array, out: Float64Array): void;
  /**
   * The whole CG solve of the gathered row from x (updated in place): cgSolveRow's steps in WebAssembly, to the
   * bit the same as calling `residual` and `product` from JavaScript.
   */
  solve(x: Float64Array, steps: number): void;
}

type GramTimes = (g: number, v: number, out: number, f: number, lambda: number) => void;
type CgSolve = (
  g: number,
  v: number,
  out: number,
  f: number,
  lambda: number,
  table: number,
  idx: number,
  pref: number,
  conf: number,
  n: number,
  x: number,
  r: number,
  p: number,
  ap: number,
  steps: number,
) => void;
type RowTimes = (
  table: number,
  idx: number,
  pref: number,
  conf: number,
  n: number,
  f: number,
  v: number,
  out: number,
  prefScale: number,
  confScale: number,
) => void;

/** Kernels for f factors (one per thread: they own their memory), or undefined when f is not a multiple of 4 or SIMD is unavailable. */
export function createSimdCgProducts(f: number): SimdCgProducts | undefined {
  const module = f % 4 === 0 && f > 0 ? compileWasm(WASM_BASE64) : null;
  if (module === null) return undefined;
  // Layout in 4-byte words: G, v, out, the CG vectors x, r, p, Ap (float64, two words each), the fixed factor
  // table (room for `tableRows`), then one row's non-zeros (room for `capacity`): item ids, pref, conf.
  const vAt = f * f;
  const outAt = vAt + f;
  const xAt = outAt + f;
  const rAt = xAt + 2 * f;
  const pAt = rAt + 2 * f;
  const apAt = pAt + 2 * f;
  const tableAt = apAt + 2 * f;
  let tableRows = 0;
  let capacity = 1024;
  const wordsFor = (rows: number, nonZeros: number): number => tableAt + rows * f + 3 * nonZeros;
  const memory = createWasmMemory(wordsFor(tableRows, capacity) * 4);
  const exports = instantiateWasm(module, { env: { memory } });
  const gramTimes = exports['gramTimes'] as GramTimes;
  const rowTimes = exports['rowTimes'] as RowTimes;
  const cgSolve = exports['cgSolve'] as CgSolve;
  let heap = new Float32Array(memory.buffer);
  let heapInt = new Int32Array(memory.buffer);
  let heap64 = new Float64Array(memory.buffer);
  let lambda = 0;
  let n = 0;

  const ensure = (rows: number, nonZeros: number): void => {
    if (rows <= tableRows && nonZeros <= capacity) return;
    tableRows = Math.max(rows, tableRows);
    capacity = Math.max(nonZeros, capacity);
    const pages = Math.ceil((wordsFor(tableRows, capacity) * 4) / WASM_PAGE_BYTES) - memory.buffer.byteLength / WASM_PAGE_BYTES;
    if (pages > 0) memory.grow(pages);
    heap = new Float32Array(memory.buffer);
    heapInt = new Int32Array(memory.buffer);
    heap64 = new Float64Array(memory.buffer);
  };
  const idxAt = (): number => tableAt + tableRows * f;
  const prefAt = (): number => idxAt() + capacity;
  const confAt = (): number => prefAt() + capacity;
  const apply = (v: Float64Array, out: Float64Array, gramSign: number, prefScale: number, confScale: number): void => {
    for (let k = 0; k < f; k++) heap[vAt + k] = v[k]!;
    gramTimes(0, vAt * 4, outAt * 4, f, lambda);
    if (gramSign < 0) for (let k = 0; k < f; k++) heap[outAt + k] = -heap[outAt + k]!;
    rowTimes(tableAt * 4, idxAt() * 4, prefAt() * 4, confAt() * 4, n, f, vAt * 4, outAt * 4, prefScale, confScale);
    for (let k = 0; k < f; k++) out[k] = heap[outAt + k]!;
  };

  return {
    load(gram, l, fixed) {
      ensure(fixed.length / f, 0);
      for (let i = 0; i < f * f; i++) heap[i] = gram[i]!;
      heap.set(fixed, tableAt);
      lambda = l;
    },
    gather(rows, from, to, l) {
      n = to - from;
      lambda = l;
      ensure(0, n);
      heapInt.set(rows.indices.subarray(from, to), idxAt());
      heap.set(rows.pref.subarray(from, to), prefAt());
      heap.set(rows.confM1.subarray(from, to), confAt());
    },
    residual: (v, out) => apply(v, out, -1, 1, -1),
    product: (v, out) => apply(v, out, 1, 0, 1),
    solve(x, steps) {
      heap64.set(x, xAt / 2);
      cgSolve(0, vAt * 4, outAt * 4, f, lambda, tableAt * 4, idxAt() * 4, prefAt() * 4, confAt() * 4, n, xAt * 4, rAt * 4, pAt * 4, apAt * 4, steps);
      x.set(heap64.subarray(xAt / 2, xAt / 2 + f));
    },
    gramTimes(v, out) {
      for (let k = 0; k < f; k++) heap[vAt + k] = v[k]!;
      gramTimes(0, vAt * 4, outAt * 4, f, lambda);
      for (let k = 0; k < f; k++) out[k] = heap[outAt + k]!;
    },
  };
}
