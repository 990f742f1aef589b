/**
 * Worker-thread body of an EASE fit: attaches the update kernel to the shared workspace posted at start and
 * runs its band of each phase the main thread announces (see gemm-runner.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerReply } from '../core/worker-pool.ts';
import type { WasmMemory } from '../core/wasm.ts';
import { simdGemmUpdate, type GemmArgs } from './simd/gemm-update.ts';

const port = parentPort!;
const { memory, workerIndex } = workerData as { memory: WasmMemory; workerIndex: number };
const gemmUpdate = simdGemmUpdate(memory)!;

port.on('message', (bands: readonly GemmArgs[][]) => {
  let reply: WorkerReply<null>;
  try {
    for (const args of bands[workerIndex]!) gemmUpdate(args);
    reply = { t: 'done', result: null };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    reply = { t: 'error', message: e.message, name: e.name };
  }
  port.postMessage(reply);
});
