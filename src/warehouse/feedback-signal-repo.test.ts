import { describe, expect, it } from 'vitest';
import { compileOnlyWarehouseDialect, parametersOf, quotedFor, recordingDb, sqlOf, SQL_DIALECTS, type SqlDialect } from '../../test/support/compiled-sql.ts';
import { FeedbackSignalRepo } from './feedback-signal-repo.ts';

/** Compiled SQL of what training reads of fact_feedback (executed on both backends by test/integration/feedback-learning.test.ts). */
describe.each(SQL_DIALECTS)('FeedbackSignalRepo SQL on %s', (dialect: SqlDialect) => {
  const q = (text: string) => quotedFor(dialect, text);

  it('counts events by type with the unknown ones, then reads the known ones up to the counted feedback_id', async () => {
    const { db, statements } = recordingDb(dialect);
    const repo = new FeedbackSignalRepo(db, compileOnlyWarehouseDialect());
    await repo.counts(['select', 'cancel']);
    const signals = repo.signalsQuery(['select', 'cancel'], 42).compile();
    expect(sqlOf(statements)).toEqual([
      q(
        'select "type", count(*) as "events", sum(case when ("user_key" is null or "service_key" is null) then 1 else 0 end) as "unknown", max("feedback_id") as "newest_id" from "fact_feedback" where "type" in (?, ?) group by "type" order by "type"',
      ),
    ]);
    expect(parametersOf(statements)[0]).toEqual(['select', 'cancel']);
    expect(signals.sql).toBe(
      q(
        'select "user_key", "service_key", "type", "at" from "fact_feedback" where "type" in (?, ?) and "feedback_id" <= ? and "user_key" is not null and "service_key" is not null order by "feedback_id"',
      ),
    );
    expect(signals.parameters).toEqual(['select', 'cancel', 42]);
  });

  it('asks nothing when no type carries weight', async () => {
    const { db, statements } = recordingDb(dialect);
    const repo = new FeedbackSignalRepo(db, compileOnlyWarehouseDialect());
    expect(await repo.counts([])).toEqual([]);
    await repo.scanSignals([], 10, () => undefined);
    expect(statements).toEqual([]);
  });
});
