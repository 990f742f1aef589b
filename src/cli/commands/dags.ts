import { z } from 'zod';
import { nextFireTime, type DagRunRecord, type DagSpec } from '../../orchestration/index.ts';
import type { Runtime } from '../../runtime/index.ts';
import { defineCommand } from '../command.ts';
import { formatTable } from '../table.ts';
import { withOrchestration } from '../with-orchestration.ts';

/** One DAG as the `dags` commands show it: its spec, whether it is paused, its latest run and next cron time. */
export interface DagSummary {
  readonly id: string;
  readonly description: string | null;
  readonly schedule: string | null;
  readonly timezone: string;
  readonly sensors: readonly string[];
  readonly paused: boolean;
  readonly nextRunAt: string | null;
  readonly lastRun: Pick<DagRunRecord, 'id' | 'runKey' | 'state'> | null;
  readonly tasks: number;
}

async function summaries(runtime: Runtime, only?: string): Promise<{ summaries: DagSummary[]; dags: readonly DagSpec[] }> {
  return withOrchestration(runtime, async (orchestration) => {
    const dags = only === undefined ? orchestration.dags : [orchestration.dag(only)];
    const states = new Map((await orchestration.store.dagStates()).map((s) => [s.dagId, s]));
    const now = new Date();
    const out: DagSummary[] = [];
    for (const dag of dags) {
      const [last] = await orchestration.store.runs({ dagId: dag.id, limit: 1 });
      const next = dag.schedule === undefined ? undefined : nextFireTime({ expression: dag.schedule, timezone: dag.timezone, after: now });
      out.push({
        id: dag.id,
        description: dag.description ?? null,
        schedule: dag.schedule ?? null,
        timezone: dag.timezone,
        sensors: dag.sensors.map((s) => `${s.kind}${s.prefix ? `:${s.prefix}` : ''}`),
        paused: states.get(dag.id)?.paused === true,
        nextRunAt: next?.toISOString() ?? null,
        lastRun: last ? { id: last.id, runKey: last.runKey, state: last.state } : null,
        tasks: dag.tasks.length,
      });
    }
    return { summaries: out, dags };
  });
}

const triggerText = (d: DagSummary): string =>
  [d.schedule !== null ? `cron ${d.schedule} ${d.timezone}` : '', ...d.sensors.map((s) => `sensor ${s}`)].filter(Boolean).join(', ') || 'manual';

export const dagsListCommand = defineCommand({
  name: 'dags list',
  description: 'The DAGs (built-in and from orchestration.dags): triggers, paused or not, next and latest run',
  options: z.object({}),
  async run(runtime): Promise<{ dags: DagSummary[] }> {
    return { dags: (await summaries(runtime)).summaries };
  },
  print(r, io) {
    const rows = r.dags.map((d) => [
      d.id,
      d.paused ? 'paused' : 'active',
      triggerText(d),
      d.nextRunAt ?? '—',
      d.lastRun ? `${d.lastRun.state} ${d.lastRun.runKey}` : '—',
    ]);
    for (const line of formatTable([['dag', 'state', 'triggers', 'next cron run', 'latest run'], ...rows])) io.out(line);
  },
});

export const dagsShowCommand = defineCommand({
  name: 'dags show',
  description: 'One DAG: its tasks with their jobs, dependencies, pools, retries and timeouts',
  options: z.object({ dag: z.string().min(1).describe('DAG id') }),
  args: ['dag'],
  async run(runtime, o): Promise<DagSummary & { spec: DagSpec }> {
    const {
      summaries: [summary],
      dags,
    } = await summaries(runtime, o.dag);
    return { ...summary!, spec: dags[0]! };
  },
  print(r, io) {
    io.out(`${r.id}${r.description ? `: ${r.description}` : ''}`);
    io.out(
      `${r.paused ? 'paused' : 'active'}; triggers: ${triggerText(r)}; next cron run ${r.nextRunAt ?? '—'}; at most ${r.spec.maxActiveRuns} active run(s)`,
    );
    const rows = r.spec.tasks.map((t) => [
      t.id,
      t.job,
      t.deps.join(',') || '—',
      t.pool,
      `${t.retry.retries} × ${t.retry.delay}s×${t.retry.factor}`,
      `${t.timeout}s`,
      JSON.stringify(t.params),
    ]);
    for (const line of formatTable([['task', 'job', 'after', 'pool', 'retries', 'timeout', 'params'], ...rows])) io.out(`  ${line}`);
  },
});

function pauseCommand(paused: boolean) {
  return defineCommand({
    name: paused ? 'dags pause' : 'dags unpause',
    description: paused
      ? 'Pause a DAG: no new cron or sensor runs, queued runs wait; running runs finish'
      : 'Unpause a DAG: with catchup off only the latest due cron time runs, nothing missed meanwhile is back-filled',
    options: z.object({ dag: z.string().min(1).describe('DAG id') }),
    args: ['dag'],
    async run(runtime, o): Promise<{ dag: string; paused: boolean }> {
      return withOrchestration(runtime, async (orchestration) => {
        orchestration.dag(o.dag);
        await (paused ? orchestration.scheduler.pause(o.dag) : orchestration.scheduler.unpause(o.dag));
        return { dag: o.dag, paused };
      });
    },
    print(r, io) {
      io.out(`${r.dag} ${r.paused ? 'paused' : 'unpaused'}`);
    },
  });
}

export const dagsPauseCommand = pauseCommand(true);
export const dagsUnpauseCommand = pauseCommand(false);
