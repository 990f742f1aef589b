import { ValidationError, type Clock } from '../shared/index.ts';
import { fireTimes, isCalendarDate, latestFireTime, startOfLocalDate } from './cron-schedule.ts';
import type { DagSpec, DagState, JsonObject, NewTaskInstance, OrchestrationStore, TriggerKind } from './ports.ts';
import { backfillRunKey, cronRunKey, fileRunKey } from './run-key.ts';
import type { BackfillDay, LandingSource, TriggerResult } from './scheduler-types.ts';

/** Days one backfill may span: a typo in a year should not create thousands of runs. */
export const MAX_BACKFILL_DAYS = 1000;
const DAY_MS = 86_400_000;

/** What creating runs needs. */
export interface RunFactory {
  readonly store: OrchestrationStore;
  readonly clock: Clock;
  readonly newId: () => string;
}

/** The task instances of a new run of `dag`: each task pending, with its retry budget. */
export function newTaskInstances(dag: DagSpec): NewTaskInstance[] {
  return dag.tasks.map((t) => ({ taskId: t.id, job: t.job, pool: t.pool, params: t.params, maxTries: t.retry.retries + 1 }));
}

/**
 * Creates a run of `dag` under `runKey`, or finds the one that key already names (a trigger seen twice, by this
 * scheduler or another). Backfills carry no deadline: their logical times are in the past by design.
 */
export async function createDagRun(
  f: RunFactory,
  dag: DagSpec,
  o: { readonly runKey: string; readonly trigger: TriggerKind; readonly logicalTime: Date; readonly conf?: JsonObject },
): Promise<TriggerResult> {
  const deadlineAt = dag.deadline !== undefined && o.trigger !== 'backfill' ? new Date(o.logicalTime.getTime() + dag.deadline * 1000) : undefined;
  return f.store.createRun(
    {
      id: f.newId(),
      dagId: dag.id,
      runKey: o.runKey,
      trigger: o.trigger,
      logicalTime: o.logicalTime,
      conf: o.conf ?? {},
      createdAt: f.clock(),
      ...(deadlineAt !== undefined ? { deadlineAt } : {}),
    },
    newTaskInstances(dag),
  );
}

/**
 * The cron runs due for `dag` at `now`, created, and the schedule's cursor moved past them. First sight of a DAG
 * (no cursor), or catchup false: only the latest fire time due runs, so neither a new DAG nor an unpaused one
 * back-fills by surprise. Catchup true: every fire time since the cursor, at most `limit` per call.
 */
export async function createCronRuns(f: RunFactory, dag: DagSpec, state: DagState | undefined, now: Date, limit: number): Promise<string[]> {
  if (dag.schedule === undefined) return [];
  const schedule = { expression: dag.schedule, timezone: dag.timezone };
  let due: Date[];
  if (state?.cronCursor === undefined || !dag.catchup) {
    const latest = latestFireTime({ ...schedule, until: now });
    const cursor = state?.cronCursor;
    due = latest !== undefined && (cursor === undefined || latest.getTime() > cursor.getTime()) ? [latest] : [];
  } else {
    due = fireTimes({ ...schedule, after: state.cronCursor, until: now, limit });
  }
  const created: string[] = [];
  for (const fireTime of due) {
    const runKey = cronRunKey(fireTime);
    const result = await createDagRun(f, dag, { runKey, trigger: 'cron', logicalTime: fireTime });
    if (result.created) created.push(runKey);
  }
  const last = due.at(-1);
  if (last !== undefined) await f.store.setCronCursor(dag.id, last);
  return created;
}

/** One run per landing file not yet ingested, keyed by the file's key and content hash. */
export async function createSensorRuns(f: RunFactory, dag: DagSpec, landing: LandingSource, now: Date): Promise<string[]> {
  const created: string[] = [];
  for (const sensor of dag.sensors) {
    if (sensor.kind !== 'landing') continue;
    for (const file of await landing.newFiles(sensor.prefix)) {
      const runKey = fileRunKey(file.key, file.sha256);
      const conf = { objectKey: file.key, sha256: file.sha256, size: file.size };
      const result = await createDagRun(f, dag, { runKey, trigger: 'file', logicalTime: now, conf });
      if (result.created) created.push(runKey);
    }
  }
  return created;
}

/**
 * One run per day from `from` to `to` (YYYY-MM-DD, inclusive, in the DAG's time zone), keyed `backfill@<date>` with
 * the day's local midnight as logical time; `dryRun`: the days and the runs that exist, nothing created.
 */
export async function createBackfillRuns(
  f: RunFactory,
  dag: DagSpec,
  o: { readonly from: string; readonly to: string; readonly maxActive?: number; readonly dryRun?: boolean },
): Promise<readonly BackfillDay[]> {
  for (const [flag, date] of [
    ['--from', o.from],
    ['--to', o.to],
  ]) {
    if (!isCalendarDate(date!)) throw new ValidationError(`backfill: ${flag} must be a date YYYY-MM-DD, got ${JSON.stringify(date)}`);
  }
  const first = startOfLocalDate(o.from, dag.timezone);
  const last = startOfLocalDate(o.to, dag.timezone);
  if (last.getTime() < first.getTime()) throw new ValidationError(`backfill: --from ${o.from} is after --to ${o.to}`);
  const maxActive = o.maxActive ?? dag.maxActiveRuns;
  if (!Number.isInteger(maxActive) || maxActive < 1) throw new ValidationError(`backfill: max active runs must be a positive integer, got ${maxActive}`);
  const dates: string[] = [];
  // Noon UTC of each calendar day steps through dates without DST surprises.
  for (let t = Date.parse(`${o.from}T12:00:00Z`); t <= Date.parse(`${o.to}T12:00:00Z`); t += DAY_MS) dates.push(new Date(t).toISOString().slice(0, 10));
  if (dates.length > MAX_BACKFILL_DAYS) throw new ValidationError(`backfill: ${dates.length} days is more than ${MAX_BACKFILL_DAYS}; split it`);
  const days: BackfillDay[] = [];
  for (const date of dates) {
    const runKey = backfillRunKey(date);
    const logicalTime = startOfLocalDate(date, dag.timezone);
    if (o.dryRun === true) {
      const run = await f.store.runByKey(dag.id, runKey);
      days.push({ date, runKey, logicalTime, created: false, ...(run ? { run } : {}) });
      continue;
    }
    const conf = { backfill: { from: o.from, to: o.to, maxActive } };
    const { run, created } = await createDagRun(f, dag, { runKey, trigger: 'backfill', logicalTime, conf });
    days.push({ date, runKey, logicalTime, run, created });
  }
  return days;
}
