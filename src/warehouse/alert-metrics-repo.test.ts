import { describe, expect, it } from 'vitest';
import { parametersOf, quotedFor, recordingDb, sqlOf, SQL_DIALECTS, type SqlDialect } from '../../test/support/compiled-sql.ts';
import { AlertMetricsRepo } from './alert-metrics-repo.ts';

/** Compiled SQL of the alert metrics on both backends (executed by test/integration/alert-metrics.test.ts). */
describe.each(SQL_DIALECTS)('AlertMetricsRepo SQL on %s', (dialect: SqlDialect) => {
  const q = (text: string) => quotedFor(dialect, text);

  it('counts ledger entries by status since a time, and finds the model of the latest attributed event', async () => {
    const { db, statements } = recordingDb(dialect);
    const repo = new AlertMetricsRepo({ db });
    const since = '2026-06-01 00:00:00.000';
    await repo.ledgerCount('failed', since);
    await repo.latestAttributedModel(since);
    expect(sqlOf(statements)).toEqual([
      q('select count(*) as "n" from "ingest_file" where "status" = ? and "detected_at" >= ?'),
      q(
        `select "model_name", "model_version" from "fact_feedback" where "model_name" is not null and "model_version" is not null and "at" >= ? order by "at" desc, "feedback_id" desc limit ?`,
      ),
    ]);
    expect(parametersOf(statements)).toEqual([
      ['failed', since],
      [since, 1],
    ]);
  });
});
