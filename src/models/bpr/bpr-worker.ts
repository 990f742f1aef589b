/**
 * Worker-thread body of a BPR fit: SGD on the shared factor tables with this thread's own random stream,
 * on its stratum of the round each message names (no other thread touches those rows meanwhile).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Rng } from '../../shared/index.ts';
import type { WorkerReply } from '../core/worker-pool.ts';
import { bprRunner, scopeOf, type BprSampleStats, type BprSharedState } from './bpr-kernel.ts';

const port = parentPort!;
const { seeds, workerIndex, ...state } = workerData as BprSharedState & { seeds: number[]; workerIndex: number };
// Stream 0 is the main thread's.
const rng = new Rng(seeds[workerIndex + 1]!);
const runSamples = bprRunner(state, workerIndex + 1);

port.on('message', (round: number) => {
  let reply: WorkerReply<BprSampleStats>;
  try {
    const stats: BprSampleStats = { samples: 0, skipped: 0, correct: 0, lossSum: 0 };
    const scope = scopeOf(state, workerIndex + 1, round);
    runSamples(rng, scope.to - scope.from, stats, scope);
    reply = { t: 'done', result: stats };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    reply = { t: 'error', message: e.message, name: e.name };
  }
  port.postMessage(reply);
});
