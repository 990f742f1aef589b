import type { Kysely } from 'kysely';
import type { WarehouseDialect } from './dialects/warehouse-dialect.ts';
import type { WarehouseDb } from './schema.ts';

/** One stored feedback event as training reads it: user key, service key, type, at. */
export type FeedbackSignalTuple = readonly [userKey: number, serviceKey: number, type: string, at: string];

/** Stored events of one type: how many, how many lack a user or service key (unknown when stored), the newest feedback_id. */
export interface FeedbackTypeCount {
  readonly type: string;
  readonly events: number;
  readonly unknown: number;
  readonly newestId: number;
}

/**
 * What training reads of fact_feedback: per type, how many events there are (and how many name a user or service
 * the warehouse did not know when they were stored), then the events with both keys, streamed as arrays up to a
 * feedback_id taken from the counts, so the counts and the rows describe the same events while writers go on.
 * `*Query` methods build without running, for compiled-SQL tests.
 */
export class FeedbackSignalRepo {
  readonly #db: Kysely<WarehouseDb>;
  readonly #dialect: WarehouseDialect;
  constructor(db: Kysely<WarehouseDb>, dialect: WarehouseDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  countsQuery(types: readonly string[]) {
    return this.#db
      .selectFrom('factFeedback')
      .select((eb) => [
        'type',
        eb.fn.countAll().as('events'),
        eb.fn
          .sum(
            eb
              .case()
              .when(eb.or([eb('userKey', 'is', null), eb('serviceKey', 'is', null)]))
              .then(1)
              .else(0)
              .end(),
          )
          .as('unknown'),
        eb.fn.max('feedbackId').as('newestId'),
      ])
      .where('type', 'in', [...types])
      .groupBy('type')
      .orderBy('type');
  }

  /** Events of `types` by type (types without events are absent). */
  async counts(types: readonly string[]): Promise<FeedbackTypeCount[]> {
    if (types.length === 0) return [];
    const rows = await this.countsQuery(types).execute();
    return rows.map((r) => ({ type: r.type, events: Number(r.events), unknown: Number(r.unknown ?? 0), newestId: Number(r.newestId) }));
  }

  signalsQuery(types: readonly string[], upToId: number) {
    return this.#db
      .selectFrom('factFeedback')
      .select(['userKey', 'serviceKey', 'type', 'at'])
      .where('type', 'in', [...types])
      .where('feedbackId', '<=', upToId)
      .where('userKey', 'is not', null)
      .where('serviceKey', 'is not', null)
      .orderBy('feedbackId');
  }

  /** Every event of `types` with both keys and feedback_id ≤ `upToId`, in feedback_id order, handed to `onRow` as it streams in. */
  async scanSignals(types: readonly string[], upToId: number, onRow: (row: FeedbackSignalTuple) => void): Promise<void> {
    if (types.length === 0) return;
    await this.#dialect.scanRows(this.#db, this.signalsQuery(types, upToId).compile(), onRow as (row: readonly unknown[]) => void);
  }
}
