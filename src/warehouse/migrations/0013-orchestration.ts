import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Run history of the orchestration (DAGs of pipeline jobs): each DAG's pause flag and cron cursor, runs (one per
 * run key), their task instances, every try of a task and its log lines. Plain tables a person can query.
 */
export const orchestrationTables: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    // orch_dag_state: one row per DAG that was paused or scheduled; cron_cursor: the latest fire time given a run.
    await db.schema
      .createTable('orch_dag_state')
      .addColumn('dag_id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('changed_at', sql`datetime(3)`)
      .addColumn('cron_cursor', sql`datetime(3)`)
      .execute();

    // orch_dag_run: one row per run. run_key is unique per DAG (cron@<iso>, file@<key>#<sha256>, manual@<id>,
    // backfill@<date>), so a trigger seen twice makes one run. state: queued, running, success, failed, canceled.
    await db.schema
      .createTable('orch_dag_run')
      .addColumn('run_id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('dag_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('run_key', 'varchar(700)', (c) => c.notNull())
      .addColumn('trigger_kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('logical_time', sql`datetime(3)`, (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('conf_json', 'text', (c) => c.notNull())
      .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull())
      .addColumn('started_at', sql`datetime(3)`)
      .addColumn('ended_at', sql`datetime(3)`)
      .addColumn('deadline_at', sql`datetime(3)`)
      .addColumn('deadline_alerted_at', sql`datetime(3)`)
      .addColumn('error', 'text')
      .addUniqueConstraint('uq_orch_dag_run_key', ['dag_id', 'run_key'])
      .execute();
    await db.schema.createIndex('ix_orch_dag_run_dag_time').on('orch_dag_run').columns(['dag_id', 'logical_time']).execute();
    await db.schema.createIndex('ix_orch_dag_run_state').on('orch_dag_run').columns(['state', 'dag_id']).execute();

    // orch_task_instance: one row per task of a run; try_number is the current try (0 before the first).
    // state: pending, queued, running, up_for_retry, success, failed, upstream_failed, canceled.
    await db.schema
      .createTable('orch_task_instance')
      .addColumn('run_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('task_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('job', 'varchar(64)', (c) => c.notNull())
      .addColumn('pool', 'varchar(64)', (c) => c.notNull())
      .addColumn('params_json', 'text', (c) => c.notNull())
      .addColumn('try_number', 'integer', (c) => c.notNull())
      .addColumn('max_tries', 'integer', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('worker', 'varchar(200)')
      .addColumn('lease_until', sql`datetime(3)`)
      .addColumn('heartbeat_at', sql`datetime(3)`)
      .addColumn('next_try_at', sql`datetime(3)`)
      .addColumn('queued_at', sql`datetime(3)`)
      .addColumn('started_at', sql`datetime(3)`)
      .addColumn('ended_at', sql`datetime(3)`)
      .addColumn('error', 'text')
      .addColumn('result_json', 'text')
      .addPrimaryKeyConstraint('pk_orch_task_instance', ['run_id', 'task_id'])
      .execute();
    await db.schema.createIndex('ix_orch_task_instance_lease').on('orch_task_instance').columns(['state', 'lease_until']).execute();

    // orch_task_try: every try of a task: who ran it, when, and how it ended (retryable: 1 when it may be retried).
    await db.schema
      .createTable('orch_task_try')
      .addColumn('run_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('task_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('try_number', 'integer', (c) => c.notNull())
      .addColumn('worker', 'varchar(200)', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('started_at', sql`datetime(3)`, (c) => c.notNull())
      .addColumn('ended_at', sql`datetime(3)`)
      .addColumn('error', 'text')
      .addColumn('retryable', 'integer')
      .addPrimaryKeyConstraint('pk_orch_task_try', ['run_id', 'task_id', 'try_number'])
      .execute();

    // orch_task_log: a try's log lines, numbered from 1 per try, written while it runs.
    await db.schema
      .createTable('orch_task_log')
      .addColumn('run_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('task_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('try_number', 'integer', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('at', sql`datetime(3)`, (c) => c.notNull())
      .addColumn('level', 'varchar(8)', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_orch_task_log', ['run_id', 'task_id', 'try_number', 'seq'])
      .execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    for (const t of ['orch_task_log', 'orch_task_try', 'orch_task_instance', 'orch_dag_run', 'orch_dag_state']) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};
