import { sql, type Kysely, type Migration } from 'kysely';

/** Running trials beat a heartbeat; a trial whose process died stops beating and is then marked failed. */
export const trialHeartbeat: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    // heartbeat_at: last sign of life of a running trial's process.
    await db.schema
      .alterTable('tune_trial')
      .addColumn('heartbeat_at', sql`datetime(3)`)
      .execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('tune_trial').dropColumn('heartbeat_at').execute();
  },
};
