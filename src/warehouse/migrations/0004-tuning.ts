import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Hyperparameter searches (`pickwise tune`): studies, their trials and each trial's intermediate values, so that
 * a study resumes after a crash and several processes can add trials to one study at the same time.
 */
export const tuningTables: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    // tune_study: one row per named search; direction 'minimize' or 'maximize'; sampler/pruner by name.
    await db.schema
      .createTable('tune_study')
      .addColumn('study_id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('name', 'varchar(200)', (c) => c.notNull().unique())
      .addColumn('direction', 'varchar(8)', (c) => c.notNull())
      .addColumn('sampler', 'varchar(32)', (c) => c.notNull())
      .addColumn('pruner', 'varchar(32)', (c) => c.notNull())
      .addColumn('seed', 'bigint', (c) => c.notNull())
      .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull())
      .execute();

    // tune_trial: one row per trial, numbered from 0 within its study; params as JSON; value once complete.
    // state: running, complete, pruned or failed.
    await db.schema
      .createTable('tune_trial')
      .addColumn('study_id', 'integer', (c) => c.notNull().references('tune_study.study_id'))
      .addColumn('trial_number', 'integer', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('params_json', 'text', (c) => c.notNull())
      .addColumn('value', 'double precision')
      .addColumn('started_at', sql`datetime(3)`, (c) => c.notNull())
      .addColumn('finished_at', sql`datetime(3)`)
      .addPrimaryKeyConstraint('pk_tune_trial', ['study_id', 'trial_number'])
      .execute();

    // tune_trial_step: intermediate values a trial reported (e.g. validation NDCG after each iteration).
    await db.schema
      .createTable('tune_trial_step')
      .addColumn('study_id', 'integer', (c) => c.notNull())
      .addColumn('trial_number', 'integer', (c) => c.notNull())
      .addColumn('step', 'integer', (c) => c.notNull())
      .addColumn('value', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_tune_trial_step', ['study_id', 'trial_number', 'step'])
      .execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    for (const t of ['tune_trial_step', 'tune_trial', 'tune_study']) await db.schema.dropTable(t).ifExists().execute();
  },
};
