import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Warehouse } from './open-warehouse.ts';
import type { OrchDagRunTable, OrchDagStateTable, OrchTaskInstanceTable, OrchTaskLogTable, OrchTaskTryTable, WarehouseDb } from './schema.ts';

export type DagStateRow = Selectable<OrchDagStateTable>;
export type DagRunRow = Selectable<OrchDagRunTable>;
export type TaskInstanceRow = Selectable<OrchTaskInstanceTable>;
export type TaskTryRow = Selectable<OrchTaskTryTable>;
export type TaskLogRow = Selectable<OrchTaskLogTable>;
/** Which task (and try) a statement is about. */
export interface TaskKey {
  readonly runId: string;
  readonly taskId: string;
}
/** Columns a task transition may write (timestamps as UTC text, `null` clears). */
export type TaskInstancePatch = Updateable<OrchTaskInstanceTable>;

const LOG_COLUMNS = ['run_id', 'task_id', 'try_number', 'seq', 'at', 'level', 'message'] as const;

/**
 * The SQL of orchestration run history (orch_dag_state, orch_dag_run, orch_task_instance, orch_task_try,
 * orch_task_log). Every write that schedulers and workers race on is one conditional statement (a compare-and-set
 * on state and try) whose changed-row count says whether it applied; two-table writes run in one transaction.
 */
export class OrchestrationRepo {
  readonly #warehouse: Pick<Warehouse, 'db' | 'dialect'>;

  constructor(warehouse: Pick<Warehouse, 'db' | 'dialect'>) {
    this.#warehouse = warehouse;
  }

  get #db(): Kysely<WarehouseDb> {
    return this.#warehouse.db;
  }

  #write<T>(statement: () => Promise<T>): Promise<T> {
    return this.#warehouse.dialect.retryingDeadlocks(statement);
  }

  async dagStates(): Promise<DagStateRow[]> {
    return this.#db.selectFrom('orchDagState').selectAll().orderBy('dagId').execute();
  }

  /** Sets columns of a DAG's state row, inserting it (not paused) when missing. */
  async setDagState(dagId: string, set: Omit<Updateable<OrchDagStateTable>, 'dagId'>): Promise<void> {
    const update = () => this.#write(() => this.#db.updateTable('orchDagState').set(set).where('dagId', '=', dagId).executeTakeFirst());
    if (Number((await update()).numUpdatedRows) > 0) return;
    const row = { dagId, paused: 0, changedAt: null, cronCursor: null, ...set } as Insertable<OrchDagStateTable>;
    if (await this.#warehouse.dialect.insertUnlessDuplicate(() => this.#write(() => this.#db.insertInto('orchDagState').values(row).execute()))) return;
    await update();
  }

  /** Inserts a run and its tasks in one transaction; false (nothing written) when its DAG has its run key. */
  async insertRun(run: Insertable<OrchDagRunTable>, tasks: readonly Insertable<OrchTaskInstanceTable>[]): Promise<boolean> {
    try {
      await this.#write(() =>
        this.#db.transaction().execute(async (trx) => {
          await trx.insertInto('orchDagRun').values(run).execute();
          if (tasks.length > 0)
            await trx
              .insertInto('orchTaskInstance')
              .values([...tasks])
              .execute();
        }),
      );
      return true;
    } catch (error) {
      if (this.#warehouse.dialect.isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async run(runId: string): Promise<DagRunRow | undefined> {
    return this.#db.selectFrom('orchDagRun').selectAll().where('runId', '=', runId).executeTakeFirst();
  }

  async runByKey(dagId: string, runKey: string): Promise<DagRunRow | undefined> {
    return this.#db.selectFrom('orchDagRun').selectAll().where('dagId', '=', dagId).where('runKey', '=', runKey).executeTakeFirst();
  }

  /** Runs, latest logical time first. */
  async runs(filter: { readonly dagId?: string; readonly states?: readonly string[]; readonly limit?: number }): Promise<DagRunRow[]> {
    let query = this.#db.selectFrom('orchDagRun').selectAll();
    if (filter.dagId !== undefined) query = query.where('dagId', '=', filter.dagId);
    if (filter.states !== undefined) {
      if (filter.states.length === 0) return [];
      query = query.where('state', 'in', [...filter.states]);
    }
    query = query.orderBy('logicalTime', 'desc').orderBy('runId', 'desc');
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return query.execute();
  }

  /** Sets `set` on the run when its state is one of `from` (and `startedAt` when still unset); whether it applied. */
  async updateRun(
    runId: string,
    from: readonly string[],
    set: Updateable<OrchDagRunTable>,
    o: { readonly startedAtUnlessSet?: string } = {},
  ): Promise<boolean> {
    const started = o.startedAtUnlessSet;
    const result = await this.#write(() =>
      this.#db
        .updateTable('orchDagRun')
        .set((eb) => (started === undefined ? set : { ...set, startedAt: eb.fn.coalesce('startedAt', eb.val(started)) }))
        .where('runId', '=', runId)
        .where('state', 'in', [...from])
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) > 0;
  }

  /** Stamps the run's deadline alert unless one was stamped; whether this call did. */
  async markDeadlineAlerted(runId: string, at: string): Promise<boolean> {
    const result = await this.#write(() =>
      this.#db.updateTable('orchDagRun').set({ deadlineAlertedAt: at }).where('runId', '=', runId).where('deadlineAlertedAt', 'is', null).executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) > 0;
  }

  async taskInstances(runId: string): Promise<TaskInstanceRow[]> {
    return this.#db.selectFrom('orchTaskInstance').selectAll().where('runId', '=', runId).orderBy('taskId').execute();
  }

  /**
   * Compare-and-set of a task: `set` applied when its state is one of `from` (and its try is `tryNumber`, when
   * given). A try left running is closed in the same transaction with `closeTry`. Whether it applied.
   */
  async transitionTask(o: {
    readonly key: TaskKey;
    readonly from: readonly string[];
    readonly tryNumber?: number;
    readonly set: TaskInstancePatch;
    readonly closeTry: Updateable<OrchTaskTryTable>;
  }): Promise<boolean> {
    return this.#write(() =>
      this.#db.transaction().execute(async (trx) => {
        let update = trx
          .updateTable('orchTaskInstance')
          .set(o.set)
          .where('runId', '=', o.key.runId)
          .where('taskId', '=', o.key.taskId)
          .where('state', 'in', [...o.from]);
        if (o.tryNumber !== undefined) update = update.where('tryNumber', '=', o.tryNumber);
        if (Number((await update.executeTakeFirst()).numUpdatedRows) === 0) return false;
        if (o.from.includes('running') && o.set.state !== 'running') {
          await trx
            .updateTable('orchTaskTry')
            .set(o.closeTry)
            .where('runId', '=', o.key.runId)
            .where('taskId', '=', o.key.taskId)
            .where('state', '=', 'running')
            .execute();
        }
        return true;
      }),
    );
  }

  /** queued (this try) → running for `worker`, and the try's row, in one transaction; false when not claimable. */
  async claimTask(o: {
    readonly key: TaskKey;
    readonly tryNumber: number;
    readonly worker: string;
    readonly at: string;
    readonly leaseUntil: string;
  }): Promise<boolean> {
    try {
      return await this.#write(() =>
        this.#db.transaction().execute(async (trx) => {
          const result = await trx
            .updateTable('orchTaskInstance')
            .set({ state: 'running', worker: o.worker, leaseUntil: o.leaseUntil, heartbeatAt: o.at, startedAt: o.at })
            .where('runId', '=', o.key.runId)
            .where('taskId', '=', o.key.taskId)
            .where('state', '=', 'queued')
            .where('tryNumber', '=', o.tryNumber)
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) === 0) return false;
          await trx
            .insertInto('orchTaskTry')
            .values({
              runId: o.key.runId,
              taskId: o.key.taskId,
              tryNumber: o.tryNumber,
              worker: o.worker,
              state: 'running',
              startedAt: o.at,
              endedAt: null,
              error: null,
              retryable: null,
            })
            .execute();
          return true;
        }),
      );
    } catch (error) {
      if (this.#warehouse.dialect.isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Extends the lease of a try `worker` is running; false when it no longer is. */
  async heartbeat(o: {
    readonly key: TaskKey;
    readonly tryNumber: number;
    readonly worker: string;
    readonly at: string;
    readonly leaseUntil: string;
  }): Promise<boolean> {
    const result = await this.#write(() =>
      this.#db
        .updateTable('orchTaskInstance')
        .set({ leaseUntil: o.leaseUntil, heartbeatAt: o.at })
        .where('runId', '=', o.key.runId)
        .where('taskId', '=', o.key.taskId)
        .where('state', '=', 'running')
        .where('tryNumber', '=', o.tryNumber)
        .where('worker', '=', o.worker)
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) > 0;
  }

  /** Ends a try `worker` is running: the task's row and the try's, in one transaction; false when not its try. */
  async finishTask(o: {
    readonly key: TaskKey;
    readonly tryNumber: number;
    readonly worker: string;
    readonly task: TaskInstancePatch;
    readonly tryEnd: Updateable<OrchTaskTryTable>;
  }): Promise<boolean> {
    return this.#write(() =>
      this.#db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('orchTaskInstance')
          .set(o.task)
          .where('runId', '=', o.key.runId)
          .where('taskId', '=', o.key.taskId)
          .where('state', '=', 'running')
          .where('tryNumber', '=', o.tryNumber)
          .where('worker', '=', o.worker)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        await trx
          .updateTable('orchTaskTry')
          .set(o.tryEnd)
          .where('runId', '=', o.key.runId)
          .where('taskId', '=', o.key.taskId)
          .where('tryNumber', '=', o.tryNumber)
          .execute();
        return true;
      }),
    );
  }

  /** Running tries whose lease ended before `now`. */
  async expiredLeases(now: string): Promise<TaskInstanceRow[]> {
    return this.#db
      .selectFrom('orchTaskInstance')
      .selectAll()
      .where('state', '=', 'running')
      .where('leaseUntil', '<', now)
      .orderBy('runId')
      .orderBy('taskId')
      .execute();
  }

  async tries(runId: string, taskId?: string): Promise<TaskTryRow[]> {
    let query = this.#db.selectFrom('orchTaskTry').selectAll().where('runId', '=', runId);
    if (taskId !== undefined) query = query.where('taskId', '=', taskId);
    return query.orderBy('taskId').orderBy('tryNumber').execute();
  }

  /** Inserts log lines, keeping a line already stored under the same (run, task, try, seq). */
  async appendLogs(lines: readonly Insertable<OrchTaskLogTable>[]): Promise<void> {
    const { dialect } = this.#warehouse;
    const perStatement = Math.max(1, Math.floor(dialect.maxParameters / LOG_COLUMNS.length));
    for (let start = 0; start < lines.length; start += perStatement) {
      const chunk = lines.slice(start, start + perStatement);
      const params = chunk.flatMap((l) => [l.runId, l.taskId, l.tryNumber, l.seq, l.at, l.level, l.message]);
      await this.#write(() => dialect.execBulk(this.#db, dialect.insertIgnoreSql('orch_task_log', LOG_COLUMNS, chunk.length), params));
    }
  }

  async logs(o: { readonly key: TaskKey; readonly tryNumber?: number; readonly afterSeq?: number; readonly limit?: number }): Promise<TaskLogRow[]> {
    let query = this.#db.selectFrom('orchTaskLog').selectAll().where('runId', '=', o.key.runId).where('taskId', '=', o.key.taskId);
    if (o.tryNumber !== undefined) query = query.where('tryNumber', '=', o.tryNumber);
    if (o.afterSeq !== undefined) query = query.where('seq', '>', o.afterSeq);
    query = query.orderBy('tryNumber').orderBy('seq');
    if (o.limit !== undefined) query = query.limit(o.limit);
    return query.execute();
  }
}
