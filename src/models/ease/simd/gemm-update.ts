import { compileWasm, createWasmMemory, instantiateWasm, type WasmMemory } from '../../core/wasm.ts';
import { WASM_BASE64 } from './gemm-update.wasm.ts';

/**
 * C += alpha · A·W on row-major blocks of one float32 workspace; offsets and strides in floats. A is m × kk,
 * W is kk × wc, C is m × wc; m a multiple of 4, wc a multiple of 8 (the SIMD kernel's register block).
 */
export interface GemmArgs {
  readonly c: number;
  readonly ldc: number;
  readonly a: number;
  readonly lda: number;
  readonly w: number;
  readonly ldw: number;
  readonly m: number;
  readonly kk: number;
  readonly wc: number;
  readonly alpha: number;
}

/** A float32 workspace and the update kernel that works in it: WebAssembly SIMD, or its scalar twin. */
export interface DenseWorkspace {
  readonly heap: Float32Array;
  /** True when `gemmUpdate` runs the WebAssembly SIMD kernel (gemm-update.wat). */
  readonly simd: boolean;
  /** The WebAssembly memory behind `heap` (shared, so worker threads can attach to it); absent for the scalar twin. */
  readonly memory?: WasmMemory;
  gemmUpdate(args: GemmArgs): void;
}

type GemmUpdate = (c: number, ldc: number, a: number, lda: number, w: number, ldw: number, m: number, kk: number, wc: number, alpha: number) => void;

/**
 * A zeroed workspace of `floats` float32 values. With `simd` (the default) it lives in a WebAssembly memory
 * and updates run gemm-update.wat; where WebAssembly SIMD is absent, or with `simd: false`, it is a plain
 * Float32Array and updates run {@link scalarGemmUpdate}.
 */
export function createDenseWorkspace(floats: number, options: { simd?: boolean } = {}): DenseWorkspace {
  const module = options.simd === false ? null : compileWasm(WASM_BASE64);
  if (module === null) {
    const heap = new Float32Array(floats);
    return { heap, simd: false, gemmUpdate: (args) => scalarGemmUpdate(heap, args) };
  }
  const memory = createWasmMemory(floats * 4, true);
  return { heap: new Float32Array(memory.buffer, 0, floats), simd: true, memory, gemmUpdate: simdGemmUpdate(memory)! };
}

/** The SIMD kernel working in `memory` (any thread may attach to a shared one), or undefined without SIMD. */
export function simdGemmUpdate(memory: WasmMemory): ((args: GemmArgs) => void) | undefined {
  const module = compileWasm(WASM_BASE64);
  if (module === null) return undefined;
  const kernel = instantiateWasm(module, { env: { memory } })['gemmUpdate'] as GemmUpdate;
  return ({ c, ldc, a, lda, w, ldw, m, kk, wc, alpha }) => kernel(c * 4, ldc, a * 4, lda, w * 4, ldw, m, kk, wc, alpha);
}

/** The kernel in plain TypeScript (accumulating each dot product in float64), for engines without SIMD. */
export function scalarGemmUpdate(heap: Float32Array, { c, ldc, a, lda, w, ldw, m, kk, wc, alpha }: GemmArgs): void {
  const row = new Float64Array(wc);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let k = 0; k < kk; k++) {
      const s = heap[a + i * lda + k]!;
      if (s === 0) continue;
      const wk = w + k * ldw;
      for (let j = 0; j < wc; j++) row[j] = row[j]! + s * heap[wk + j]!;
    }
    const ci = c + i * ldc;
    for (let j = 0; j < wc; j++) heap[ci + j] = heap[ci + j]! + alpha * row[j]!;
  }
}
