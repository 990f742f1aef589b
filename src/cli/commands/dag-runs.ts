import { z } from 'zod';
import type { DagRunRecord, RunState, TaskLogLine } from '../../orchestration/index.ts';
import { ValidationError } from '../../shared/index.ts';
import { defineCommand } from '../command.ts';
import { formatTable } from '../table.ts';
import { withOrchestration } from '../with-orchestration.ts';
import { printRunView, runView, type RunView } from './dag-run.ts';

const STATES = ['queued', 'running', 'success', 'failed', 'canceled'] as const satisfies readonly RunState[];

const seconds = (r: DagRunRecord): string =>
  r.startedAt && r.endedAt ? `${((r.endedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1)} s` : r.startedAt ? 'running' : '';

export const dagRunsListCommand = defineCommand({
  name: 'dag-runs list',
  description: 'DAG runs, newest first (their tasks: pickwise dag-runs show RUN)',
  options: z.object({
    dag: z.string().min(1).optional().describe('only this DAG'),
    state: z.enum(STATES).optional().describe('only runs in this state'),
    limit: z.coerce.number().int().positive().max(10_000).default(20).describe('at most this many runs'),
  }),
  async run(runtime, o): Promise<{ runs: DagRunRecord[] }> {
    return withOrchestration(runtime, async (orchestration) => {
      if (o.dag !== undefined) orchestration.dag(o.dag);
      const runs = await orchestration.store.runs({ limit: o.limit, ...(o.dag ? { dagId: o.dag } : {}), ...(o.state ? { states: [o.state] } : {}) });
      return { runs: [...runs] };
    });
  },
  print(r, io) {
    if (r.runs.length === 0) {
      io.out('No DAG runs yet: pickwise run DAG, or a scheduler (pickwise scheduler, pickwise up) starts them.');
      return;
    }
    const rows = r.runs.map((run) => [run.id, run.dagId, run.runKey, run.state, run.createdAt.toISOString(), seconds(run)]);
    for (const line of formatTable([['run', 'dag', 'key', 'state', 'created', 'took'], ...rows])) io.out(line);
  },
});

export const dagRunsShowCommand = defineCommand({
  name: 'dag-runs show',
  description: 'One DAG run: its tasks, their states, tries, timings and errors',
  options: z.object({ run: z.string().min(1).describe('run id') }),
  args: ['run'],
  async run(runtime, o): Promise<RunView> {
    return withOrchestration(runtime, (orchestration) => runView(orchestration, o.run));
  },
  print: printRunView,
});

export const dagRunsLogsCommand = defineCommand({
  name: 'dag-runs logs',
  description: "A task's log lines (of its latest try unless --try), also while it runs; --follow waits for more until the try ends",
  options: z.object({
    run: z.string().min(1).describe('run id'),
    task: z.string().min(1).describe('task id'),
    try: z.coerce.number().int().positive().optional().describe('this try (default: the latest)'),
    follow: z.boolean().optional().describe('keep printing new lines until the try ends'),
  }),
  args: ['run', 'task'],
  async run(runtime, o, io): Promise<{ lines: TaskLogLine[] }> {
    return withOrchestration(runtime, async (orchestration) => {
      const tasks = await orchestration.store.taskInstances(o.run);
      const task = tasks.find((t) => t.taskId === o.task);
      if (task === undefined) {
        throw new ValidationError(
          `run ${o.run} has no task ${o.task}${tasks.length > 0 ? `: its tasks are ${tasks.map((t) => t.taskId).join(', ')}` : ' (pickwise dag-runs list)'}`,
        );
      }
      const tryNumber = o.try ?? task.try;
      const lines: TaskLogLine[] = [];
      let afterSeq: number | undefined;
      for (;;) {
        const batch = await orchestration.store.logs({ runId: o.run, taskId: o.task, try: tryNumber, ...(afterSeq !== undefined ? { afterSeq } : {}) });
        for (const l of batch) {
          lines.push(l);
          if (o.follow === true && !io.json) io.out(logText(l));
        }
        if (batch.length > 0) afterSeq = batch[batch.length - 1]!.seq;
        if (o.follow !== true) return { lines };
        const now = (await orchestration.store.taskInstances(o.run)).find((t) => t.taskId === o.task);
        const running = now !== undefined && now.try === tryNumber && (now.state === 'queued' || now.state === 'running');
        if (!running && batch.length === 0) return { lines, followed: true };
        if (batch.length === 0) await new Promise((resolve) => setTimeout(resolve, 500));
      }
    });
  },
  print(r, io) {
    if ('followed' in r) return;
    if (r.lines.length === 0) io.out('No log lines for this try (yet).');
    for (const l of r.lines) io.out(logText(l));
  },
});

function logText(l: TaskLogLine): string {
  return `${l.at.toISOString()} ${l.level.padEnd(5)} ${l.message}`;
}

export const dagRunsRetryCommand = defineCommand({
  name: 'dag-runs retry',
  description: 'Run a failed or canceled run again: its failed tasks and those after them (finished tasks are not redone)',
  options: z.object({ run: z.string().min(1).describe('run id') }),
  args: ['run'],
  async run(runtime, o): Promise<RunView> {
    return withOrchestration(runtime, async (orchestration) => {
      await orchestration.scheduler.retry(o.run);
      return runView(orchestration, o.run);
    });
  },
  print: printRunView,
});

export const dagRunsCancelCommand = defineCommand({
  name: 'dag-runs cancel',
  description: 'Cancel a queued or running run: unfinished tasks are canceled, running tries stop at their next heartbeat',
  options: z.object({ run: z.string().min(1).describe('run id') }),
  args: ['run'],
  async run(runtime, o): Promise<RunView> {
    return withOrchestration(runtime, async (orchestration) => {
      await orchestration.scheduler.cancel(o.run);
      return runView(orchestration, o.run);
    });
  },
  print: printRunView,
});
