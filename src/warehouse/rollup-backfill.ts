import { SqliteAdapter, sql, type QueryExecutorProvider, type RawBuilder } from 'kysely';

/** yyyymmddhh (UTC) of a time column, computed by the database: the rollups' hour key. */
export function hourKeySql(db: QueryExecutorProvider, column: string): RawBuilder<number> {
  return db.getExecutor().adapter instanceof SqliteAdapter
    ? sql<number>`cast(strftime('%Y%m%d%H', ${sql.ref(column)}) as integer)`
    : sql<number>`cast(date_format(${sql.ref(column)}, '%Y%m%d%H') as unsigned)`;
}

/** Fills agg_feedback_hour from fact_feedback (it must be empty): one INSERT … SELECT … GROUP BY. */
export async function backfillFeedbackHour(db: QueryExecutorProvider): Promise<void> {
  const hour = hourKeySql(db, 'f.at');
  await sql`insert into agg_feedback_hour (hour_key, model_name, model_version, basis, ${sql.ref('type')}, events, unattributed)
    select ${hour}, coalesce(f.model_name, ''), coalesce(f.model_version, 0), coalesce(f.basis, ''), f.${sql.ref('type')},
      count(*), sum(case when f.attribution = 'none' then 1 else 0 end)
    from fact_feedback as f
    group by ${hour}, coalesce(f.model_name, ''), coalesce(f.model_version, 0), coalesce(f.basis, ''), f.${sql.ref('type')}`.execute(db);
}

/** Fills agg_served_hour from rec_list (it must be empty). */
export async function backfillServedHour(db: QueryExecutorProvider): Promise<void> {
  const hour = hourKeySql(db, 'l.created_at');
  await sql`insert into agg_served_hour (hour_key, model_name, registry_version, basis, lists, items)
    select ${hour}, coalesce(l.model_name, ''), coalesce(l.registry_version, 0), l.basis, count(*), sum(l.item_count)
    from rec_list as l
    group by ${hour}, coalesce(l.model_name, ''), coalesce(l.registry_version, 0), l.basis`.execute(db);
}

/** Fills agg_shown_service from rec_list's items (through the rec_impression view; it must be empty). */
export async function backfillShownServices(db: QueryExecutorProvider): Promise<void> {
  await sql`insert into agg_shown_service (model_name, registry_version, service_id, last_hour)
    select coalesce(l.model_name, ''), coalesce(l.registry_version, 0), i.service_id, max(${hourKeySql(db, 'l.created_at')})
    from rec_list as l join rec_impression as i on i.recommendation_id = l.recommendation_id
    group by coalesce(l.model_name, ''), coalesce(l.registry_version, 0), i.service_id`.execute(db);
}

/**
 * Fills every rollup of the latest schema from fact_feedback and rec_list, each with one INSERT … SELECT: how a
 * bulk load that bypasses FeedbackRepo (the dashboard benchmark) builds them. The rollups must be empty.
 */
export async function backfillRollups(db: QueryExecutorProvider): Promise<void> {
  await backfillFeedbackHour(db);
  await backfillServedHour(db);
  await backfillShownServices(db);
}
