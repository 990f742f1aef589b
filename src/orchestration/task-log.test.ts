import { describe, expect, it } from 'vitest';
import { capturedLogger } from '../../test/support/captured-logger.ts';
import { MemoryOrchestrationStore } from './memory-orchestration-store.ts';
import type { TaskLogLine } from './ports.ts';
import { createTaskLog } from './task-log.ts';

const at = new Date('2026-05-01T00:00:00Z');
const key = { runId: 'run-1', taskId: 'train', try: 2 };

describe('task log', () => {
  it('numbers lines, keeps level and fields, redacts secrets, and forwards every line to the process log', async () => {
    const store = new MemoryOrchestrationStore();
    const process = capturedLogger();
    const log = createTaskLog({ store, ...key, processLogger: process.logger, clock: () => at });
    log.logger.info({ rows: 3 }, 'loaded');
    log.logger.child({ stage: 'train' }).warn({ password: 'hunter2' }, 'careful');
    log.logger.debug('not kept at info');
    log.writeLine('{"level":50,"time":1,"msg":"from a child","pid":42}\n');
    await log.close();
    const lines = await store.logs(key);
    expect(lines.map((l) => [l.seq, l.level, l.message])).toEqual([
      [1, 'info', 'loaded {"rows":3}'],
      [2, 'warn', 'careful {"stage":"train","password":"***"}'],
      [3, 'error', 'from a child {"pid":42}'],
    ]);
    expect(lines.every((l) => l.at.getTime() === at.getTime() && l.try === 2)).toBe(true);
    expect(process.lines().map((l) => [l.msg, l['runId'], l['taskId'], l['try']])).toEqual([
      ['loaded', 'run-1', 'train', 2],
      ['careful', 'run-1', 'train', 2],
      ['from a child', 'run-1', 'train', 2],
    ]);
    expect(process.text()).not.toContain('hunter2');
  });

  it('writes lines in batches on flush, so they are readable while the task runs', async () => {
    const store = new MemoryOrchestrationStore();
    const batches: number[] = [];
    const append = store.appendLogs.bind(store);
    store.appendLogs = async (lines: readonly TaskLogLine[]) => {
      batches.push(lines.length);
      await append(lines);
    };
    const log = createTaskLog({ store, ...key, processLogger: capturedLogger().logger, flushMs: 60_000 });
    for (let i = 0; i < 3; i++) log.logger.info(`line ${i}`);
    expect(await store.logs(key)).toEqual([]);
    await log.flush();
    expect((await store.logs(key)).map((l) => l.message)).toEqual(['line 0', 'line 1', 'line 2']);
    for (let i = 3; i < 60; i++) log.logger.info(`line ${i}`); // a full batch is written without waiting for a flush
    await log.close();
    expect(batches[0]).toBe(3);
    expect(batches.length).toBeLessThan(10);
    expect(await store.logs(key)).toHaveLength(60);
  });

  it('keeps lines the store refused and writes them with the next batch', async () => {
    const store = new MemoryOrchestrationStore();
    const append = store.appendLogs.bind(store);
    let down = true;
    store.appendLogs = async (lines: readonly TaskLogLine[]) => {
      if (down) throw new Error('database unreachable');
      await append(lines);
    };
    const process = capturedLogger();
    const log = createTaskLog({ store, ...key, processLogger: process.logger, flushMs: 60_000 });
    log.logger.info('first');
    await log.flush();
    expect(process.text()).toContain('task log lines not written to the run history yet');
    down = false;
    log.logger.info('second');
    await log.close();
    expect((await store.logs(key)).map((l) => l.message)).toEqual(['first', 'second']);
  });
});
