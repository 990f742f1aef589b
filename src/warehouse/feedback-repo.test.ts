import { describe, expect, it } from 'vitest';
import { compileOnlyWarehouseDialect, parametersOf, quotedFor, recordingDb, sqlOf, SQL_DIALECTS, type SqlDialect } from '../../test/support/compiled-sql.ts';
import { FeedbackRepo } from './feedback-repo.ts';
import { storedFeedbackRow } from '../../test/support/feedback-events.ts';
import { servedList } from '../../test/support/served-list.ts';

const T = '2026-03-02 10:00:00.000';

/** Compiled SQL of the feedback loop on both backends (executed by test/integration/feedback.test.ts). */
describe.each(SQL_DIALECTS)('FeedbackRepo SQL on %s', (dialect: SqlDialect) => {
  const q = (text: string) => quotedFor(dialect, text);
  const ignore = dialect === 'mysql' ? 'insert ignore into' : 'insert or ignore into';
  /** The rollups' upsert of `rows` rows: `counts` added to the stored row, `latest` the larger kept. */
  const merging = (o: { table: string; keys: string[]; counts?: string[]; latest?: string[]; rows?: number }) => {
    const columns = [...o.keys, ...(o.counts ?? []), ...(o.latest ?? [])];
    const incoming = (c: string) => (dialect === 'mysql' ? `values("${c}")` : `excluded."${c}"`);
    const sets = [
      ...(o.counts ?? []).map((c) => `"${c}" = "${c}" + ${incoming(c)}`),
      ...(o.latest ?? []).map((c) => `"${c}" = ${dialect === 'mysql' ? 'greatest' : 'max'}("${c}", ${incoming(c)})`),
    ].join(', ');
    const tuple = `(${columns.map(() => '?').join(',')})`;
    return q(
      `insert into "${o.table}" (${columns.map((c) => `"${c}"`).join(',')}) values ${new Array(o.rows ?? 1).fill(tuple).join(',')} ` +
        (dialect === 'mysql' ? `on duplicate key update ${sets}` : `on conflict (${o.keys.map((c) => `"${c}"`).join(', ')}) do update set ${sets}`),
    );
  };
  const adding = (table: string, keys: string[], counts: string[]) => merging({ table, keys, counts });
  const feedbackRollup = adding('agg_feedback_hour', ['hour_key', 'model_name', 'model_version', 'basis', 'type'], ['events', 'unattributed']);
  const open = () => {
    const { db, statements } = recordingDb(dialect);
    return { repo: new FeedbackRepo({ db, dialect: compileOnlyWarehouseDialect({ sql: dialect }) }), statements };
  };

  it('writes served lists not recorded yet, each one row with its items packed, in one statement and transaction, and counts them into the rollups', async () => {
    const { repo, statements } = open();
    const lists = [
      servedList('r1', [
        ['S1', 0.9],
        ['S2', 0.5],
      ]),
      servedList('r2', 0),
      servedList('r1', [['S9', 0.1]]),
    ];
    await repo.insertServedLists(lists);
    expect(sqlOf(statements)).toEqual([
      'begin',
      q(
        `${ignore} "rec_list" ("recommendation_id","source","batch_id","user_id","model_name","registry_version","model_kind","artifact_version","basis","filter_category","filter_region","k","item_count","created_at","items") values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?),(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      ),
      adding('agg_served_hour', ['hour_key', 'model_name', 'registry_version', 'basis'], ['lists', 'items']),
      merging({ table: 'agg_shown_service', keys: ['model_name', 'registry_version', 'service_id'], latest: ['last_hour'], rows: 2 }),
      'commit',
    ]);
    expect(parametersOf(statements)[2]).toEqual([2026030210, 'shop', 1, 'model', 2, 2]);
    expect(parametersOf(statements)[3]).toEqual(['shop', 1, 'S1', 2026030210, 'shop', 1, 'S2', 2026030210]);
    expect(parametersOf(statements)[1]).toEqual([
      ...['r1', 'user', null, 'U1', 'shop', 1, 'als', 'v1', 'model', null, null, 2, 2, '2026-03-02 10:00:00.000', '[["S1",0.9],["S2",0.5]]'],
      ...['r2', 'user', null, 'U1', 'shop', 1, 'als', 'v1', 'model', null, null, 0, 0, '2026-03-02 10:00:00.000', '[]'],
    ]);
  });

  it('writes the latest hour a model version showed a service once per process and hour, not once per commit group', async () => {
    const { repo, statements } = open();
    await repo.insertServedLists([servedList('r1', 2)]);
    await repo.insertServedLists([servedList('r2', 3)]);
    await repo.insertServedLists([
      servedList('r3', 1, { createdAt: '2026-03-02 11:00:00.000' }),
      servedList('r4', 1, { createdAt: '2026-03-02 09:00:00.000' }),
    ]);
    const shown = statements.filter((s) => s.sql.includes('agg_shown_service'));
    expect(shown.map((s) => [...s.parameters])).toEqual([
      ['shop', 1, 'S0', 2026030210, 'shop', 1, 'S1', 2026030210],
      ['shop', 1, 'S2', 2026030210],
      // S0 shown at 11:00 and at 09:00 in one group: its latest hour, once.
      ['shop', 1, 'S0', 2026030211],
    ]);
  });

  it('runs work in the transaction it was built over (the load of a landing file), opening none of its own', async () => {
    const { db, statements } = recordingDb(dialect);
    await db
      .transaction()
      .execute((trx) => new FeedbackRepo({ db: trx, dialect: compileOnlyWarehouseDialect() }).inTransaction((repo) => repo.storedEvents(['e1'])));
    expect(sqlOf(statements)).toEqual([
      'begin',
      q('select "feedback_id", "event_id", "user_id", "service_id", "type", "recommendation_id" from "fact_feedback" where "event_id" in (?)'),
      'commit',
    ]);
  });

  it('looks up lists, their items, and the lists that showed services to users within a window', async () => {
    const { repo, statements } = open();
    await repo.lists(['r1', 'r2', 'r1']);
    await repo.impressions(['r1']);
    await repo.listsShowing({ userIds: ['U1', 'U2'], serviceIds: ['S1'], from: '2026-03-01 10:00:00.000', to: T });
    expect(sqlOf(statements)).toEqual([
      q('select "recommendation_id", "user_id", "model_name", "registry_version", "basis", "created_at" from "rec_list" where "recommendation_id" in (?, ?)'),
      q('select "recommendation_id", "items" from "rec_list" where "recommendation_id" in (?)'),
      q(
        'select "recommendation_id", "user_id", "model_name", "registry_version", "basis", "created_at", "items" from "rec_list" where "user_id" in (?, ?) and "created_at" >= ? and "created_at" <= ? order by "created_at" desc',
      ),
    ]);
    expect(parametersOf(statements)[2]).toEqual(['U1', 'U2', '2026-03-01 10:00:00.000', T]);
  });

  it('reads stored events, star keys and the select a cancel undoes; adds missing days; stores an event', async () => {
    const { repo, statements } = open();
    await repo.storedEvents(['e1', 'e2']);
    await repo.userKeys(['U1']);
    await repo.serviceKeys(['S1']);
    await repo.ensureDates([20260302]);
    await repo.selectsToUndo({
      pairs: [
        { userId: 'U1', serviceId: 'S1' },
        { userId: 'U2', serviceId: 'S1' },
        { userId: 'U1', serviceId: 'S1' },
      ],
      atOrBefore: T,
    });
    const row = storedFeedbackRow({ eventId: 'e1', userId: 'U1', serviceId: 'S1', userKey: 3, serviceKey: 4, at: T, receivedAt: T });
    await repo.insertEvent(row);
    await repo.insertEvents([row, { ...row, eventId: 'e2' }]);
    expect(sqlOf(statements)).toEqual([
      q('select "feedback_id", "event_id", "user_id", "service_id", "type", "recommendation_id" from "fact_feedback" where "event_id" in (?, ?)'),
      q('select "user_id", "user_key" from "dim_user" where "user_id" in (?)'),
      q('select "service_id", "service_key" from "dim_service" where "service_id" in (?)'),
      q(
        `${ignore} "dim_date" ("date_key", "full_date", "year", "quarter", "month", "day", "iso_week", "weekday", "is_weekend") values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      q(
        'select "s"."feedback_id", "s"."user_id", "s"."service_id", "s"."at" from "fact_feedback" as "s" where (("s"."user_id" = ? and "s"."service_id" = ?) or ("s"."user_id" = ? and "s"."service_id" = ?)) and "s"."type" = ? and "s"."at" <= ? and not exists (select "c"."feedback_id" from "fact_feedback" as "c" where "c"."undoes_feedback_id" = "s"."feedback_id")',
      ),
      q(
        'insert into "fact_feedback" ("event_id", "recommendation_id", "user_id", "service_id", "user_key", "service_key", "date_key", "type", "at", "received_at", "attribution", "model_name", "model_version", "basis", "rank", "flags", "undoes_feedback_id") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      feedbackRollup,
      q(
        'insert into "fact_feedback" ("event_id", "recommendation_id", "user_id", "service_id", "user_key", "service_key", "date_key", "type", "at", "received_at", "attribution", "model_name", "model_version", "basis", "rank", "flags", "undoes_feedback_id") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      feedbackRollup,
      q('select "feedback_id", "event_id", "user_id", "service_id", "type", "recommendation_id" from "fact_feedback" where "event_id" in (?, ?)'),
    ]);
    expect(parametersOf(statements)[3]).toEqual([20260302, '2026-03-02', 2026, 1, 3, 2, 10, 1, 0]);
    expect(parametersOf(statements)[4]).toEqual(['U1', 'S1', 'U2', 'S1', 'select', T]);
  });

  it('reads the feedback_ids of stored events from the insert itself where the backend returns inserted rows', async () => {
    const { db, statements } = recordingDb(dialect);
    const repo = new FeedbackRepo({ db, dialect: compileOnlyWarehouseDialect({ sql: dialect, insertReturning: true }) });
    const row = {
      eventId: 'e1',
      recommendationId: null,
      userId: 'U1',
      serviceId: 'S1',
      userKey: 3,
      serviceKey: 4,
      dateKey: 20260302,
      type: 'impression',
      at: T,
      receivedAt: T,
      attribution: 'none',
      modelName: null,
      modelVersion: null,
      basis: null,
      rank: null,
      flags: '',
      undoesFeedbackId: null as number | null,
    };
    await repo.insertEvents([row, { ...row, eventId: 'e2' }]);
    // The second statement of the same row count reuses the first one's text with its own values, in column order
    // (whatever the order of the row's fields).
    const reversed = Object.fromEntries(Object.entries({ ...row, eventId: 'e3' }).reverse()) as typeof row;
    await repo.insertEvents([reversed, { ...row, eventId: 'e4', undoesFeedbackId: 9 }]);
    const statement = q(
      'insert into "fact_feedback" ("event_id", "recommendation_id", "user_id", "service_id", "user_key", "service_key", "date_key", "type", "at", "received_at", "attribution", "model_name", "model_version", "basis", "rank", "flags", "undoes_feedback_id") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning "feedback_id", "event_id"',
    );
    expect(sqlOf(statements)).toEqual([statement, feedbackRollup, statement, feedbackRollup]);
    const values = (r: typeof row) => [
      r.eventId,
      null,
      'U1',
      'S1',
      3,
      4,
      20260302,
      'impression',
      T,
      T,
      'none',
      null,
      null,
      null,
      null,
      r.flags,
      r.undoesFeedbackId,
    ];
    // Two events of one hour, model, basis and type: one rollup row that counts both.
    const rollupRow = [2026030210, '', 0, '', 'impression', 2, 2];
    expect(parametersOf(statements)).toEqual([
      [...values(row), ...values({ ...row, eventId: 'e2' })],
      rollupRow,
      [...values({ ...row, eventId: 'e3' }), ...values({ ...row, eventId: 'e4', undoesFeedbackId: 9 })],
      rollupRow,
    ]);
  });

  it('reads the outbox in feedback_id order from a cursor', async () => {
    const { repo, statements } = open();
    await repo.eventsAfter(41, 500);
    await repo.events(['e1']);
    expect(sqlOf(statements)).toEqual([
      q('select * from "fact_feedback" where "feedback_id" > ? order by "feedback_id" limit ?'),
      q('select * from "fact_feedback" where "event_id" in (?) order by "feedback_id"'),
    ]);
    expect(parametersOf(statements)[0]).toEqual([41, 500]);
  });
});
