import type { Kysely, Migration } from 'kysely';

/** A run's data snapshot records the feedback events it learned from (train and tune read fact_feedback too). */
export const runFeedback: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    // data_feedback: JSON {"used": {type: events}, "unknown": {type: events}, "newestId": feedback_id}; null when the
    // run did not read feedback (switched off, or a run from before feedback was learned from).
    await db.schema.alterTable('track_run').addColumn('data_feedback', 'text').execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('track_run').dropColumn('data_feedback').execute();
  },
};
