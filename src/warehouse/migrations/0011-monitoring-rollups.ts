import { SqliteAdapter, sql, type Kysely, type Migration } from 'kysely';
import { backfillFeedbackHour, backfillServedHour } from '../rollup-backfill.ts';

/**
 * Hourly rollups of the feedback loop, kept exact by the writes of the facts in the same transaction
 * (FeedbackRepo): the dashboard and /metrics read windows of them instead of scanning fact_feedback and rec_list.
 * - agg_feedback_hour: events by UTC hour (yyyymmddhh of `at`), model, version, basis and type; `unattributed`
 *   counts those attributed to no list. '' and 0 stand for "none" (a key column cannot be null).
 * - agg_served_hour: lists served and items shown by hour, model, registry version and basis.
 * - agg_shown_service_day: which services each model version showed on a UTC day (yyyymmdd): catalogue coverage.
 * Existing facts are rolled up here, so a warehouse that had feedback before reads the same figures.
 */
export const monitoringRollups: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('agg_feedback_hour')
      .addColumn('hour_key', 'integer', (c) => c.notNull())
      .addColumn('model_name', 'varchar(200)', (c) => c.notNull())
      .addColumn('model_version', 'integer', (c) => c.notNull())
      .addColumn('basis', 'varchar(32)', (c) => c.notNull())
      .addColumn('type', 'varchar(16)', (c) => c.notNull())
      .addColumn('events', 'integer', (c) => c.notNull())
      .addColumn('unattributed', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_agg_feedback_hour', ['hour_key', 'model_name', 'model_version', 'basis', 'type'])
      .execute();
    await db.schema
      .createTable('agg_served_hour')
      .addColumn('hour_key', 'integer', (c) => c.notNull())
      .addColumn('model_name', 'varchar(200)', (c) => c.notNull())
      .addColumn('registry_version', 'integer', (c) => c.notNull())
      .addColumn('basis', 'varchar(32)', (c) => c.notNull())
      .addColumn('lists', 'integer', (c) => c.notNull())
      .addColumn('items', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_agg_served_hour', ['hour_key', 'model_name', 'registry_version', 'basis'])
      .execute();
    await createShownServiceDay(db);

    await backfill(db);
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('agg_shown_service_day').execute();
    await db.schema.dropTable('agg_served_hour').execute();
    await db.schema.dropTable('agg_feedback_hour').execute();
  },
};

/** agg_shown_service_day as 0011 defined it (0012 replaces it, and creates it again on its way down). */
export async function createShownServiceDay(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('agg_shown_service_day')
    .addColumn('day_key', 'integer', (c) => c.notNull())
    .addColumn('model_name', 'varchar(200)', (c) => c.notNull())
    .addColumn('registry_version', 'integer', (c) => c.notNull())
    .addColumn('service_id', 'varchar(200)', (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_agg_shown_service_day', ['day_key', 'model_name', 'registry_version', 'service_id'])
    .execute();
}

/** The rollups from the facts stored before this migration. */
async function backfill(db: Kysely<any>): Promise<void> {
  await backfillFeedbackHour(db);
  await backfillServedHour(db);
  await backfillShownServiceDays(db);
}

/** Fills agg_shown_service_day (0011's coverage table, replaced by 0012) from rec_list's items; it must be empty. */
export async function backfillShownServiceDays(db: Kysely<any>): Promise<void> {
  const day =
    db.getExecutor().adapter instanceof SqliteAdapter
      ? sql<number>`cast(strftime('%Y%m%d', l.created_at) as integer)`
      : sql<number>`cast(date_format(l.created_at, '%Y%m%d') as unsigned)`;
  await sql`insert into agg_shown_service_day (day_key, model_name, registry_version, service_id)
    select distinct ${day}, coalesce(l.model_name, ''), coalesce(l.registry_version, 0), i.service_id
    from rec_list as l join rec_impression as i on i.recommendation_id = l.recommendation_id`.execute(db);
}
