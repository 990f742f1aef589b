import type { Clock } from '../shared/index.ts';
import type { DagRunRecord, DagSpec, JsonObject, OrchestrationStore } from './ports.ts';
import type { TickCounters } from './scheduler-types.ts';

/**
 * Runs of a DAG share its `maxActiveRuns`; each backfill (runs with the same `conf.backfill`) has its own limit,
 * `conf.backfill.maxActive`, so a long backfill neither waits for nor blocks the schedule.
 */
function slotOf(run: DagRunRecord, dag: DagSpec): { readonly group: string; readonly limit: number } {
  if (run.trigger !== 'backfill') return { group: 'scheduled', limit: dag.maxActiveRuns };
  const backfill = run.conf['backfill'];
  const spec = backfill !== null && typeof backfill === 'object' && !Array.isArray(backfill) ? (backfill as JsonObject) : {};
  const maxActive = spec['maxActive'];
  return { group: `backfill ${JSON.stringify(backfill ?? null)}`, limit: typeof maxActive === 'number' && maxActive >= 1 ? maxActive : dag.maxActiveRuns };
}

const oldestFirst = (a: DagRunRecord, b: DagRunRecord): number => a.logicalTime.getTime() - b.logicalTime.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Starts the DAG's queued runs, oldest logical time first, while their group has a free slot. Two schedulers
 * starting runs at once may both take the last slot: each then counts again, and a run that is not among the
 * oldest `limit` running goes back to queued (both make the same choice), so the limit holds.
 */
export async function startQueuedRuns(o: {
  readonly store: OrchestrationStore;
  readonly clock: Clock;
  readonly dag: DagSpec;
  /** The DAG's queued and running runs. */
  readonly runs: readonly DagRunRecord[];
  readonly counters: TickCounters;
}): Promise<void> {
  const { store, dag } = o;
  const active = new Map<string, number>();
  for (const run of o.runs.filter((r) => r.state === 'running')) {
    const { group } = slotOf(run, dag);
    active.set(group, (active.get(group) ?? 0) + 1);
  }
  for (const run of o.runs.filter((r) => r.state === 'queued').sort(oldestFirst)) {
    const { group, limit } = slotOf(run, dag);
    if ((active.get(group) ?? 0) >= limit) continue;
    if (!(await store.transitionRun({ id: run.id, from: ['queued'], to: 'running', at: o.clock() }))) continue;
    const running = (await store.runs({ dagId: dag.id, states: ['running'] })).filter((r) => slotOf(r, dag).group === group).sort(oldestFirst);
    if (running.findIndex((r) => r.id === run.id) >= limit) {
      await store.transitionRun({ id: run.id, from: ['running'], to: 'queued', at: o.clock() });
      active.set(group, limit);
      continue;
    }
    active.set(group, (active.get(group) ?? 0) + 1);
    o.counters.runsStarted += 1;
  }
}
