/**
 * Worker-thread body: commits the served-list batches waiting on disk to the warehouse over its own connection, so
 * that the statements (synchronous on SQLite) never hold the thread that serves requests.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { FeedbackRepo, openWarehouse, ShownKeys, type Warehouse } from '../../warehouse/index.ts';
import { commitPendingBatches } from './batch-committer.ts';
import type { CommitWorkerData, CommitWorkerToMain, MainToCommitWorker, SentError } from './commit-worker-protocol.ts';
import { PendingBatches } from './pending-batches.ts';

/**
 * The nice value of this thread (0 is the process's, 19 the lowest). Under load the serving thread comes first: the
 * commits run in the CPU time it leaves, and while it leaves none the batches wait on disk (bounded by the disk, not
 * the heap) and are committed when load drops. Measured on 2 cores with the load generator on the same machine.
 */
const NICE = 10;

/** Linux: lowers this thread's priority alone (setpriority on a thread id); elsewhere it keeps the process's. */
function lowerPriority(): void {
  try {
    const tid = Number(path.basename(readlinkSync('/proc/thread-self')));
    if (Number.isInteger(tid) && tid !== process.pid) setPriority(tid, NICE);
  } catch {
    // no /proc/thread-self (not Linux): the worker runs at the process's priority
  }
}

lowerPriority();
const port = parentPort!;
const { connection, dir, groupLists } = workerData as CommitWorkerData;
const batches = new PendingBatches(dir);
let warehouse: Warehouse | undefined;
/**
 * The services whose agg_shown_service hour this thread has committed, kept across commits (and reconnections): a
 * commit then writes only the services shown for the first time this hour, instead of every service its lists show.
 */
const shownStored = new ShownKeys();
/** One message at a time, in order: a close waits for the commit before it. */
let queue: Promise<void> = Promise.resolve();

const post = (message: CommitWorkerToMain): void => port.postMessage(message);

async function commit(id: number): Promise<void> {
  try {
    // Opened on first use and again after a failure: the database may be away when serving starts.
    warehouse ??= await openWarehouse({ ...connection, poolSize: 1 });
  } catch (error) {
    post({ t: 'committed', id, written: 0, remaining: (await batches.names().catch(() => [])).length, error: sent(error) });
    return;
  }
  const report = await commitPendingBatches(batches, new FeedbackRepo(warehouse, shownStored), groupLists);
  if (report.error) {
    // A fresh connection next time: the old one may be what failed.
    await warehouse.close().catch(() => undefined);
    warehouse = undefined;
  }
  post({ t: 'committed', id, written: report.written, remaining: report.remaining, ...(report.error ? { error: sent(report.error) } : {}) });
}

function sent(error: unknown): SentError {
  const e: Error & { code?: unknown } = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message, ...(typeof e.code === 'string' ? { code: e.code } : {}) };
}

port.on('message', (message: MainToCommitWorker) => {
  queue = queue.then(async () => {
    if (message.t === 'commit') return commit(message.id);
    await warehouse?.close().catch(() => undefined);
    warehouse = undefined;
    post({ t: 'closed' });
    port.close();
  });
});
