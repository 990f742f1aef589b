/**
 * The orchestration's ports: what a DAG is, where its runs are kept (the warehouse, or memory in tests), and what
 * runs one try of one task (an executor: in this process, or a BullMQ queue). The scheduler owns the graph and the
 * retries; an executor only ever runs one try of one task and reports its end through the store.
 */

/** A JSON object as stored in run history (params, run conf, task results). */
export type JsonObject = { readonly [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | JsonObject;

export interface RetryPolicy {
  /** Tries after the first (0: no retry). */
  readonly retries: number;
  /** Delay before the first retry, in seconds; each further retry multiplies it by `factor`, up to `maxDelay`. */
  readonly delay: number;
  readonly factor: number;
  readonly maxDelay: number;
  /** Share of the delay drawn at random and added (0–1), so retries of many tasks do not arrive together. */
  readonly jitter: number;
}

export interface TaskSpec {
  readonly id: string;
  /** A job of the catalog (`pipeline/jobs.ts`), e.g. `INGEST`, `TRAIN`. */
  readonly job: string;
  /** The job's parameters, checked against its schema when the DAG is loaded. */
  readonly params: JsonObject;
  readonly deps: readonly string[];
  /** Pool (a queue with a concurrency limit) the task runs in. */
  readonly pool: string;
  readonly retry: RetryPolicy;
  /** Seconds one try may take before it is killed and counted as failed. */
  readonly timeout: number;
}

/** A sensor triggers a run when something appears, without holding a worker slot while it waits. */
export type SensorSpec = { readonly kind: 'landing'; readonly prefix?: string };

export interface DagSpec {
  readonly id: string;
  readonly description?: string;
  /** Five- or six-field cron expression; absent: no schedule (manual, sensors, backfill only). */
  readonly schedule?: string;
  /** IANA time zone of the schedule (DST handled), default UTC. */
  readonly timezone: string;
  readonly sensors: readonly SensorSpec[];
  /** On unpause or start-up, create the runs missed meanwhile (true) or only the latest due one (false, default). */
  readonly catchup: boolean;
  readonly maxActiveRuns: number;
  /** Seconds after its logical time by which a run should have finished; missing it alerts once per run. */
  readonly deadline?: number;
  readonly tasks: readonly TaskSpec[];
}

export type TriggerKind = 'cron' | 'file' | 'manual' | 'backfill';
export type RunState = 'queued' | 'running' | 'success' | 'failed' | 'canceled';
export type TaskState = 'pending' | 'queued' | 'running' | 'up_for_retry' | 'success' | 'failed' | 'upstream_failed' | 'canceled';

export interface DagRunRecord {
  readonly id: string;
  readonly dagId: string;
  /**
   * Unique within the DAG (two DAGs on one schedule, or sensing one landing file, each get their run):
   * `cron@<iso>`, `file@<key>#<sha256>`, `manual@<id>`, `backfill@<yyyy-mm-dd>`.
   */
  readonly runKey: string;
  readonly trigger: TriggerKind;
  readonly logicalTime: Date;
  readonly state: RunState;
  readonly conf: JsonObject;
  readonly createdAt: Date;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  readonly deadlineAt?: Date;
  readonly deadlineAlertedAt?: Date;
  readonly error?: string;
}

export interface TaskInstanceRecord {
  readonly runId: string;
  readonly taskId: string;
  readonly job: string;
  readonly pool: string;
  readonly params: JsonObject;
  /** The current try, counted from 1; 0 before the first is queued. */
  readonly try: number;
  readonly maxTries: number;
  readonly state: TaskState;
  readonly worker?: string;
  readonly leaseUntil?: Date;
  readonly heartbeatAt?: Date;
  readonly nextTryAt?: Date;
  readonly queuedAt?: Date;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  readonly error?: string;
  readonly result?: JsonObject;
}

/** One try of one task, as recorded in its history. */
export interface TaskTryRecord {
  readonly runId: string;
  readonly taskId: string;
  readonly try: number;
  readonly worker: string;
  readonly state: 'running' | 'success' | 'failed';
  readonly startedAt: Date;
  readonly endedAt?: Date;
  readonly error?: string;
  readonly retryable?: boolean;
}

export interface TaskLogLine {
  readonly runId: string;
  readonly taskId: string;
  readonly try: number;
  readonly seq: number;
  readonly at: Date;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
}

/** What an executor is handed: one try of one task, self-contained (a remote worker needs nothing else). */
export interface TaskAttempt {
  readonly runId: string;
  readonly dagId: string;
  readonly runKey: string;
  readonly logicalTime: string;
  readonly taskId: string;
  readonly try: number;
  readonly job: string;
  readonly params: JsonObject;
  readonly pool: string;
  readonly timeout: number;
  /** Results of the task's dependencies by task id (e.g. the versions the train tasks registered). */
  readonly upstream: Readonly<Record<string, JsonObject>>;
}

/**
 * Runs tries of tasks. `submit` resolves once the try is durably handed over (queued); running it, its lease and
 * heartbeats, its logs and its end are written to the store by whoever runs it. Submitting the same
 * (runId, taskId, try) twice runs it at most once.
 */
export interface TaskExecutor {
  readonly kind: 'local' | 'bullmq';
  submit(attempt: TaskAttempt): Promise<void>;
  /** Stops taking new tries; running ones get `graceMs` to finish, then are aborted (their leases lapse). */
  close(graceMs?: number): Promise<void>;
}

export interface NewDagRun {
  readonly id: string;
  readonly dagId: string;
  readonly runKey: string;
  readonly trigger: TriggerKind;
  readonly logicalTime: Date;
  readonly conf: JsonObject;
  readonly createdAt: Date;
  readonly deadlineAt?: Date;
}

export interface NewTaskInstance {
  readonly taskId: string;
  readonly job: string;
  readonly pool: string;
  readonly params: JsonObject;
  readonly maxTries: number;
}

export interface DagState {
  readonly dagId: string;
  readonly paused: boolean;
  readonly changedAt?: Date;
  /** The latest cron fire time a run was created for (the schedule's cursor). */
  readonly cronCursor?: Date;
}

/** One try of one task as a worker holds it: the worker, the time of the call, and when its lease ends. */
export interface TaskLease {
  readonly runId: string;
  readonly taskId: string;
  readonly try: number;
  readonly worker: string;
  readonly at: Date;
  readonly leaseUntil: Date;
}

/** A compare-and-set on a task: applied only when its state (and try, when given) still match. */
export interface TaskTransition {
  readonly runId: string;
  readonly taskId: string;
  readonly from: readonly TaskState[];
  readonly try?: number;
  readonly to: TaskState;
  readonly at: Date;
  readonly patch?: {
    readonly try?: number;
    /** A run retried by hand gives its failed tasks a fresh budget of tries (the try count itself keeps going). */
    readonly maxTries?: number;
    readonly nextTryAt?: Date | null;
    readonly error?: string | null;
  };
}

/**
 * Run history: DAG state, runs, task instances, tries and logs. Every write that races (two schedulers, a
 * worker and a scheduler) is a compare-and-set that says whether it applied.
 */
export interface OrchestrationStore {
  dagStates(): Promise<readonly DagState[]>;
  setPaused(dagId: string, paused: boolean, at: Date): Promise<void>;
  setCronCursor(dagId: string, at: Date): Promise<void>;

  /** Creates the run and its task instances in one transaction; a run key the DAG already has returns that run, created false. */
  createRun(run: NewDagRun, tasks: readonly NewTaskInstance[]): Promise<{ readonly run: DagRunRecord; readonly created: boolean }>;
  run(id: string): Promise<DagRunRecord | undefined>;
  runByKey(dagId: string, runKey: string): Promise<DagRunRecord | undefined>;
  runs(filter: { readonly dagId?: string; readonly states?: readonly RunState[]; readonly limit?: number }): Promise<readonly DagRunRecord[]>;
  transitionRun(o: {
    readonly id: string;
    readonly from: readonly RunState[];
    readonly to: RunState;
    readonly at: Date;
    readonly error?: string;
  }): Promise<boolean>;
  markDeadlineAlerted(runId: string, at: Date): Promise<boolean>;

  taskInstances(runId: string): Promise<readonly TaskInstanceRecord[]>;
  transitionTask(t: TaskTransition): Promise<boolean>;
  /** queued (this try) → running, with the worker and its lease; records the try. False: someone else has it. */
  claimTask(o: TaskLease): Promise<boolean>;
  /** Extends the lease; false when the try is no longer this worker's (cancelled, or its lease lapsed and was taken). */
  heartbeat(o: TaskLease): Promise<boolean>;
  /** running (this try, this worker) → success or failed, with the result or the error; records the try's end. */
  finishTask(o: {
    readonly runId: string;
    readonly taskId: string;
    readonly try: number;
    readonly worker: string;
    readonly at: Date;
    readonly outcome:
      { readonly state: 'success'; readonly result: JsonObject } | { readonly state: 'failed'; readonly error: string; readonly retryable: boolean };
  }): Promise<boolean>;
  /** Running tries whose lease ended before `now` (a dead worker's). */
  expiredLeases(now: Date): Promise<readonly TaskInstanceRecord[]>;
  tries(runId: string, taskId?: string): Promise<readonly TaskTryRecord[]>;

  appendLogs(lines: readonly TaskLogLine[]): Promise<void>;
  logs(o: {
    readonly runId: string;
    readonly taskId: string;
    readonly try?: number;
    readonly afterSeq?: number;
    readonly limit?: number;
  }): Promise<readonly TaskLogLine[]>;
}
