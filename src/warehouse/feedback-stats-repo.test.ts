import { describe, expect, it } from 'vitest';
import { parametersOf, quotedFor, recordingDb, sqlOf, SQL_DIALECTS, type SqlDialect } from '../../test/support/compiled-sql.ts';
import { FeedbackStatsRepo } from './feedback-stats-repo.ts';

const METRICS =
  'count(*) as "events", ' +
  'sum(case when "f"."type" = ? then 1 else 0 end) as "impressions", ' +
  'sum(case when "f"."type" = ? then 1 else 0 end) as "selects", ' +
  'sum(case when "f"."type" = ? then 1 else 0 end) as "cancels", ' +
  '(sum(case when "f"."type" = ? then 1 else 0 end)) * 1e0 / nullif(sum(case when "f"."type" = ? then 1 else 0 end), 0) as "select_rate", ' +
  '(sum(case when "f"."type" = ? then 1 else 0 end)) * 1e0 / nullif(sum(case when "f"."type" = ? then 1 else 0 end), 0) as "cancel_rate", ' +
  '(sum(case when "f"."type" = ? then 1 else 0 end) - sum(case when "f"."type" = ? then 1 else 0 end)) * 1e0 / nullif(sum(case when "f"."type" = ? then 1 else 0 end) + sum(case when "f"."type" = ? then 1 else 0 end), 0) as "net_satisfaction", ' +
  '(sum(case when "f"."attribution" = ? then 1 else 0 end)) * 1e0 / nullif(count(*), 0) as "unattributed_share"';

/** Compiled SQL of the feedback metrics on both backends (executed by test/integration/feedback.test.ts). */
describe.each(SQL_DIALECTS)('FeedbackStatsRepo SQL on %s', (dialect: SqlDialect) => {
  const q = (text: string) => quotedFor(dialect, text);

  it('defines every metric once and groups by model, basis or region', async () => {
    const { db, statements } = recordingDb(dialect);
    const repo = new FeedbackStatsRepo({ db });
    const since = '2026-03-01 00:00:00.000';
    await repo.stats({ since });
    await repo.stats({ since, by: 'model' });
    await repo.stats({ since, by: 'basis' });
    await repo.stats({ since, by: 'region' });
    expect(sqlOf(statements)).toEqual([
      q(`select null as "group", null as "model_version", ${METRICS} from "fact_feedback" as "f" where "f"."at" >= ?`),
      q(
        `select "f"."model_name" as "group", "f"."model_version", ${METRICS} from "fact_feedback" as "f" where "f"."at" >= ? group by "f"."model_name", "f"."model_version" order by "f"."model_name", "f"."model_version"`,
      ),
      q(
        `select "f"."basis" as "group", null as "model_version", ${METRICS} from "fact_feedback" as "f" where "f"."at" >= ? group by "f"."basis" order by "f"."basis"`,
      ),
      q(
        `select "r"."region_name" as "group", null as "model_version", ${METRICS} from "fact_feedback" as "f" left join "dim_user" as "u" on "u"."user_key" = "f"."user_key" left join "dim_region" as "r" on "r"."region_key" = "u"."region_key" where "f"."at" >= ? group by "r"."region_name" order by "r"."region_name"`,
      ),
    ]);
    expect(parametersOf(statements)[0]).toEqual([
      'impression',
      'select',
      'cancel',
      'select',
      'impression',
      'cancel',
      'select',
      'select',
      'cancel',
      'select',
      'cancel',
      'none',
      since,
    ]);
  });
});
