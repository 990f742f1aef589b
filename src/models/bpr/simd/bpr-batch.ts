import { compileWasm, createWasmMemory, instantiateWasm, type WasmMemory } from '../../core/wasm.ts';
import { drawSample, type BprRunner, type BprSharedState } from '../bpr-kernel.ts';
import { WASM_BASE64 } from './bpr-batch.wasm.ts';

/** Samples drawn (in JavaScript) before the module runs their updates. */
const BATCH = 1024;
const STATS_BYTES = 16;

/**
 * The BPR tables in one shared WebAssembly memory, so that every thread's SIMD kernel (bpr-batch.wat)
 * updates the same tables (each thread its own stratum's rows) — and JavaScript reads them through
 * typed-array views. Byte offsets;
 * each thread has its own batch area (triples, then stats) at `batchAt + thread * batchBytes`.
 */
export interface BprSimdLayout {
  readonly memory: WasmMemory;
  readonly userAt: number;
  readonly itemAt: number;
  readonly biasAt: number;
  readonly batchAt: number;
  readonly batchBytes: number;
}

/** Tables allocated in WebAssembly memory for `threads` threads, or undefined when the SIMD kernel cannot run. */
export function allocateBprSimdTables(
  users: number,
  items: number,
  f: number,
  threads: number,
): { layout: BprSimdLayout; userFactors: Float32Array; itemFactors: Float32Array; itemBias: Float32Array } | undefined {
  if (f % 4 !== 0 || f <= 0 || compileWasm(WASM_BASE64) === null) return undefined;
  const userAt = 0;
  const itemAt = userAt + users * f * 4;
  const biasAt = itemAt + items * f * 4;
  const batchAt = Math.ceil((biasAt + items * 4) / 16) * 16;
  const batchBytes = BATCH * 12 + STATS_BYTES;
  let memory: WasmMemory;
  try {
    memory = createWasmMemory(batchAt + threads * batchBytes, true);
  } catch {
    return undefined;
  }
  const layout = { memory, userAt, itemAt, biasAt, batchAt, batchBytes };
  return {
    layout,
    userFactors: new Float32Array(memory.buffer, userAt, users * f),
    itemFactors: new Float32Array(memory.buffer, itemAt, items * f),
    itemBias: new Float32Array(memory.buffer, biasAt, items),
  };
}

type BprBatch = (x: number, y: number, bias: number, triples: number, n: number, f: number, lr: number, reg: number, stats: number) => void;

/**
 * This thread's runner: draws samples exactly as the scalar path does (same random stream), `BATCH` at a
 * time, and lets the module apply their updates in order.
 */
export function bprSimdRunner(state: BprSharedState, layout: BprSimdLayout, thread: number): BprRunner {
  const exports = instantiateWasm(compileWasm(WASM_BASE64)!, { env: { memory: layout.memory }, math: { exp: Math.exp, log1p: Math.log1p } });
  const bprBatch = exports['bprBatch'] as BprBatch;
  const at = layout.batchAt + thread * layout.batchBytes;
  const triples = new Int32Array(layout.memory.buffer, at, BATCH * 3);
  const statsAt = at + BATCH * 12;
  const loss = new Float64Array(layout.memory.buffer, statsAt, 1);
  const correct = new Int32Array(layout.memory.buffer, statsAt + 8, 1);
  return (rng, samples, stats, scope) => {
    if (scope.to === scope.from || scope.itemTo === scope.itemFrom) return;
    loss[0] = 0;
    correct[0] = 0;
    let skipped = 0;
    for (let done = 0; done < samples;) {
      const size = Math.min(BATCH, samples - done);
      let n = 0;
      for (let s = 0; s < size; s++) {
        if (drawSample(state, rng, scope, triples, n * 3)) n++;
        else skipped++;
      }
      bprBatch(layout.userAt, layout.itemAt, layout.biasAt, at, n, state.factors, state.learningRate, state.regularization, statsAt);
      done += size;
    }
    stats.samples += samples;
    stats.skipped += skipped;
    stats.correct += correct[0]!;
    stats.lossSum += loss[0]!;
  };
}
