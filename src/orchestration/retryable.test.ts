import { describe, expect, it } from 'vitest';
import { JobParamsError } from '../pipeline/index.ts';
import {
  BackendUnavailableError,
  ConfigError,
  BusyError,
  ConflictError,
  FileRejectedError,
  JobFailedError,
  ModelFitError,
  NotFoundError,
  UnsupportedUrlError,
  ValidationError,
} from '../shared/index.ts';
import { TaskLostError, TaskTimeoutError, WorkerStoppingError } from './attempt-errors.ts';
import { isRetryable } from './retryable.ts';
import { createWorkerId } from './worker-id.ts';

describe('isRetryable', () => {
  it.each([
    new ValidationError('x'),
    new ConfigError('x'),
    new NotFoundError('x'),
    new ConflictError('x'),
    new FileRejectedError('x'),
    new UnsupportedUrlError('x'),
    new JobParamsError('x'),
  ])('a %s is final', (error) => {
    expect(isRetryable(error)).toBe(false);
  });

  it.each([
    new BackendUnavailableError('x'),
    new BusyError('another pickwise ingest is running'),
    new JobFailedError('x'),
    new ModelFitError('x'),
    new TaskTimeoutError(5),
    new TaskLostError(),
    new WorkerStoppingError(),
    new Error('x'),
    new TypeError('x'),
    'a string',
    undefined,
  ])('%s is retried', (error) => {
    expect(isRetryable(error)).toBe(true);
  });
});

describe('worker ids', () => {
  it('are <hostname>:<pid>:<6 random characters>, new each time', () => {
    const [a, b] = [createWorkerId(), createWorkerId()];
    expect(a).toMatch(new RegExp(`^[^:]+:${process.pid}:[A-Za-z0-9]{6}$`));
    expect(a).not.toBe(b);
  });
});
