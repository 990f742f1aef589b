import { z } from 'zod';
import { type DagRunRecord, type JsonObject, type Orchestration, type TaskInstanceRecord } from '../../orchestration/index.ts';
import { ValidationError } from '../../shared/index.ts';
import { defineCommand, type CommandIo } from '../command.ts';
import { ExitCode } from '../run-command.ts';
import { formatTable } from '../table.ts';
import { withOrchestration } from '../with-orchestration.ts';

const FINAL = new Set(['success', 'failed', 'canceled']);

/** A run and its tasks, as `run --wait` and `dag-runs show` return them. */
export interface RunView {
  readonly run: DagRunRecord;
  readonly tasks: readonly TaskInstanceRecord[];
}

export async function runView(orchestration: Orchestration, runId: string): Promise<RunView> {
  const run = await orchestration.store.run(runId);
  if (run === undefined) throw new ValidationError(`no DAG run ${runId} (pickwise dag-runs list)`);
  return { run, tasks: await orchestration.store.taskInstances(runId) };
}

export function printRunView(v: RunView, io: CommandIo): void {
  const r = v.run;
  io.out(`${r.dagId} ${r.runKey}: ${r.state}${r.error ? ` (${r.error})` : ''}; run ${r.id}`);
  const took = (t: TaskInstanceRecord) => (t.startedAt && t.endedAt ? `${((t.endedAt.getTime() - t.startedAt.getTime()) / 1000).toFixed(1)} s` : '');
  const rows = v.tasks.map((t) => [t.taskId, t.job, t.state, `${t.try}/${t.maxTries}`, took(t), t.error ?? '']);
  for (const line of formatTable([['task', 'job', 'state', 'try', 'took', 'error'], ...rows])) io.out(`  ${line}`);
}

/**
 * Drives the scheduler in this process until the run ends, printing each task's change of state (the live view of
 * `run --wait`). Another scheduler may drive it at the same time: their writes are compare-and-set.
 */
async function waitForRun(orchestration: Orchestration, runId: string, io: CommandIo): Promise<RunView> {
  orchestration.scheduler.start({ tickSeconds: 1, run: runId });
  const seen = new Map<string, string>();
  for (;;) {
    const view = await runView(orchestration, runId);
    if (!io.json) {
      for (const t of view.tasks) {
        const state = `${t.state}#${t.try}`;
        if (seen.get(t.taskId) === state) continue;
        seen.set(t.taskId, state);
        if (t.state !== 'pending')
          io.out(
            `${new Date().toISOString().slice(11, 19)} ${t.taskId.padEnd(20)} ${t.state}${t.try > 0 ? ` (try ${t.try})` : ''}${t.error ? `: ${t.error}` : ''}`,
          );
      }
    }
    if (FINAL.has(view.run.state)) return view;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export const runDagCommand = defineCommand({
  name: 'run',
  description: 'Start a run of a DAG now (a scheduler runs it; --wait runs the scheduler here and follows it to the end)',
  options: z.object({
    dag: z.string().min(1).describe('DAG id (pickwise dags list)'),
    wait: z.boolean().optional().describe('drive the run from this process and show its progress until it ends'),
    key: z.string().min(1).optional().describe('your id for this request: asking again with the same key gives the same run'),
    conf: z.string().optional().describe('a JSON object the run carries (in its history)'),
  }),
  args: ['dag'],
  async run(runtime, o, io): Promise<RunView & { created: boolean }> {
    let conf: JsonObject | undefined;
    if (o.conf !== undefined) {
      try {
        conf = JSON.parse(o.conf) as JsonObject;
      } catch (error) {
        throw new ValidationError(`--conf must be a JSON object: ${(error as Error).message}`);
      }
      if (conf === null || typeof conf !== 'object' || Array.isArray(conf))
        throw new ValidationError('--conf must be a JSON object, e.g. {"reason":"late file"}');
    }
    return withOrchestration(runtime, async (orchestration) => {
      const { run, created } = await orchestration.scheduler.trigger(o.dag, { ...(o.key ? { runKey: o.key } : {}), ...(conf ? { conf } : {}) });
      if (!io.json) io.out(`${created ? 'started' : 'already asked for'}: ${run.dagId} ${run.runKey} (run ${run.id})`);
      const view = o.wait === true ? await waitForRun(orchestration, run.id, io) : await runView(orchestration, run.id);
      return { ...view, created };
    });
  },
  print(r, io) {
    printRunView(r, io);
    if (!FINAL.has(r.run.state)) io.out('A scheduler runs it: pickwise scheduler, pickwise up, or pickwise run --wait; follow it with pickwise dag-runs show.');
  },
  exitCode: (r) => (r.run.state === 'failed' || r.run.state === 'canceled' ? ExitCode.FAILED : ExitCode.OK),
});

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

export const backfillCommand = defineCommand({
  name: 'backfill',
  description: 'One run per day between two dates (in the DAG time zone), at most --max-active at once; days already run are kept',
  options: z.object({
    dag: z.string().min(1).describe('DAG id'),
    from: date.describe('first day, YYYY-MM-DD'),
    to: date.describe('last day, YYYY-MM-DD (inclusive)'),
    maxActive: z.coerce.number().int().positive().max(1000).optional().describe("runs of this backfill at once (default: the DAG's maxActiveRuns)"),
    dryRun: z.boolean().optional().describe('list the days and the runs that exist, create nothing'),
  }),
  args: ['dag'],
  async run(runtime, o) {
    return withOrchestration(runtime, async (orchestration) => {
      const days = await orchestration.scheduler.backfill(o.dag, {
        from: o.from,
        to: o.to,
        ...(o.maxActive !== undefined ? { maxActive: o.maxActive } : {}),
        ...(o.dryRun === true ? { dryRun: true } : {}),
      });
      return {
        dag: o.dag,
        dryRun: o.dryRun === true,
        days: days.map((d) => ({ date: d.date, runKey: d.runKey, created: d.created, runId: d.run?.id ?? null, state: d.run?.state ?? null })),
      };
    });
  },
  print(r, io) {
    const rows = r.days.map((d) => [d.date, d.runKey, d.created ? 'created' : d.runId ? 'exists' : r.dryRun ? 'would create' : '', d.state ?? '']);
    for (const line of formatTable([['day', 'run key', '', 'state'], ...rows])) io.out(line);
    const created = r.days.filter((d) => d.created).length;
    io.out(
      r.dryRun
        ? `dry run: ${r.days.filter((d) => d.runId === null).length} of ${r.days.length} days would get a run`
        : `${created} run(s) created; a scheduler runs them`,
    );
  },
});
