import { toUtcText } from '../shared/index.ts';
import { OrchestrationRepo, type DagRunRow, type TaskInstanceRow, type TaskLogRow, type TaskTryRow, type Warehouse } from '../warehouse/index.ts';
import type {
  DagRunRecord,
  DagState,
  JsonObject,
  NewDagRun,
  NewTaskInstance,
  OrchestrationStore,
  RunState,
  TaskInstanceRecord,
  TaskLease,
  TaskLogLine,
  TaskState,
  TaskTransition,
  TaskTryRecord,
} from './ports.ts';
import { closedTryError, taskTransitionFields } from './task-transition.ts';

const text = (d: Date): string => toUtcText(d);
const textOrNull = (d: Date | null | undefined): string | null | undefined => (d === undefined ? undefined : d === null ? null : toUtcText(d));
const date = (t: string): Date => new Date(`${t.replace(' ', 'T')}Z`);
/** Optional fields are absent rather than undefined, as in the memory store (records compare equal). */
function opt<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: V };
}
const FINAL_RUN_STATES: readonly RunState[] = ['success', 'failed', 'canceled'];

/** Run history in the warehouse (SQLite or MariaDB): plain tables, readable with SQL (see README, Orchestration). */
export class WarehouseOrchestrationStore implements OrchestrationStore {
  readonly #repo: OrchestrationRepo;

  constructor(warehouse: Pick<Warehouse, 'db' | 'dialect'>) {
    this.#repo = new OrchestrationRepo(warehouse);
  }

  async dagStates(): Promise<readonly DagState[]> {
    return (await this.#repo.dagStates()).map((r) => ({
      dagId: r.dagId,
      paused: Number(r.paused) === 1,
      ...opt('changedAt', r.changedAt === null ? null : date(r.changedAt)),
      ...opt('cronCursor', r.cronCursor === null ? null : date(r.cronCursor)),
    }));
  }

  setPaused(dagId: string, paused: boolean, at: Date): Promise<void> {
    return this.#repo.setDagState(dagId, { paused: paused ? 1 : 0, changedAt: text(at) });
  }

  setCronCursor(dagId: string, at: Date): Promise<void> {
    return this.#repo.setDagState(dagId, { cronCursor: text(at) });
  }

  async createRun(run: NewDagRun, tasks: readonly NewTaskInstance[]): Promise<{ readonly run: DagRunRecord; readonly created: boolean }> {
    const created = await this.#repo.insertRun(
      {
        runId: run.id,
        dagId: run.dagId,
        runKey: run.runKey,
        triggerKind: run.trigger,
        logicalTime: text(run.logicalTime),
        state: 'queued',
        confJson: JSON.stringify(run.conf),
        createdAt: text(run.createdAt),
        startedAt: null,
        endedAt: null,
        deadlineAt: run.deadlineAt === undefined ? null : text(run.deadlineAt),
        deadlineAlertedAt: null,
        error: null,
      },
      tasks.map((t) => ({
        runId: run.id,
        taskId: t.taskId,
        job: t.job,
        pool: t.pool,
        paramsJson: JSON.stringify(t.params),
        tryNumber: 0,
        maxTries: t.maxTries,
        state: 'pending',
        worker: null,
        leaseUntil: null,
        heartbeatAt: null,
        nextTryAt: null,
        queuedAt: null,
        startedAt: null,
        endedAt: null,
        error: null,
        resultJson: null,
      })),
    );
    const stored = await this.#repo.runByKey(run.dagId, run.runKey);
    if (stored === undefined) throw new Error(`run key ${run.runKey} was neither created nor found`);
    return { run: runRecord(stored), created };
  }

  async run(id: string): Promise<DagRunRecord | undefined> {
    const row = await this.#repo.run(id);
    return row && runRecord(row);
  }

  async runByKey(dagId: string, runKey: string): Promise<DagRunRecord | undefined> {
    const row = await this.#repo.runByKey(dagId, runKey);
    return row && runRecord(row);
  }

  async runs(filter: { readonly dagId?: string; readonly states?: readonly RunState[]; readonly limit?: number }): Promise<readonly DagRunRecord[]> {
    return (await this.#repo.runs(filter)).map(runRecord);
  }

  transitionRun(o: {
    readonly id: string;
    readonly from: readonly RunState[];
    readonly to: RunState;
    readonly at: Date;
    readonly error?: string;
  }): Promise<boolean> {
    const set: Record<string, string | null> = { state: o.to };
    if (o.to === 'running') Object.assign(set, { endedAt: null, error: null });
    if (FINAL_RUN_STATES.includes(o.to)) set['endedAt'] = text(o.at);
    if (o.error !== undefined) set['error'] = o.error;
    // A run retried by hand keeps when it first started.
    return this.#repo.updateRun(o.id, o.from, set, o.to === 'running' ? { startedAtUnlessSet: text(o.at) } : {});
  }

  markDeadlineAlerted(runId: string, at: Date): Promise<boolean> {
    return this.#repo.markDeadlineAlerted(runId, text(at));
  }

  async taskInstances(runId: string): Promise<readonly TaskInstanceRecord[]> {
    return (await this.#repo.taskInstances(runId)).map(taskRecord);
  }

  transitionTask(t: TaskTransition): Promise<boolean> {
    const f = taskTransitionFields(t);
    const set = {
      state: f.state,
      tryNumber: f.try,
      maxTries: f.maxTries,
      nextTryAt: textOrNull(f.nextTryAt),
      error: f.error,
      queuedAt: textOrNull(f.queuedAt),
      startedAt: textOrNull(f.startedAt),
      endedAt: textOrNull(f.endedAt),
      worker: f.worker,
      leaseUntil: textOrNull(f.leaseUntil),
      heartbeatAt: textOrNull(f.heartbeatAt),
      ...(f.state === 'success' ? {} : { resultJson: null }),
    };
    const closeTry = { state: 'failed', endedAt: text(t.at), error: t.patch?.error ?? closedTryError(t.to), retryable: t.to === 'up_for_retry' ? 1 : 0 };
    return this.#repo.transitionTask({
      key: t,
      from: t.from,
      ...(t.try !== undefined ? { tryNumber: t.try } : {}),
      set: Object.fromEntries(Object.entries(set).filter(([, v]) => v !== undefined)),
      closeTry,
    });
  }

  claimTask(o: TaskLease): Promise<boolean> {
    return this.#repo.claimTask(leaseRow(o));
  }

  heartbeat(o: TaskLease): Promise<boolean> {
    return this.#repo.heartbeat(leaseRow(o));
  }

  finishTask(o: Parameters<OrchestrationStore['finishTask']>[0]): Promise<boolean> {
    const at = text(o.at);
    return this.#repo.finishTask({
      key: o,
      tryNumber: o.try,
      worker: o.worker,
      task: {
        state: o.outcome.state,
        endedAt: at,
        leaseUntil: null,
        resultJson: o.outcome.state === 'success' ? JSON.stringify(o.outcome.result) : null,
        error: o.outcome.state === 'failed' ? o.outcome.error : null,
      },
      tryEnd:
        o.outcome.state === 'failed'
          ? { state: 'failed', endedAt: at, error: o.outcome.error, retryable: o.outcome.retryable ? 1 : 0 }
          : { state: 'success', endedAt: at },
    });
  }

  async expiredLeases(now: Date): Promise<readonly TaskInstanceRecord[]> {
    return (await this.#repo.expiredLeases(text(now))).map(taskRecord);
  }

  async tries(runId: string, taskId?: string): Promise<readonly TaskTryRecord[]> {
    return (await this.#repo.tries(runId, taskId)).map(tryRecord);
  }

  appendLogs(lines: readonly TaskLogLine[]): Promise<void> {
    return this.#repo.appendLogs(
      lines.map((l) => ({ runId: l.runId, taskId: l.taskId, tryNumber: l.try, seq: l.seq, at: text(l.at), level: l.level, message: l.message })),
    );
  }

  async logs(o: Parameters<OrchestrationStore['logs']>[0]): Promise<readonly TaskLogLine[]> {
    const rows = await this.#repo.logs({
      key: o,
      ...(o.try !== undefined ? { tryNumber: o.try } : {}),
      ...(o.afterSeq !== undefined ? { afterSeq: o.afterSeq } : {}),
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
    });
    return rows.map(logLine);
  }
}

function runRecord(r: DagRunRow): DagRunRecord {
  return {
    id: r.runId,
    dagId: r.dagId,
    runKey: r.runKey,
    trigger: r.triggerKind as DagRunRecord['trigger'],
    logicalTime: date(r.logicalTime),
    state: r.state as RunState,
    conf: JSON.parse(r.confJson) as JsonObject,
    createdAt: date(r.createdAt),
    ...opt('startedAt', r.startedAt === null ? null : date(r.startedAt)),
    ...opt('endedAt', r.endedAt === null ? null : date(r.endedAt)),
    ...opt('deadlineAt', r.deadlineAt === null ? null : date(r.deadlineAt)),
    ...opt('deadlineAlertedAt', r.deadlineAlertedAt === null ? null : date(r.deadlineAlertedAt)),
    ...opt('error', r.error),
  };
}

function taskRecord(r: TaskInstanceRow): TaskInstanceRecord {
  const d = (t: string | null) => (t === null ? null : date(t));
  return {
    runId: r.runId,
    taskId: r.taskId,
    job: r.job,
    pool: r.pool,
    params: JSON.parse(r.paramsJson) as JsonObject,
    try: Number(r.tryNumber),
    maxTries: Number(r.maxTries),
    state: r.state as TaskState,
    ...opt('worker', r.worker),
    ...opt('leaseUntil', d(r.leaseUntil)),
    ...opt('heartbeatAt', d(r.heartbeatAt)),
    ...opt('nextTryAt', d(r.nextTryAt)),
    ...opt('queuedAt', d(r.queuedAt)),
    ...opt('startedAt', d(r.startedAt)),
    ...opt('endedAt', d(r.endedAt)),
    ...opt('error', r.error),
    ...opt('result', r.resultJson === null ? null : (JSON.parse(r.resultJson) as JsonObject)),
  };
}

function tryRecord(r: TaskTryRow): TaskTryRecord {
  return {
    runId: r.runId,
    taskId: r.taskId,
    try: Number(r.tryNumber),
    worker: r.worker,
    state: r.state as TaskTryRecord['state'],
    startedAt: date(r.startedAt),
    ...opt('endedAt', r.endedAt === null ? null : date(r.endedAt)),
    ...opt('error', r.error),
    ...opt('retryable', r.retryable === null ? null : Number(r.retryable) === 1),
  };
}

function logLine(r: TaskLogRow): TaskLogLine {
  return {
    runId: r.runId,
    taskId: r.taskId,
    try: Number(r.tryNumber),
    seq: Number(r.seq),
    at: date(r.at),
    level: r.level as TaskLogLine['level'],
    message: r.message,
  };
}

/** A lease as the repo's row values. */
function leaseRow(o: TaskLease) {
  return { key: o, tryNumber: o.try, worker: o.worker, at: text(o.at), leaseUntil: text(o.leaseUntil) };
}
