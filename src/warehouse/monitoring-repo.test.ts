import { describe, expect, it } from 'vitest';
import { parametersOf, quotedFor, recordingDb, sqlOf, SQL_DIALECTS, type SqlDialect } from '../../test/support/compiled-sql.ts';
import { MonitoringRepo } from './monitoring-repo.ts';
import { MonitoringStateRepo } from './monitoring-state-repo.ts';

/** Compiled SQL of the dashboard's reads on both backends (executed by test/integration/dashboard-data.test.ts). */
describe.each(SQL_DIALECTS)('monitoring SQL on %s', (dialect: SqlDialect) => {
  const q = (text: string) => quotedFor(dialect, text);
  const range = { fromHour: 2026030100, toHour: 2026030223 };

  it('reads windows of the rollups: feedback and lists by version and basis, services shown, satisfaction by hour and day, the funnel', async () => {
    const { db, statements } = recordingDb(dialect);
    const repo = new MonitoringRepo({ db });
    await repo.feedbackGroups(range);
    await repo.servedGroups(range);
    await repo.shownServices(range);
    await repo.catalogueSize();
    await repo.satisfaction({ ...range, bucket: 'hour' });
    await repo.satisfaction({ ...range, bucket: 'day' });
    await repo.funnel(range);
    expect(sqlOf(statements)).toEqual([
      q(
        'select "a"."model_name", "a"."model_version", "a"."basis", sum("a"."events") as "events", sum(case when "a"."type" = ? then "a"."events" else 0 end) as "impressions", sum(case when "a"."type" = ? then "a"."events" else 0 end) as "selects", sum(case when "a"."type" = ? then "a"."events" else 0 end) as "cancels", sum(case when "a"."type" = ? then "a"."events" else 0 end) as "reserves", sum(case when "a"."type" = ? then "a"."events" else 0 end) as "completes", (sum(case when "a"."type" = ? then "a"."events" else 0 end)) * 1e0 / nullif(sum(case when "a"."type" = ? then "a"."events" else 0 end), 0) as "select_rate", (sum(case when "a"."type" = ? then "a"."events" else 0 end)) * 1e0 / nullif(sum(case when "a"."type" = ? then "a"."events" else 0 end), 0) as "cancel_rate", (sum(case when "a"."type" = ? then "a"."events" else 0 end) - sum(case when "a"."type" = ? then "a"."events" else 0 end)) * 1e0 / nullif(sum(case when "a"."type" = ? then "a"."events" else 0 end) + sum(case when "a"."type" = ? then "a"."events" else 0 end), 0) as "net_satisfaction", (sum("a"."unattributed")) * 1e0 / nullif(sum("a"."events"), 0) as "unattributed_share" from "agg_feedback_hour" as "a" where "a"."hour_key" >= ? and "a"."hour_key" <= ? group by "a"."model_name", "a"."model_version", "a"."basis" order by "a"."model_name", "a"."model_version", "a"."basis"',
      ),
      q(
        'select "s"."model_name", "s"."registry_version", "s"."basis", sum("s"."lists") as "lists", sum("s"."items") as "items" from "agg_served_hour" as "s" where "s"."hour_key" >= ? and "s"."hour_key" <= ? group by "s"."model_name", "s"."registry_version", "s"."basis" order by "s"."model_name", "s"."registry_version", "s"."basis"',
      ),
      q(
        'select "s"."model_name", "s"."registry_version", count(*) as "services" from "agg_shown_service" as "s" where "s"."last_hour" >= ? and "s"."last_hour" <= ? group by "s"."model_name", "s"."registry_version"',
      ),
      q('select count(*) as "n" from "dim_service"'),
      q(
        'select "a"."model_name", "a"."model_version", "a"."hour_key" as "bucket_key", sum(case when "a"."type" = ? then "a"."events" else 0 end) as "impressions", sum(case when "a"."type" = ? then "a"."events" else 0 end) as "selects", sum(case when "a"."type" = ? then "a"."events" else 0 end) as "cancels", (sum(case when "a"."type" = ? then "a"."events" else 0 end)) * 1e0 / nullif(sum(case when "a"."type" = ? then "a"."events" else 0 end), 0) as "select_rate", (sum(case when "a"."type" = ? then "a"."events" else 0 end)) * 1e0 / nullif(sum(case when "a"."type" = ? then "a"."events" else 0 end), 0) as "cancel_rate", (sum(case when "a"."type" = ? then "a"."events" else 0 end) - sum(case when "a"."type" = ? then "a"."events" else 0 end)) * 1e0 / nullif(sum(case when "a"."type" = ? then "a"."events" else 0 end) + sum(case when "a"."type" = ? then "a"."events" else 0 end), 0) as "net_satisfaction" from "agg_feedback_hour" as "a" where "a"."hour_key" >= ? and "a"."hour_key" <= ? group by "a"."model_name", "a"."model_version", "a"."hour_key" order by "a"."model_name", "a"."model_version", "a"."hour_key"',
      ),
      q(
        'select "a"."model_name", "a"."model_version", "a"."hour_key" - "a"."hour_key" % 100 as "bucket_key", sum(case when "a"."type" = ? then "a"."events" else 0 end) as "impressions", sum(case when "a"."type" = ? then "a"."events" else 0 end) as "selects", sum(case when "a"."type" = ? then "a"."events" else 0 end) as "cancels", (sum(case when "a"."type" = ? then "a"."events" else 0 end)) * 1e0 / nullif(sum(case when "a"."type" = ? then "a"."events" else 0 end), 0) as "select_rate", (sum(case when "a"."type" = ? then "a"."events" else 0 end)) * 1e0 / nullif(sum(case when "a"."type" = ? then "a"."events" else 0 end), 0) as "cancel_rate", (sum(case when "a"."type" = ? then "a"."events" else 0 end) - sum(case when "a"."type" = ? then "a"."events" else 0 end)) * 1e0 / nullif(sum(case when "a"."type" = ? then "a"."events" else 0 end) + sum(case when "a"."type" = ? then "a"."events" else 0 end), 0) as "net_satisfaction" from "agg_feedback_hour" as "a" where "a"."hour_key" >= ? and "a"."hour_key" <= ? group by "a"."model_name", "a"."model_version", "a"."hour_key" - "a"."hour_key" % 100 order by "a"."model_name", "a"."model_version", "a"."hour_key" - "a"."hour_key" % 100',
      ),
      q(
        'select "a"."model_name", "a"."model_version", "a"."type", sum("a"."events") as "events" from "agg_feedback_hour" as "a" where "a"."hour_key" >= ? and "a"."hour_key" <= ? group by "a"."model_name", "a"."model_version", "a"."type" order by "a"."model_name", "a"."model_version", "a"."type"',
      ),
    ]);
    const counts = ['impression', 'select', 'cancel'];
    expect(parametersOf(statements)).toEqual([
      [...counts, 'reserve', 'complete', 'select', 'impression', 'cancel', 'select', 'select', 'cancel', 'select', 'cancel', 2026030100, 2026030223],
      [2026030100, 2026030223],
      [2026030100, 2026030223],
      [],
      [...counts, 'select', 'impression', 'cancel', 'select', 'select', 'cancel', 'select', 'cancel', 2026030100, 2026030223],
      [...counts, 'select', 'impression', 'cancel', 'select', 'select', 'cancel', 'select', 'cancel', 2026030100, 2026030223],
      [2026030100, 2026030223],
    ]);
  });

  it("reads pipeline health and the registry with its runs' offline metrics", async () => {
    const { db, statements } = recordingDb(dialect);
    const repo = new MonitoringStateRepo({ db });
    await repo.newestIngestAt();
    await repo.ingestEntries('2026-03-02 09:00:00.000');
    await repo.newestReservationAt();
    await repo.newestSnapshotBuiltAt();
    await repo.runningStudies();
    await repo.registeredVersions();
    await repo.aliases();
    await repo.changes(200);
    expect(sqlOf(statements)).toEqual([
      q('select max("detected_at") as "at" from "ingest_file"'),
      q(
        'select "detected_at", "finished_at", "status", "rows_ok", "rows_rejected", "rejects_by_code", "quarantine_key" from "ingest_file" where "detected_at" >= ? order by "file_id"',
      ),
      q('select max("reserved_at") as "at" from "fact_reservation"'),
      q('select max("built_at") as "at" from "feat_snapshot"'),
      q('select count(distinct "study_id") as "n" from "tune_trial" where "state" = ?'),
      q(
        'select "v"."model_name", "v"."version", "v"."status", "v"."created_at", "h"."value" as "holdout_ndcg", "p"."value" as "popularity_ndcg" from "registry_version" as "v" left join "track_metric" as "h" on "h"."run_id" = "v"."run_id" and "h"."name" = ? and "h"."step" = ? left join "track_metric" as "p" on "p"."run_id" = "v"."run_id" and "p"."name" = ? and "p"."step" = ? order by "v"."model_name", "v"."version"',
      ),
      q('select "model_name", "alias", "version" from "registry_alias" order by "model_name", "alias"'),
      q('select "model_name", "action", "version", "alias", "actor", "reason", "at" from "registry_event" order by "event_id" desc limit ?'),
    ]);
    expect(parametersOf(statements)).toEqual([[], ['2026-03-02 09:00:00.000'], [], [], ['running'], ['holdout.ndcg', 0, 'popularity.ndcg', 0], [], [200]]);
  });
});
