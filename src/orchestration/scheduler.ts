import { ConflictError, NotFoundError, uuidV7 } from '../shared/index.ts';
import type { DagRunRecord, DagSpec, JsonObject, RunState } from './ports.ts';
import { manualRunKey } from './run-key.ts';
import { createBackfillRuns, createCronRuns, createDagRun, createSensorRuns, type RunFactory } from './scheduler-runs.ts';
import { startQueuedRuns } from './scheduler-slots.ts';
import { expireLease, runOutcome, stepRun, type TaskStepper } from './scheduler-tasks.ts';
import {
  newCounters,
  type BackfillDay,
  type RunAlert,
  type SchedulerOptions,
  type TickCounters,
  type TickReport,
  type TriggerResult,
} from './scheduler-types.ts';

const ACTIVE: readonly RunState[] = ['queued', 'running'];

/**
 * The brain of the orchestration: creates runs (cron, landing files, manual triggers, backfills), starts them within
 * each DAG's limit of active runs, queues ready tasks on the executor, schedules retries, takes back tries of dead
 * workers, finishes runs and alerts on missed deadlines. All its state is in the store and every write is a
 * compare-and-set or a unique key, so `tick` is idempotent and several schedulers may tick at once.
 */
export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #dags: ReadonlyMap<string, DagSpec>;
  readonly #runs: RunFactory;
  readonly #steps: TaskStepper;
  #loop: LoopState | undefined;
  #ticked = false;

  constructor(options: SchedulerOptions) {
    this.#o = options;
    this.#dags = new Map(options.dags.map((d) => [d.id, d]));
    this.#runs = { store: options.store, clock: options.clock, newId: options.newId ?? (() => uuidV7(options.clock().getTime())) };
    this.#steps = {
      store: options.store,
      executor: options.executor,
      clock: options.clock,
      rng: options.rng,
      logger: options.logger,
      requeueMs: (options.requeueSeconds ?? 300) * 1000,
      submitted: new Map(),
    };
  }

  /** The DAGs this scheduler knows, in the order given. */
  get dags(): readonly DagSpec[] {
    return this.#o.dags;
  }

  /** One pass over everything; safe to call at any time, from any number of schedulers. */
  async tick(): Promise<TickReport> {
    const at = this.#o.clock();
    const c = newCounters();
    const firstTick = !this.#ticked;
    this.#ticked = true;
    const states = new Map((await this.#o.store.dagStates()).map((s) => [s.dagId, s]));
    for (const dag of this.#o.dags) {
      if (states.get(dag.id)?.paused === true) continue;
      await this.#guard(c, `cron runs of ${dag.id}`, async () => {
        c.runsCreated.push(...(await createCronRuns(this.#runs, dag, states.get(dag.id), at, this.#o.maxCatchupPerTick ?? 100)));
      });
      if (this.#o.landing !== undefined && dag.sensors.length > 0) {
        const landing = this.#o.landing;
        await this.#guard(c, `landing sensor of ${dag.id}`, async () => {
          c.runsCreated.push(...(await createSensorRuns(this.#runs, dag, landing, at)));
        });
      }
    }
    for (const task of await this.#o.store.expiredLeases(at)) {
      const run = await this.#o.store.run(task.runId);
      const spec = run && this.#dags.get(run.dagId)?.tasks.find((t) => t.id === task.taskId);
      await expireLease(this.#steps, task, spec?.retry, c);
    }
    const active = await this.#o.store.runs({ states: ACTIVE });
    for (const dag of this.#o.dags) {
      const runs = active.filter((r) => r.dagId === dag.id);
      if (states.get(dag.id)?.paused !== true) await startQueuedRuns({ store: this.#o.store, clock: this.#o.clock, dag, runs, counters: c });
    }
    for (const run of await this.#o.store.runs({ states: ['running'] })) {
      const dag = this.#dags.get(run.dagId);
      if (dag === undefined) {
        await this.#finish(run, { state: 'failed', error: `DAG ${run.dagId} is no longer defined` }, c);
        continue;
      }
      await this.#guard(c, `run ${run.id}`, async () => {
        const tasks = await stepRun(this.#steps, { dag, run, counters: c, firstTick });
        const outcome = runOutcome(tasks);
        if (outcome !== undefined) await this.#finish(run, outcome, c);
        else await this.#checkDeadline(run, c);
      });
    }
    for (const run of await this.#o.store.runs({ states: ['queued'] })) await this.#guard(c, `run ${run.id}`, () => this.#checkDeadline(run, c));
    const report: TickReport = { at, ...c };
    if (c.runsCreated.length + c.runsStarted + c.runsFinished + c.triesSubmitted + c.leasesExpired > 0) {
      this.#o.logger.info({ tick: { ...report, at: at.toISOString() } }, 'scheduler tick');
    }
    return report;
  }

  /** A manual run of `dagId` now; `runKey` (the caller's id) makes a repeated request give the same run. */
  async trigger(dagId: string, o: { readonly runKey?: string; readonly conf?: JsonObject } = {}): Promise<TriggerResult> {
    const dag = this.#dag(dagId);
    const runKey = o.runKey?.startsWith('manual@') ? o.runKey : manualRunKey(o.runKey ?? uuidV7(this.#o.clock().getTime()));
    return createDagRun(this.#runs, dag, { runKey, trigger: 'manual', logicalTime: this.#o.clock(), ...(o.conf ? { conf: o.conf } : {}) });
  }

  /**
   * One run per day from `from` to `to` (YYYY-MM-DD, inclusive, in the DAG's time zone), keyed `backfill@<date>` so a
   * repeated backfill adds only the missing days. At most `maxActive` of them run at once (default: the DAG's
   * maxActiveRuns). `dryRun`: the days and the runs that exist, nothing created.
   */
  async backfill(
    dagId: string,
    o: { readonly from: string; readonly to: string; readonly maxActive?: number; readonly dryRun?: boolean },
  ): Promise<readonly BackfillDay[]> {
    return createBackfillRuns(this.#runs, this.#dag(dagId), o);
  }

  /** Cancels a queued or running run: its unfinished tasks are canceled, and running tries stop at their next heartbeat. */
  async cancel(runId: string): Promise<DagRunRecord> {
    const run = await this.#run(runId);
    const at = this.#o.clock();
    if (!(await this.#o.store.transitionRun({ id: runId, from: ACTIVE, to: 'canceled', at, error: 'canceled' }))) {
      throw new ConflictError(`run ${runId} is ${run.state}: only queued or running runs can be canceled`);
    }
    for (const task of await this.#o.store.taskInstances(runId)) {
      await this.#o.store.transitionTask({ runId, taskId: task.taskId, from: ['pending', 'queued', 'running', 'up_for_retry'], to: 'canceled', at });
    }
    return this.#run(runId);
  }

  /**
   * Runs a failed or canceled run again: its failed, upstream-failed and canceled tasks (and so their downstream)
   * go back to pending with a fresh budget of tries; tasks that succeeded are not redone.
   */
  async retry(runId: string): Promise<DagRunRecord> {
    const run = await this.#run(runId);
    if (run.state !== 'failed' && run.state !== 'canceled')
      throw new ConflictError(`run ${runId} is ${run.state}: only failed or canceled runs can be retried`);
    const specs = new Map(this.#dags.get(run.dagId)?.tasks.map((t) => [t.id, t]));
    const at = this.#o.clock();
    for (const task of await this.#o.store.taskInstances(runId)) {
      const retries = specs.get(task.taskId)?.retry.retries ?? task.maxTries - 1;
      await this.#o.store.transitionTask({
        runId,
        taskId: task.taskId,
        from: ['failed', 'upstream_failed', 'canceled'],
        try: task.try,
        to: 'pending',
        at,
        patch: { maxTries: task.try + retries + 1, nextTryAt: null, error: null },
      });
    }
    if (!(await this.#o.store.transitionRun({ id: runId, from: ['failed', 'canceled'], to: 'queued', at }))) {
      throw new ConflictError(`run ${runId} changed state while being retried`);
    }
    return this.#run(runId);
  }

  /** Stops new runs of the DAG (cron and sensors) and the start of its queued runs; running runs finish. */
  async pause(dagId: string): Promise<void> {
    this.#dag(dagId);
    await this.#o.store.setPaused(dagId, true, this.#o.clock());
  }

  /** Resumes the DAG. With catchup false only the latest fire time due runs; never a surprise back-fill. */
  async unpause(dagId: string): Promise<void> {
    this.#dag(dagId);
    await this.#o.store.setPaused(dagId, false, this.#o.clock());
  }

  /** Ticks every `tickSeconds` in this process until {@link stop}; a failed tick is logged and the next one runs. */
  start(o: { readonly tickSeconds: number }): void {
    if (this.#loop !== undefined && !this.#loop.stopped) return;
    const loop: LoopState = { timer: undefined, running: undefined, stopped: false };
    this.#loop = loop;
    const run = (): void => {
      loop.running = this.tick()
        .catch((error: unknown) => this.#o.logger.error({ err: error }, `scheduler tick failed: ${(error as Error).message}`))
        .finally(() => {
          loop.running = undefined;
          if (!loop.stopped) loop.timer = setTimeout(run, o.tickSeconds * 1000);
        });
    };
    run();
  }

  /** Stops the loop and waits for a tick in progress. */
  async stop(): Promise<void> {
    const loop = this.#loop;
    if (loop === undefined) return;
    loop.stopped = true;
    if (loop.timer !== undefined) clearTimeout(loop.timer);
    await loop.running;
  }

  async #finish(run: DagRunRecord, outcome: { state: 'success' } | { state: 'failed'; error: string }, c: TickCounters): Promise<void> {
    const at = this.#o.clock();
    const error = outcome.state === 'failed' ? outcome.error : undefined;
    if (!(await this.#o.store.transitionRun({ id: run.id, from: ['running'], to: outcome.state, at, ...(error ? { error } : {}) }))) return;
    c.runsFinished += 1;
    this.#o.logger.info(
      { runId: run.id, dagId: run.dagId, runKey: run.runKey, state: outcome.state, error },
      `run ${run.dagId} ${run.runKey} ${outcome.state}`,
    );
    if (error !== undefined) await this.#alert({ kind: 'run_failed', run, at, message: `run ${run.runKey} of ${run.dagId} failed: ${error}` }, c);
  }

  async #checkDeadline(run: DagRunRecord, c: TickCounters): Promise<void> {
    const at = this.#o.clock();
    if (run.deadlineAt === undefined || run.deadlineAlertedAt !== undefined || run.deadlineAt.getTime() > at.getTime()) return;
    if (!(await this.#o.store.markDeadlineAlerted(run.id, at))) return;
    c.deadlineAlerts += 1;
    const message = `run ${run.runKey} of ${run.dagId} missed its deadline ${run.deadlineAt.toISOString()}: it is still ${run.state}`;
    await this.#alert({ kind: 'deadline_missed', run, at, message }, c);
  }

  async #alert(o: { kind: RunAlert['kind']; run: DagRunRecord; at: Date; message: string }, c: TickCounters): Promise<void> {
    const alert: RunAlert = {
      kind: o.kind,
      dagId: o.run.dagId,
      runId: o.run.id,
      runKey: o.run.runKey,
      logicalTime: o.run.logicalTime,
      at: o.at,
      message: o.message,
    };
    this.#o.logger.warn({ alert: { ...alert, logicalTime: alert.logicalTime.toISOString(), at: alert.at.toISOString() } }, o.message);
    if (this.#o.notifier === undefined) return;
    await this.#guard(c, `alert for run ${o.run.id}`, () => this.#o.notifier!.notify(alert));
  }

  async #guard(c: TickCounters, what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      const message = `${what}: ${(error as Error).message}`;
      this.#o.logger.error({ err: error }, message);
      c.errors.push(message);
    }
  }

  #dag(dagId: string): DagSpec {
    const dag = this.#dags.get(dagId);
    if (dag === undefined) throw new NotFoundError(`no DAG ${dagId} (DAGs: ${[...this.#dags.keys()].join(', ')})`);
    return dag;
  }

  async #run(runId: string): Promise<DagRunRecord> {
    const run = await this.#o.store.run(runId);
    if (run === undefined) throw new NotFoundError(`no run ${runId}`);
    return run;
  }
}

/** The in-process tick loop: the pending timer, the tick in progress, and whether it was stopped. */
interface LoopState {
  timer: NodeJS.Timeout | undefined;
  running: Promise<unknown> | undefined;
  stopped: boolean;
}
