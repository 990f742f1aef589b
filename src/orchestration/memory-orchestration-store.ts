import type {
  DagRunRecord,
  DagState,
  NewDagRun,
  NewTaskInstance,
  OrchestrationStore,
  RunState,
  TaskInstanceRecord,
  TaskLease,
  TaskLogLine,
  TaskTransition,
  TaskTryRecord,
} from './ports.ts';
import { applyTaskTransition, closedTryError } from './task-transition.ts';

const FINAL_RUN_STATES: readonly RunState[] = ['success', 'failed', 'canceled'];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const taskKey = (runId: string, taskId: string): string => `${runId}\u0000${taskId}`;
const runKeyOf = (dagId: string, runKey: string): string => `${dagId}\u0000${runKey}`;
const logKey = (l: { runId: string; taskId: string; try: number; seq: number }): string => `${l.runId}\u0000${l.taskId}\u0000${l.try}\u0000${l.seq}`;

/**
 * Run history in memory: for tests and one-off runs without a warehouse. Same compare-and-set semantics as the
 * warehouse store (the contract suite runs over both); every record handed out is a copy.
 */
export class MemoryOrchestrationStore implements OrchestrationStore {
  readonly #dags = new Map<string, DagState>();
  readonly #runs = new Map<string, DagRunRecord>();
  readonly #runIdByKey = new Map<string, string>();
  readonly #tasks = new Map<string, Map<string, TaskInstanceRecord>>();
  readonly #tries = new Map<string, TaskTryRecord[]>();
  readonly #logs = new Map<string, TaskLogLine>();

  async dagStates(): Promise<readonly DagState[]> {
    return [...this.#dags.values()].sort((a, b) => a.dagId.localeCompare(b.dagId)).map((d) => ({ ...d }));
  }

  async setPaused(dagId: string, paused: boolean, at: Date): Promise<void> {
    const state = this.#dags.get(dagId) ?? { dagId, paused: false };
    this.#dags.set(dagId, { ...state, paused, changedAt: at });
  }

  async setCronCursor(dagId: string, at: Date): Promise<void> {
    const state = this.#dags.get(dagId) ?? { dagId, paused: false };
    this.#dags.set(dagId, { ...state, cronCursor: at });
  }

  async createRun(run: NewDagRun, tasks: readonly NewTaskInstance[]): Promise<{ readonly run: DagRunRecord; readonly created: boolean }> {
    const existing = this.#runIdByKey.get(runKeyOf(run.dagId, run.runKey));
    if (existing !== undefined) return { run: { ...this.#runs.get(existing)! }, created: false };
    if (this.#runs.has(run.id)) throw new Error(`run id ${run.id} already exists`);
    const record: DagRunRecord = { ...run, state: 'queued' };
    this.#runs.set(run.id, record);
    this.#runIdByKey.set(runKeyOf(run.dagId, run.runKey), run.id);
    const byTask = new Map<string, TaskInstanceRecord>();
    for (const t of tasks) byTask.set(t.taskId, { runId: run.id, ...t, try: 0, state: 'pending' });
    this.#tasks.set(run.id, byTask);
    return { run: { ...record }, created: true };
  }

  async run(id: string): Promise<DagRunRecord | undefined> {
    const run = this.#runs.get(id);
    return run === undefined ? undefined : { ...run };
  }

  async runByKey(dagId: string, runKey: string): Promise<DagRunRecord | undefined> {
    const id = this.#runIdByKey.get(runKeyOf(dagId, runKey));
    return id === undefined ? undefined : this.run(id);
  }

  async runs(filter: { readonly dagId?: string; readonly states?: readonly RunState[]; readonly limit?: number }): Promise<readonly DagRunRecord[]> {
    const out = [...this.#runs.values()]
      .filter((r) => filter.dagId === undefined || r.dagId === filter.dagId)
      .filter((r) => filter.states === undefined || filter.states.includes(r.state))
      .sort((a, b) => b.logicalTime.getTime() - a.logicalTime.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return out.slice(0, filter.limit ?? out.length).map((r) => ({ ...r }));
  }

  async transitionRun(o: {
    readonly id: string;
    readonly from: readonly RunState[];
    readonly to: RunState;
    readonly at: Date;
    readonly error?: string;
  }): Promise<boolean> {
    const run = this.#runs.get(o.id);
    if (run === undefined || !o.from.includes(run.state)) return false;
    const next: Mutable<DagRunRecord> = { ...run, state: o.to };
    if (o.to === 'running') {
      next.startedAt ??= o.at;
      delete next.endedAt;
      delete next.error;
    }
    if (FINAL_RUN_STATES.includes(o.to)) next.endedAt = o.at;
    if (o.error !== undefined) next.error = o.error;
    this.#runs.set(o.id, next);
    return true;
  }

  async markDeadlineAlerted(runId: string, at: Date): Promise<boolean> {
    const run = this.#runs.get(runId);
    if (run === undefined || run.deadlineAlertedAt !== undefined) return false;
    this.#runs.set(runId, { ...run, deadlineAlertedAt: at });
    return true;
  }

  async taskInstances(runId: string): Promise<readonly TaskInstanceRecord[]> {
    return [...(this.#tasks.get(runId)?.values() ?? [])].sort((a, b) => (a.taskId < b.taskId ? -1 : 1)).map((t) => ({ ...t }));
  }

  async transitionTask(t: TaskTransition): Promise<boolean> {
    const task = this.#tasks.get(t.runId)?.get(t.taskId);
    if (task === undefined || !t.from.includes(task.state)) return false;
    if (t.try !== undefined && task.try !== t.try) return false;
    this.#tasks.get(t.runId)!.set(t.taskId, applyTaskTransition(task, t));
    if (task.state === 'running' && t.to !== 'running') {
      this.#closeTry(t.runId, t.taskId, task.try, {
        state: 'failed',
        endedAt: t.at,
        error: t.patch?.error ?? closedTryError(t.to),
        retryable: t.to === 'up_for_retry',
      });
    }
    return true;
  }

  async claimTask(o: TaskLease): Promise<boolean> {
    const task = this.#tasks.get(o.runId)?.get(o.taskId);
    if (task === undefined || task.state !== 'queued' || task.try !== o.try) return false;
    const tries = this.#tries.get(taskKey(o.runId, o.taskId)) ?? [];
    if (tries.some((t) => t.try === o.try)) return false;
    this.#tasks.get(o.runId)!.set(o.taskId, {
      ...task,
      state: 'running',
      worker: o.worker,
      leaseUntil: o.leaseUntil,
      heartbeatAt: o.at,
      startedAt: o.at,
    });
    tries.push({ runId: o.runId, taskId: o.taskId, try: o.try, worker: o.worker, state: 'running', startedAt: o.at });
    this.#tries.set(taskKey(o.runId, o.taskId), tries);
    return true;
  }

  async heartbeat(o: TaskLease): Promise<boolean> {
    const task = this.#ownedRunning(o);
    if (task === undefined) return false;
    this.#tasks.get(o.runId)!.set(o.taskId, { ...task, leaseUntil: o.leaseUntil, heartbeatAt: o.at });
    return true;
  }

  async finishTask(o: Parameters<OrchestrationStore['finishTask']>[0]): Promise<boolean> {
    const task = this.#ownedRunning(o);
    if (task === undefined) return false;
    const next: Mutable<TaskInstanceRecord> = { ...task, state: o.outcome.state, endedAt: o.at };
    delete next.leaseUntil;
    if (o.outcome.state === 'success') {
      next.result = o.outcome.result;
      delete next.error;
    } else {
      next.error = o.outcome.error;
      delete next.result;
    }
    this.#tasks.get(o.runId)!.set(o.taskId, next);
    this.#closeTry(
      o.runId,
      o.taskId,
      o.try,
      o.outcome.state === 'success'
        ? { state: 'success', endedAt: o.at }
        : { state: 'failed', endedAt: o.at, error: o.outcome.error, retryable: o.outcome.retryable },
    );
    return true;
  }

  async expiredLeases(now: Date): Promise<readonly TaskInstanceRecord[]> {
    const out: TaskInstanceRecord[] = [];
    for (const byTask of this.#tasks.values()) {
      for (const t of byTask.values()) {
        if (t.state === 'running' && t.leaseUntil !== undefined && t.leaseUntil.getTime() < now.getTime()) out.push({ ...t });
      }
    }
    return out;
  }

  async tries(runId: string, taskId?: string): Promise<readonly TaskTryRecord[]> {
    const out: TaskTryRecord[] = [];
    for (const [key, tries] of this.#tries) {
      const [r, t] = key.split('\u0000');
      if (r === runId && (taskId === undefined || t === taskId)) out.push(...tries.map((x) => ({ ...x })));
    }
    return out.sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : a.try - b.try));
  }

  async appendLogs(lines: readonly TaskLogLine[]): Promise<void> {
    for (const line of lines) {
      const key = logKey(line);
      if (!this.#logs.has(key)) this.#logs.set(key, { ...line });
    }
  }

  async logs(o: {
    readonly runId: string;
    readonly taskId: string;
    readonly try?: number;
    readonly afterSeq?: number;
    readonly limit?: number;
  }): Promise<readonly TaskLogLine[]> {
    const out = [...this.#logs.values()]
      .filter((l) => l.runId === o.runId && l.taskId === o.taskId)
      .filter((l) => o.try === undefined || l.try === o.try)
      .filter((l) => o.afterSeq === undefined || l.seq > o.afterSeq)
      .sort((a, b) => a.try - b.try || a.seq - b.seq);
    return out.slice(0, o.limit ?? out.length).map((l) => ({ ...l }));
  }

  #ownedRunning(o: { runId: string; taskId: string; try: number; worker: string }): TaskInstanceRecord | undefined {
    const task = this.#tasks.get(o.runId)?.get(o.taskId);
    if (task === undefined || task.state !== 'running' || task.try !== o.try || task.worker !== o.worker) return undefined;
    return task;
  }

  #closeTry(runId: string, taskId: string, tryNo: number, end: Partial<TaskTryRecord>): void {
    const tries = this.#tries.get(taskKey(runId, taskId)) ?? [];
    const i = tries.findIndex((t) => t.try === tryNo && t.state === 'running');
    if (i >= 0) tries[i] = { ...tries[i]!, ...end } as TaskTryRecord;
  }
}
