import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Experiment tracking and the model registry (the seed's MLflow, in the warehouse): runs with their parameters,
 * metrics, data snapshot and artifacts; registered models with numbered versions, movable aliases and an audit
 * trail of every change.
 */
export const trackingRegistry: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    // track_experiment: a named group of runs (by default one per model kind).
    await db.schema
      .createTable('track_experiment')
      .addColumn('experiment_id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('name', 'varchar(200)', (c) => c.notNull().unique())
      .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull())
      .execute();

    // track_run: one training (run_type 'train') or tuning trial ('tune-trial'): what was run on which data, how it
    // went. data_* describe the warehouse it saw: loaded landing files, a fingerprint of their contents, the
    // weighted reservations and the newest reservation time. artifact_prefix: its files in the bucket.
    await db.schema
      .createTable('track_run')
      .addColumn('run_id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('experiment_id', 'integer', (c) => c.notNull().references('track_experiment.experiment_id'))
      .addColumn('run_type', 'varchar(16)', (c) => c.notNull())
      .addColumn('model_kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('params_json', 'text', (c) => c.notNull())
      .addColumn('code_version', 'varchar(80)', (c) => c.notNull())
      .addColumn('data_files', 'integer', (c) => c.notNull())
      .addColumn('data_fingerprint', 'varchar(64)', (c) => c.notNull())
      .addColumn('data_interactions', 'integer', (c) => c.notNull())
      .addColumn('data_newest_event', sql`datetime(3)`)
      .addColumn('started_at', sql`datetime(3)`, (c) => c.notNull())
      .addColumn('finished_at', sql`datetime(3)`)
      .addColumn('seconds', 'double precision')
      .addColumn('artifact_prefix', 'varchar(300)')
      .execute();

    // track_metric: a run's metrics; step 0 for final values, 1, 2, … per iteration/epoch.
    await db.schema
      .createTable('track_metric')
      .addColumn('run_id', 'varchar(40)', (c) => c.notNull())
      .addColumn('name', 'varchar(64)', (c) => c.notNull())
      .addColumn('step', 'integer', (c) => c.notNull())
      .addColumn('value', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_track_metric', ['run_id', 'name', 'step'])
      .execute();

    // track_artifact: each file a run stored, with the size and SHA-256 that are checked whenever it is loaded.
    await db.schema
      .createTable('track_artifact')
      .addColumn('run_id', 'varchar(40)', (c) => c.notNull())
      .addColumn('object_key', 'varchar(300)', (c) => c.notNull())
      .addColumn('size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'char(64)', (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_track_artifact', ['run_id', 'object_key'])
      .execute();

    // registry_version: immutable numbered versions (1, 2, …) of a registered model name, each from a run.
    // status: 'active' or 'archived' (archived versions cannot be promoted).
    await db.schema
      .createTable('registry_version')
      .addColumn('model_name', 'varchar(200)', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('run_id', 'varchar(40)', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_registry_version', ['model_name', 'version'])
      .execute();

    // registry_alias: a movable name (champion, challenger, …) for one version of a model.
    await db.schema
      .createTable('registry_alias')
      .addColumn('model_name', 'varchar(200)', (c) => c.notNull())
      .addColumn('alias', 'varchar(64)', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('updated_at', sql`datetime(3)`, (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_registry_alias', ['model_name', 'alias'])
      .execute();

    // registry_event: every change (register, promote, rollback, archive) with who, when and why.
    await db.schema
      .createTable('registry_event')
      .addColumn('event_id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('model_name', 'varchar(200)', (c) => c.notNull())
      .addColumn('action', 'varchar(16)', (c) => c.notNull())
      .addColumn('version', 'integer')
      .addColumn('alias', 'varchar(64)')
      .addColumn('previous_version', 'integer')
      .addColumn('actor', 'varchar(200)', (c) => c.notNull())
      .addColumn('reason', 'varchar(1000)', (c) => c.notNull())
      .addColumn('at', sql`datetime(3)`, (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    for (const t of ['registry_event', 'registry_alias', 'registry_version', 'track_artifact', 'track_metric', 'track_run', 'track_experiment']) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};
