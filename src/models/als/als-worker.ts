/**
 * Worker-thread body of an ALS fit: attaches to the shared state posted at start and runs its share of
 * each phase the main thread announces (see `runAlsPhase`), replying when it has no blocks left.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createAlsScratch } from './als-kernels.ts';
import { runAlsPhase, type AlsPhase, type AlsSharedState } from './als-phase.ts';
import type { WorkerReply } from '../core/worker-pool.ts';

const port = parentPort!;
const state = workerData as AlsSharedState;
const scratch = createAlsScratch(state.factors, state.simd);

port.on('message', (phase: AlsPhase) => {
  let reply: WorkerReply<null>;
  try {
    runAlsPhase(state, phase, scratch);
    reply = { t: 'done', result: null };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    reply = { t: 'error', message: e.message, name: e.name };
  }
  port.postMessage(reply);
});
