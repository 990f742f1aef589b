import type { Insertable, Kysely, Selectable } from 'kysely';
import { calendarOf } from '../shared/index.ts';
import { BulkBuffer } from './bulk-buffer.ts';
import { keyChunks } from './key-chunks.ts';
import { multiRowInsert } from './multi-row-insert.ts';
import { REC_LIST_COLUMNS, recListValues } from './rec-list-values.ts';
import { RollupWriter, ShownKeys } from './rollup-writer.ts';
import type { Warehouse } from './open-warehouse.ts';
import type { FactFeedbackTable, RecListTable, WarehouseDb } from './schema.ts';
import { unpackShownItems, type ShownItem } from './shown-items.ts';

/** A served list as recorded: its rec_list row, the services it showed packed in `items` (packShownItems). */
export type ServedListRow = Insertable<RecListTable>;

/** What attribution copies from a served list. */
export type ListRef = Pick<Selectable<RecListTable>, 'recommendationId' | 'userId' | 'modelName' | 'registryVersion' | 'basis' | 'createdAt'>;

/** A stored event's identity, to tell a retry (duplicate) from a reuse of its id for another event. */
export type StoredEventKey = Pick<Selectable<FactFeedbackTable>, 'feedbackId' | 'eventId' | 'userId' | 'serviceId' | 'type' | 'recommendationId'>;

/** A stored event, numbers as numbers on every backend. */
export type FeedbackRow = Selectable<FactFeedbackTable>;

/** The columns an insert into fact_feedback names (feedback_id is generated), in statement order. */
const FEEDBACK_INSERT_COLUMNS = [
  'eventId',
  'recommendationId',
  'userId',
  'serviceId',
  'userKey',
  'serviceKey',
  'dateKey',
  'type',
  'at',
  'receivedAt',
  'attribution',
  'modelName',
  'modelVersion',
  'basis',
  'rank',
  'flags',
  'undoesFeedbackId',
] as const;
const FEEDBACK_COLUMNS = FEEDBACK_INSERT_COLUMNS.length;
/** (user, service) pairs per look-up statement: two parameters each, as many parameters as a key chunk. */
const PAIR_CHUNK = 500;

/** A user and a service: the pair a cancel and the select it undoes share. */
export interface UserServicePair {
  readonly userId: string;
  readonly serviceId: string;
}

/** A stored select that no cancel undoes yet. */
export type SelectToUndo = Pick<Selectable<FactFeedbackTable>, 'feedbackId' | 'userId' | 'serviceId' | 'at'>;

/**
 * The SQL of the feedback loop: lists served (rec_list, rec_impression; written in batches, idempotently by
 * recommendation_id so a replayed spill file never doubles a list) and reactions (fact_feedback, append-only,
 * unique by event_id). Construct it over a transaction (`inTransaction`) to attribute and store a batch atomically.
 */
export class FeedbackRepo {
  readonly #warehouse: Pick<Warehouse, 'db' | 'dialect'>;
  /** Services shown whose agg_shown_service hours are committed (shared with the repos of its transactions). */
  readonly #shownStored: ShownKeys;

  /** `shownStored`: the cache of a repo this one works for (its transactions); a new one otherwise. */
  constructor(warehouse: Pick<Warehouse, 'db' | 'dialect'>, shownStored = new ShownKeys()) {
    this.#warehouse = warehouse;
    this.#shownStored = shownStored;
  }

  get #db(): Kysely<WarehouseDb> {
    return this.#warehouse.db;
  }

  /**
   * Runs `work` in one transaction, with a repo bound to it. A repo constructed over a transaction already (a
   * landing file's load, which commits its events with its ledger entry) runs `work` in that one.
   */
  inTransaction<T>(work: (repo: FeedbackRepo) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return work(this);
    return this.#db.transaction().execute((trx) => work(new FeedbackRepo({ db: trx, dialect: this.#warehouse.dialect }, this.#shownStored)));
  }

  /**
   * Writes served lists, each one row with its items, in one transaction, and counts them into the rollups
   * (agg_served_hour, agg_shown_service). A list already recorded (same recommendation_id) is left as it is
   * and not counted again, so writing a batch twice (a replay after a crash between write and cleanup) changes nothing.
   */
  async insertServedLists(rows: readonly ServedListRow[]): Promise<void> {
    if (rows.length === 0) return;
    // Statements prepared once per shape (the dialect's bulk path): at a few thousand lists a second, building
    // multi-row inserts in the query builder would cost as much as running them.
    const unique = firstOfEachId(rows);
    const write = (lookUp: boolean) =>
      this.inTransaction(async (repo) => {
        const fresh = lookUp ? await repo.#unrecorded(unique) : unique;
        if (fresh.length === 0) return [];
        let inserted: number | undefined = 0;
        const lists = repo.#bulk('rec_list', REC_LIST_COLUMNS, (n) => (inserted = n === undefined || inserted === undefined ? undefined : inserted + n));
        for (const row of fresh) await lists.append(recListValues(row));
        await lists.flush();
        // Without the look-up, every list must have been new: a batch written before (a replay after a crash
        // between commit and cleanup) is written again with it, so the rollups count each list once.
        if (!lookUp && inserted !== fresh.length) throw new ListsRecordedBefore();
        return repo.#rollups().addServedLists(fresh, this.#shownStored);
      });
    // Inside a caller's transaction there is no retrying on our own: look up first.
    const shown = this.#db.isTransaction
      ? await write(true)
      : await write(false).catch((error: unknown) => {
          if (error instanceof ListsRecordedBefore) return write(true);
          throw error;
        });
    // Committed now, unless this repo works inside a caller's transaction (which may still roll back).
    if (!this.#db.isTransaction) this.#shownStored.addAll(shown);
  }

  /**
   * The lists of `rows` (one per recommendation_id) not recorded yet: one primary-key look-up per thousand lists,
   * inside the writing transaction, so the rollups count exactly the lists inserted.
   */
  async #unrecorded(rows: readonly ServedListRow[]): Promise<ServedListRow[]> {
    const byId = new Map<string, ServedListRow>();
    for (const r of rows) byId.set(r.recommendationId, r);
    for (const chunk of keyChunks([...byId.keys()])) {
      const stored = await this.#db.selectFrom('recList').select('recommendationId').where('recommendationId', 'in', chunk).execute();
      for (const r of stored) byId.delete(r.recommendationId);
    }
    return [...byId.values()];
  }

  #rollups(): RollupWriter {
    return new RollupWriter({ db: this.#db, dialect: this.#warehouse.dialect });
  }

  /** A buffer of rows for a multi-row insert that keeps rows already there (by primary key); `inserted` gets each statement's count. */
  #bulk(table: string, columns: readonly string[], inserted?: (rows: number | undefined) => void): BulkBuffer {
    const { dialect } = this.#warehouse;
    const capacity = Math.max(1, Math.floor(Math.min(dialect.statementParameters, dialect.maxParameters) / columns.length));
    return new BulkBuffer(columns.length, capacity, async (n, params) =>
      inserted?.(await dialect.execBulk(this.#db, dialect.insertIgnoreSql(table, columns, n), params)),
    );
  }

  /** The recorded lists among `ids`. */
  async lists(ids: readonly string[]): Promise<ListRef[]> {
    const out: ListRef[] = [];
    for (const chunk of keyChunks([...new Set(ids)])) {
      const rows = await this.#db
        .selectFrom('recList')
        .select(['recommendationId', 'userId', 'modelName', 'registryVersion', 'basis', 'createdAt'])
        .where('recommendationId', 'in', chunk)
        .execute();
      for (const r of rows) out.push({ ...r, registryVersion: r.registryVersion === null ? null : Number(r.registryVersion) });
    }
    return out;
  }

  /** The items of the lists among `ids`: service and rank, lowest rank first within a list. */
  async impressions(ids: readonly string[]): Promise<(Pick<ShownItem, 'serviceId' | 'rank'> & { recommendationId: string })[]> {
    const out: (Pick<ShownItem, 'serviceId' | 'rank'> & { recommendationId: string })[] = [];
    for (const chunk of keyChunks([...new Set(ids)])) {
      const rows = await this.#db.selectFrom('recList').select(['recommendationId', 'items']).where('recommendationId', 'in', chunk).execute();
      for (const r of rows) for (const i of unpackShownItems(r.items)) out.push({ recommendationId: r.recommendationId, serviceId: i.serviceId, rank: i.rank });
    }
    return out;
  }

  /**
   * Lists served to any of `userIds` between `from` and `to` (inclusive) with the items among `serviceIds` they
   * showed, one row per list and item, newest list first, then by rank: the candidates of attribution by window.
   */
  async listsShowing(o: {
    userIds: readonly string[];
    serviceIds: readonly string[];
    from: string;
    to: string;
  }): Promise<(ListRef & { serviceId: string; rank: number })[]> {
    const out: (ListRef & { serviceId: string; rank: number })[] = [];
    const services = new Set(o.serviceIds);
    if (services.size === 0) return out;
    // The user's lists in the window (ix_rec_list_user_time), their items read here: a user sees a few lists a day.
    for (const users of keyChunks([...new Set(o.userIds)])) {
      const rows = await this.#db
        .selectFrom('recList')
        .select(['recommendationId', 'userId', 'modelName', 'registryVersion', 'basis', 'createdAt', 'items'])
        .where('userId', 'in', users)
        .where('createdAt', '>=', o.from)
        .where('createdAt', '<=', o.to)
        .orderBy('createdAt', 'desc')
        .execute();
      for (const { items, ...list } of rows) {
        const ref = { ...list, registryVersion: list.registryVersion === null ? null : Number(list.registryVersion) };
        for (const i of unpackShownItems(items)) if (services.has(i.serviceId)) out.push({ ...ref, serviceId: i.serviceId, rank: i.rank });
      }
    }
    return out;
  }

  /** Stored events among `eventIds`. */
  async storedEvents(eventIds: readonly string[]): Promise<StoredEventKey[]> {
    const out: StoredEventKey[] = [];
    for (const chunk of keyChunks([...new Set(eventIds)])) {
      const rows = await this.#db
        .selectFrom('factFeedback')
        .select(['feedbackId', 'eventId', 'userId', 'serviceId', 'type', 'recommendationId'])
        .where('eventId', 'in', chunk)
        .execute();
      for (const r of rows) out.push({ ...r, feedbackId: Number(r.feedbackId) });
    }
    return out;
  }

  /** Surrogate keys of the users among `userIds` that dim_user knows. */
  async userKeys(userIds: readonly string[]): Promise<Map<string, number>> {
    const keys = new Map<string, number>();
    for (const chunk of keyChunks([...new Set(userIds)])) {
      const rows = await this.#db.selectFrom('dimUser').select(['userId', 'userKey']).where('userId', 'in', chunk).execute();
      for (const r of rows) keys.set(r.userId, Number(r.userKey));
    }
    return keys;
  }

  /** Surrogate keys of the services among `serviceIds` that dim_service knows. */
  async serviceKeys(serviceIds: readonly string[]): Promise<Map<string, number>> {
    const keys = new Map<string, number>();
    for (const chunk of keyChunks([...new Set(serviceIds)])) {
      const rows = await this.#db.selectFrom('dimService').select(['serviceId', 'serviceKey']).where('serviceId', 'in', chunk).execute();
      for (const r of rows) keys.set(r.serviceId, Number(r.serviceKey));
    }
    return keys;
  }

  /** Adds the calendar rows of `dateKeys` (yyyymmdd) that dim_date lacks. */
  async ensureDates(dateKeys: readonly number[]): Promise<void> {
    const unique = [...new Set(dateKeys)];
    if (unique.length === 0) return;
    await this.#db
      .insertInto('dimDate')
      .values(unique.map((dateKey) => ({ dateKey, ...calendarOf(dateKey) })))
      .orIgnore()
      .execute();
  }

  /**
   * The selects of the (user, service) pairs in `pairs` at or before `atOrBefore` that no stored cancel undoes
   * yet, in no particular order: every select the cancels of a batch may undo, in one statement per 500 pairs
   * (the caller picks, per cancel, the latest one not taken by an earlier cancel).
   */
  async selectsToUndo(o: { pairs: readonly UserServicePair[]; atOrBefore: string }): Promise<SelectToUndo[]> {
    const out: SelectToUndo[] = [];
    const unique = [...new Map(o.pairs.map((p) => [`${p.userId}\n${p.serviceId}`, p])).values()];
    for (let i = 0; i < unique.length; i += PAIR_CHUNK) {
      const chunk = unique.slice(i, i + PAIR_CHUNK);
      const rows = await this.#db
        .selectFrom('factFeedback as s')
        .select(['s.feedbackId', 's.userId', 's.serviceId', 's.at'])
        .where((eb) => eb.or(chunk.map((p) => eb.and([eb('s.userId', '=', p.userId), eb('s.serviceId', '=', p.serviceId)]))))
        .where('s.type', '=', 'select')
        .where('s.at', '<=', o.atOrBefore)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('factFeedback as c').select('c.feedbackId').whereRef('c.undoesFeedbackId', '=', 's.feedbackId'))),
        )
        .execute();
      for (const r of rows) out.push({ ...r, feedbackId: Number(r.feedbackId) });
    }
    return out;
  }

  /**
   * Stores events (distinct event_ids) in multi-row statements and returns the feedback_id of each one stored, by
   * event_id (from the statement's own answer where the backend has `insert … returning`, else by a look-up of the
   * chunk's event_ids after each statement), and counts them into agg_feedback_hour. It stops at a statement that hits an event_id already stored (a concurrent request stored it since it
   * was looked up; that statement stores nothing): the events missing from the answer are for the caller to store
   * one by one with {@link insertEvent}.
   */
  async insertEvents(rows: readonly Insertable<FactFeedbackTable>[]): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    const per = Math.max(1, Math.floor(this.#warehouse.dialect.statementParameters / FEEDBACK_COLUMNS));
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      const returning = this.#warehouse.dialect.insertReturning;
      const insert = multiRowInsert({
        db: this.#db,
        dialect: this.#warehouse.dialect,
        table: 'factFeedback',
        // A given feedback_id is kept (a null one is generated, as when it is left out).
        columns: chunk.some((r) => r.feedbackId !== undefined) ? ['feedbackId', ...FEEDBACK_INSERT_COLUMNS] : FEEDBACK_INSERT_COLUMNS,
        rows: chunk,
        ...(returning ? { returning: ['feedbackId', 'eventId'] } : {}),
      });
      try {
        // With returning, the ids are in the insert's own answer: no second look-up. (Run as a compiled query, as
        // every chunk is: Kysely's MySQL adapter would drop the rows of `returning`, which MariaDB does answer with.)
        const { rows: returned } = await this.#db.executeQuery<{ feedbackId: number; eventId: string }>(insert);
        // The statement stored every row of the chunk (a duplicate fails it whole): count them into the rollup.
        await this.#rollups().addEvents(chunk);
        if (returning) {
          for (const r of returned) ids.set(r.eventId, Number(r.feedbackId));
          continue;
        }
      } catch (error) {
        if (this.#warehouse.dialect.isUniqueViolation(error)) return ids;
        throw error;
      }
      for (const r of await this.storedEvents(chunk.map((c) => c.eventId))) ids.set(r.eventId, r.feedbackId);
    }
    return ids;
  }

  /** Stores one event (counted into agg_feedback_hour); returns its feedback_id, or undefined when its event_id is already stored (a concurrent retry won). */
  async insertEvent(row: Insertable<FactFeedbackTable>): Promise<number | undefined> {
    try {
      const result = await this.#db.insertInto('factFeedback').values(row).executeTakeFirst();
      await this.#rollups().addEvents([row]);
      return Number(result.insertId);
    } catch (error) {
      if (this.#warehouse.dialect.isUniqueViolation(error)) return undefined;
      throw error;
    }
  }

  /** Stored events with feedback_id above `afterId`, in feedback_id order, at most `limit`: the outbox a shipper follows. */
  async eventsAfter(afterId: number, limit: number): Promise<FeedbackRow[]> {
    const rows = await this.#db.selectFrom('factFeedback').selectAll().where('feedbackId', '>', afterId).orderBy('feedbackId').limit(limit).execute();
    return rows.map(numeric);
  }

  /** Stored events of `eventIds`, in feedback_id order. */
  async events(eventIds: readonly string[]): Promise<FeedbackRow[]> {
    const out: FeedbackRow[] = [];
    for (const chunk of keyChunks([...new Set(eventIds)])) {
      const rows = await this.#db.selectFrom('factFeedback').selectAll().where('eventId', 'in', chunk).orderBy('feedbackId').execute();
      out.push(...rows.map(numeric));
    }
    return out;
  }
}

const toNumber = (v: number | null): number | null => (v === null ? null : Number(v));

function numeric(r: FeedbackRow): FeedbackRow {
  return {
    ...r,
    feedbackId: Number(r.feedbackId),
    userKey: toNumber(r.userKey),
    serviceKey: toNumber(r.serviceKey),
    dateKey: Number(r.dateKey),
    modelVersion: toNumber(r.modelVersion),
    rank: toNumber(r.rank),
    undoesFeedbackId: toNumber(r.undoesFeedbackId),
  };
}

/** Thrown inside the served lists' transaction (rolling it back) when some of them were recorded before. */
class ListsRecordedBefore extends Error {}

/** The first row of each recommendation_id, in order. */
function firstOfEachId(rows: readonly ServedListRow[]): ServedListRow[] {
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.recommendationId) && (seen.add(r.recommendationId), true));
}
