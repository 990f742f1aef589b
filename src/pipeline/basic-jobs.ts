import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineJob } from './job-definition.ts';

/** Does nothing and succeeds: a placeholder task, or a join point in a DAG. */
export const NOOP = defineJob({
  name: 'NOOP',
  description: 'Does nothing and succeeds (a placeholder or a join point)',
  params: z.strictObject({}),
  cpuHeavy: false,
  async run() {
    return {};
  },
});

/** Waits `seconds` (or until aborted): for trying out schedules, pools and timeouts. */
export const SLEEP = defineJob({
  name: 'SLEEP',
  description: 'Waits the given number of seconds, then succeeds (stops early when aborted)',
  params: z.strictObject({ seconds: z.number().min(0).max(86_400) }),
  cpuHeavy: false,
  async run(ctx) {
    ctx.log.info({ seconds: ctx.params.seconds }, 'sleeping');
    await sleep(ctx.params.seconds * 1000, undefined, { signal: ctx.signal });
    return { slept: ctx.params.seconds };
  },
});
