import { JobFailedError } from '../shared/index.ts';

/** A try ran longer than its task's `timeout` and was stopped. Retryable. */
export class TaskTimeoutError extends JobFailedError {
  constructor(seconds: number) {
    super(`timed out after ${seconds} s`);
  }
}

/** The try is no longer this worker's (its run was cancelled, or its lease lapsed and was taken): it was stopped. */
export class TaskLostError extends JobFailedError {
  constructor() {
    super('stopped: the try is no longer this worker’s (its run was cancelled, or its lease lapsed)');
  }
}

/** The worker running the try is shutting down. Retryable. */
export class WorkerStoppingError extends JobFailedError {
  constructor() {
    super('stopped: the worker running it is shutting down');
  }
}
