import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../shared/index.ts';
import type { WarehouseConnection } from '../../warehouse/index.ts';
import type { BatchCommitter, CommitReport } from './batch-committer.ts';
import type { CommitWorkerData, CommitWorkerToMain, MainToCommitWorker, SentError } from './commit-worker-protocol.ts';

/**
 * Commits the waiting batches in a worker thread with its own connection to the warehouse (`commit-worker.ts`):
 * the serving thread only hands it the folder's name. The worker starts on first use, and again after it died;
 * it holds the process open only while a commit is in flight.
 */
export class WorkerCommitter implements BatchCommitter {
  readonly #data: CommitWorkerData;
  #worker: Worker | undefined;
  #next = 0;
  readonly #waiting = new Map<number, (report: CommitReport) => void>();

  constructor(o: { connection: WarehouseConnection; dir: string; groupLists: number }) {
    this.#data = { connection: o.connection, dir: o.dir, groupLists: o.groupLists };
  }

  commit(): Promise<CommitReport> {
    const worker = (this.#worker ??= this.#start());
    const id = this.#next++;
    worker.ref();
    return new Promise((resolve) => {
      this.#waiting.set(id, (report) => {
        this.#waiting.delete(id);
        if (this.#waiting.size === 0) this.#worker?.unref();
        resolve(report);
      });
      worker.postMessage({ t: 'commit', id } satisfies MainToCommitWorker);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) return;
    this.#worker = undefined;
    worker.ref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ t: 'close' } satisfies MainToCommitWorker);
    await exited;
  }

  #start(): Worker {
    const worker = startWorker(import.meta.url, 'commit-worker', { workerData: this.#data });
    worker.unref();
    worker.on('message', (message: CommitWorkerToMain) => {
      if (message.t !== 'committed') return;
      const { id, written, remaining, error } = message;
      this.#waiting.get(id)?.({ written, remaining, ...(error ? { error: received(error) } : {}) });
    });
    const fail = (error: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const done of [...this.#waiting.values()]) done({ written: 0, remaining: -1, error });
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the served-list commit worker exited (code ${code})`)));
    return worker;
  }
}

function received(sent: SentError): Error {
  const error = new Error(sent.message) as Error & { code?: string };
  error.name = sent.name;
  if (sent.code !== undefined) error.code = sent.code;
  return error;
}
