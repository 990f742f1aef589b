import { describe, expect, it } from 'vitest';
import { capturedLogger } from '../../test/support/captured-logger.ts';
import { FailureLog } from './failure-log.ts';

describe('FailureLog', () => {
  it('logs a failure once until its cause changes, and the recovery once', () => {
    const { logger, lines } = capturedLogger();
    const log = new FailureLog(logger, 'database check');
    const down = new Error('connect ECONNREFUSED', { cause: new Error('socket closed') });
    for (let poll = 0; poll < 5; poll++) log.failed(down);
    expect(log.failing).toBe('connect ECONNREFUSED');
    log.failed(new Error('access denied'));
    log.succeeded();
    log.succeeded();
    expect(log.failing).toBeUndefined();
    const seen = lines().map((l) => [l.level, l.msg, (l.err as { message?: string } | undefined)?.message ?? l.previousError]);
    expect(seen).toEqual([
      [40, 'database check failed', 'connect ECONNREFUSED: socket closed'],
      [40, 'database check failed', 'access denied'],
      [30, 'database check succeeded again', 'access denied'],
    ]);
  });

  it('tells failures apart by their key when given one', () => {
    const { logger, lines } = capturedLogger();
    const log = new FailureLog(logger, 'loading the model', 'error');
    log.failed(new Error('corrupt'), {}, 'shop@v3 corrupt');
    log.failed(new Error('corrupt'), {}, 'shop@v3 corrupt');
    log.failed(new Error('corrupt'), {}, 'shop@v4 corrupt');
    expect(lines().map((l) => l.level)).toEqual([50, 50]);
  });
});
