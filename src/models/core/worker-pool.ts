import { startWorker } from '../../shared/index.ts';
import type { Worker } from 'node:worker_threads';

/** What a model worker posts back after each task. */
export type WorkerReply<R> = { readonly t: 'done'; readonly result: R } | { readonly t: 'error'; readonly message: string; readonly name: string };

/**
 * A fixed set of worker threads that all run the same task at once (one phase or epoch of a fit) while
 * the main thread runs its own share. Lives for one fit: `close()` terminates the threads.
 * Each runs the module `name` beside `moduleUrl`, started by {@link startWorker}.
 */
export class WorkerPool<T, R> {
  readonly #workers: Worker[];
  #failure: Error | undefined;
  #pending: { resolve: (results: R[]) => void; reject: (error: Error) => void; results: (R | undefined)[]; left: number } | undefined;

  constructor(moduleUrl: string, name: string, count: number, workerData: unknown) {
    this.#workers = [];
    for (let w = 0; w < count; w++) {
      const worker = startWorker(moduleUrl, name, { workerData: { ...(workerData as object), workerIndex: w } });
      worker.on('message', (reply: WorkerReply<R>) => this.#onReply(w, reply));
      worker.on('error', (error) => this.#fail(error));
      worker.on('exit', (code) => this.#fail(new Error(`a model worker thread stopped unexpectedly (exit code ${code})`)));
      this.#workers.push(worker);
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  /** Posts `task` to every worker; resolves with their results in worker order. */
  start(task: T): Promise<R[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<R[]>((resolve, reject) => {
      this.#pending = { resolve, reject, results: new Array<R | undefined>(this.#workers.length), left: this.#workers.length };
      for (const worker of this.#workers) worker.postMessage(task);
    });
  }

  async close(): Promise<void> {
    this.#failure ??= new Error('the worker pool is closed');
    const workers = this.#workers.splice(0);
    for (const worker of workers) worker.removeAllListeners('exit');
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  #onReply(index: number, reply: WorkerReply<R>): void {
    const pending = this.#pending;
    if (!pending) return;
    if (reply.t === 'error') {
      const error = new Error(reply.message);
      error.name = reply.name;
      this.#fail(error);
      return;
    }
    pending.results[index] = reply.result;
    if (--pending.left === 0) {
      this.#pending = undefined;
      pending.resolve(pending.results as R[]);
    }
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(error);
  }
}
