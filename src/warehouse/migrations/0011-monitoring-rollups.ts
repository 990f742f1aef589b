import { SqliteAdapter, sql, type Kysely, type Migration, type RawBuilder } from 'kysely';

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
    await db.schema
      .createTable('agg_shown_service_day')
      .addColumn('day_key', 'integer', (c) => c.notNull())
      .addColumn('model_name', 'varchar(200)', (c) => c.notNull())
      .addColumn('registry_version', 'integer', (c) => c.notNull())
      .addColumn('service_id', 'varchar(200)', (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_agg_shown_service_day', ['day_key', 'model_name', 'registry_version', 'service_id'])
      .execute();

    await backfillRollups(db);
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('agg_shown_service_day').execute();
    await db.schema.dropTable('agg_served_hour').execute();
    await db.schema.dropTable('agg_feedback_hour').execute();
  },
};

/**
 * Fills the three rollups from fact_feedback and rec_list (items through the rec_impression view), each with one
 * INSERT … SELECT … GROUP BY: what the migration does for the facts stored before it, and how a bulk load that
 * bypasses FeedbackRepo (the dashboard benchmark) builds them. The rollups must be empty.
 */
export async function backfillRollups(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const hourOf = (column: string): RawBuilder<number> =>
    sqlite
      ? sql<number>`cast(strftime('%Y%m%d%H', ${sql.ref(column)}) as integer)`
      : sql<number>`cast(date_format(${sql.ref(column)}, '%Y%m%d%H') as unsigned)`;
  const dayOf = (column: string): RawBuilder<number> =>
    sqlite ? sql<number>`cast(strftime('%Y%m%d', ${sql.ref(column)}) as integer)` : sql<number>`cast(date_format(${sql.ref(column)}, '%Y%m%d') as unsigned)`;
  await sql`insert into agg_feedback_hour (hour_key, model_name, model_version, basis, ${sql.ref('type')}, events, unattributed)
    select ${hourOf('f.at')}, coalesce(f.model_name, ''), coalesce(f.model_version, 0), coalesce(f.basis, ''), f.${sql.ref('type')},
      count(*), sum(case when f.attribution = 'none' then 1 else 0 end)
    from fact_feedback as f
    group by ${hourOf('f.at')}, coalesce(f.model_name, ''), coalesce(f.model_version, 0), coalesce(f.basis, ''), f.${sql.ref('type')}`.execute(db);
  await sql`insert into agg_served_hour (hour_key, model_name, registry_version, basis, lists, items)
    select ${hourOf('l.created_at')}, coalesce(l.model_name, ''), coalesce(l.registry_version, 0), l.basis, count(*), sum(l.item_count)
    from rec_list as l
    group by ${hourOf('l.created_at')}, coalesce(l.model_name, ''), coalesce(l.registry_version, 0), l.basis`.execute(db);
  await sql`insert into agg_shown_service_day (day_key, model_name, registry_version, service_id)
    select distinct ${dayOf('l.created_at')}, coalesce(l.model_name, ''), coalesce(l.registry_version, 0), i.service_id
    from rec_list as l join rec_impression as i on i.recommendation_id = l.recommendation_id`.execute(db);
}
