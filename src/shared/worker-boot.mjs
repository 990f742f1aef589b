// Entry of every worker thread started from TypeScript source: workers do not inherit the main thread's
// loader, so register tsx here, then load the worker module named by startWorker (see worker-thread.ts).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.pickwiseWorkerEntry);
