import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The feedback loop: every list the API served (rec_list) with the services it showed (rec_impression), and
 * every reaction to them (fact_feedback, append-only), attributed to the list, model and position that caused it.
 */
export const feedbackTables: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    // rec_list: one row per served list. source: 'user' (GET a user's list), 'fold-in' or 'batch'. user_id is
    // null for a fold-in (a user the model has never seen). model_name/registry_version: the registered model
    // and version (null when serving the newest trained model without a registry name); model_kind and
    // artifact_version: what the files were. filter_*: the filters asked for; k: how many were asked for.
    await db.schema
      .createTable('rec_list')
      .addColumn('recommendation_id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('source', 'varchar(16)', (c) => c.notNull())
      .addColumn('batch_id', 'varchar(64)')
      .addColumn('user_id', 'varchar(200)')
      .addColumn('model_name', 'varchar(200)')
      .addColumn('registry_version', 'integer')
      .addColumn('model_kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('artifact_version', 'varchar(200)', (c) => c.notNull())
      .addColumn('basis', 'varchar(32)', (c) => c.notNull())
      .addColumn('filter_category', 'varchar(200)')
      .addColumn('filter_region', 'varchar(200)')
      .addColumn('k', 'integer', (c) => c.notNull())
      .addColumn('item_count', 'integer', (c) => c.notNull())
      .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull())
      .execute();
    // "the latest list that showed this service to this user" (attribution by window) starts here.
    await db.schema.createIndex('ix_rec_list_user_time').on('rec_list').columns(['user_id', 'created_at']).execute();
    await db.schema.createIndex('ix_rec_list_time').on('rec_list').columns(['created_at']).execute();

    // rec_impression: one row per service shown in a served list, at its 1-based rank, with the model's score.
    await db.schema
      .createTable('rec_impression')
      .addColumn('recommendation_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('rank', 'integer', (c) => c.notNull())
      .addColumn('service_id', 'varchar(200)', (c) => c.notNull())
      .addColumn('score', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_rec_impression', ['recommendation_id', 'rank'])
      .execute();

    // fact_feedback: append-only, one row per reaction a client reported. feedback_id orders the outbox (shippers
    // follow it); event_id is the client's idempotency key. user_key/service_key/date_key: the star keys, null
    // when the warehouse does not know the user or service (yet); the raw ids are always kept. attribution:
    // 'list' (by recommendation_id), 'window' (the latest list that showed the service to the user within
    // feedback.attributionWindow) or 'none'; model_*, basis and rank are copied from the attributed list.
    // flags: comma-separated codes (UNKNOWN_USER, NOT_IN_LIST, CLOCK_CLAMPED…), '' when none.
    // undoes_feedback_id: for a cancel, the select it undoes.
    await db.schema
      .createTable('fact_feedback')
      .addColumn('feedback_id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('event_id', 'varchar(200)', (c) => c.notNull().unique())
      .addColumn('recommendation_id', 'varchar(200)')
      .addColumn('user_id', 'varchar(200)', (c) => c.notNull())
      .addColumn('service_id', 'varchar(200)', (c) => c.notNull())
      .addColumn('user_key', 'integer')
      .addColumn('service_key', 'integer')
      .addColumn('date_key', 'integer', (c) => c.notNull())
      .addColumn('type', 'varchar(16)', (c) => c.notNull())
      .addColumn('at', sql`datetime(3)`, (c) => c.notNull())
      .addColumn('received_at', sql`datetime(3)`, (c) => c.notNull())
      .addColumn('attribution', 'varchar(8)', (c) => c.notNull())
      .addColumn('model_name', 'varchar(200)')
      .addColumn('model_version', 'integer')
      .addColumn('basis', 'varchar(32)')
      .addColumn('rank', 'integer')
      .addColumn('flags', 'varchar(200)', (c) => c.notNull())
      .addColumn('undoes_feedback_id', 'integer')
      .execute();
    await db.schema.createIndex('ix_fact_feedback_user_service').on('fact_feedback').columns(['user_id', 'service_id', 'at']).execute();
    await db.schema.createIndex('ix_fact_feedback_at').on('fact_feedback').columns(['at']).execute();
    await db.schema.createIndex('ix_fact_feedback_recommendation').on('fact_feedback').columns(['recommendation_id']).execute();
    await db.schema.createIndex('ix_fact_feedback_undoes').on('fact_feedback').columns(['undoes_feedback_id']).execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('fact_feedback').execute();
    await db.schema.dropTable('rec_impression').execute();
    await db.schema.dropTable('rec_list').execute();
  },
};
