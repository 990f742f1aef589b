import { describe, expect, it } from 'vitest';
import { quotedFor, recordingDb, SQL_DIALECTS } from '../../test/support/compiled-sql.ts';
import { FeedbackKeysRepo } from './feedback-keys-repo.ts';

/** Compiled SQL of the key back-fill on both backends (executed by test/integration/feedback-ingest.test.ts). */
describe.each(SQL_DIALECTS)('FeedbackKeysRepo SQL on %s', (dialect) => {
  const repo = new FeedbackKeysRepo(recordingDb(dialect).db);
  it('fills user keys of events stored before their user, where dim_user has them now', () => {
    expect(repo.fillUserKeysQuery().compile().sql).toBe(
      quotedFor(
        dialect,
        'update "fact_feedback" set "user_key" = (select "dim_user"."user_key" from "dim_user" where "dim_user"."user_id" = "fact_feedback"."user_id") where "fact_feedback"."user_key" is null and exists (select 1 as "one" from "dim_user" where "dim_user"."user_id" = "fact_feedback"."user_id")',
      ),
    );
  });
  it('fills service keys the same way from dim_service', () => {
    expect(repo.fillServiceKeysQuery().compile().sql).toBe(
      quotedFor(
        dialect,
        'update "fact_feedback" set "service_key" = (select "dim_service"."service_key" from "dim_service" where "dim_service"."service_id" = "fact_feedback"."service_id") where "fact_feedback"."service_key" is null and exists (select 1 as "one" from "dim_service" where "dim_service"."service_id" = "fact_feedback"."service_id")',
      ),
    );
  });
});
