import type { Kysely } from 'kysely';
import type { ReservationStatus, WarehouseDb } from './schema.ts';

/**
 * How far into the warehouse a model's training data reached, read before the training scan. `reservationKey`
 * is the highest `fact_reservation.reservation_key` committed then: keys grow with every insert, and inserts
 * are serialised by the run lock (one ingest at a time), so every reservation inserted later has a higher key,
 * whatever file id it carries (a retried attempt re-uses its older file id; quarantined rows loaded later keep
 * theirs) and whatever any clock says. `fileId` is the newest loaded ledger file then, for people reading it.
 */
export interface ReservationWatermark {
  readonly reservationKey: number;
  readonly fileId: number | null;
}

/** A reservation inserted or changed after a watermark, with the external ids of its user and service. */
export interface FreshReservationRow {
  readonly reservationKey: number;
  readonly reservationId: string;
  readonly userId: string;
  readonly serviceId: string;
  readonly status: ReservationStatus;
  readonly rating: number | null;
  /** UTC text of the load that last wrote it. */
  readonly updatedAt: string;
}

/**
 * Which reservations one read of {@link FreshReservationRepo.newer} returns: those inserted after `afterKey` (the
 * model's watermark) and, among them, inserted after `seenKey` or changed after `seenUpdatedAt` (what a previous
 * read saw; null: no previous read). Rows come in key order from `fromKey` on (pages).
 */
export interface FreshReservationQuery {
  readonly afterKey: number;
  readonly seenKey: number;
  readonly seenUpdatedAt: string | null;
  /** Page start: rows with a key above it (at least `afterKey`). */
  readonly fromKey?: number;
  /** Only this user's reservations. */
  readonly userId?: string;
  readonly limit: number;
}

/**
 * Reads of the reservations newer than a model's data, for fresh lists without retraining: the watermark a
 * training run records, a cheap mark of change (a refresh reads facts only when it moved), and the rows
 * themselves. The row read is a range of the primary key (rows inserted since training), so its cost grows with
 * what arrived since the model was trained, not with the warehouse. `*Query` methods build without running.
 */
export class FreshReservationRepo {
  readonly #db: Kysely<WarehouseDb>;
  constructor(db: Kysely<WarehouseDb>) {
    this.#db = db;
  }

  watermarkQuery() {
    return this.#db.selectNoFrom((eb) => [
      eb
        .selectFrom('factReservation')
        .select((e) => e.fn.max('reservationKey').as('k'))
        .as('reservationKey'),
      eb
        .selectFrom('ingestFile')
        .select((e) => e.fn.max('fileId').as('f'))
        .where('status', '=', 'loaded')
        .as('fileId'),
    ]);
  }

  /** The warehouse's watermark now (0 / null on an empty warehouse). */
  async watermark(): Promise<ReservationWatermark> {
    const row = await this.watermarkQuery().executeTakeFirst();
    return { reservationKey: Number(row?.reservationKey ?? 0), fileId: row?.fileId == null ? null : Number(row.fileId) };
  }

  changeMarkQuery() {
    return this.#db.selectNoFrom((eb) => [
      eb
        .selectFrom('factReservation')
        .select((e) => e.fn.max('reservationKey').as('k'))
        .as('reservationKey'),
      eb
        .selectFrom('ingestFile')
        .select((e) => e.fn.max('finishedAt').as('f'))
        .as('finishedAt'),
    ]);
  }

  /**
   * Text that changes whenever reservations may have been inserted or changed: the highest reservation key and
   * the ledger's newest finish (every file load sets it in the transaction that writes its rows). Two index reads.
   */
  async changeMark(): Promise<string> {
    const row = await this.changeMarkQuery().executeTakeFirst();
    return `${String(row?.reservationKey ?? 0)}|${String(row?.finishedAt ?? '')}`;
  }

  keyAtQuery(updatedAt: string) {
    return this.#db
      .selectFrom('factReservation')
      .select((eb) => eb.fn.max('reservationKey').as('k'))
      .where('updatedAt', '<=', updatedAt);
  }

  /**
   * The highest key among reservations last written at or before `updatedAt`: the watermark of a model that did
   * not record one, from its training time (a full scan, once per such model). Reservations written before
   * training and changed since count as newer.
   */
  async keyAt(updatedAt: string): Promise<number> {
    return Number((await this.keyAtQuery(updatedAt).executeTakeFirst())?.k ?? 0);
  }

  newerQuery(q: FreshReservationQuery) {
    const from = Math.max(q.afterKey, q.fromKey ?? q.afterKey);
    let query = this.#db
      .selectFrom('factReservation as r')
      .innerJoin('dimUser as u', 'u.userKey', 'r.userKey')
      .innerJoin('dimService as s', 's.serviceKey', 'r.serviceKey')
      .select(['r.reservationKey', 'r.reservationId', 'u.userId', 's.serviceId', 'r.status', 'r.rating', 'r.updatedAt']);
    const seenUpdatedAt = q.seenUpdatedAt;
    if (seenUpdatedAt === null) query = query.where('r.reservationKey', '>', Math.max(from, q.seenKey));
    else
      query = query.where('r.reservationKey', '>', from).where((eb) => eb.or([eb('r.reservationKey', '>', q.seenKey), eb('r.updatedAt', '>', seenUpdatedAt)]));
    if (q.userId !== undefined) query = query.where('u.userId', '=', q.userId);
    return query.orderBy('r.reservationKey').limit(q.limit);
  }

  /** One page of the reservations `q` describes, in key order (the next page starts after the last key). */
  async newer(q: FreshReservationQuery): Promise<FreshReservationRow[]> {
    return (await this.newerQuery(q).execute()).map((r) => ({
      reservationKey: Number(r.reservationKey),
      reservationId: r.reservationId,
      userId: r.userId,
      serviceId: r.serviceId,
      status: r.status,
      rating: r.rating === null ? null : Number(r.rating),
      updatedAt: String(r.updatedAt),
    }));
  }
}
