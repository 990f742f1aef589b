import type { Kysely, Transaction } from 'kysely';
import type { LandingKind, WarehouseDb } from './schema.ts';

type Db = Kysely<WarehouseDb> | Transaction<WarehouseDb>;

/** A reservation waiting in `ingest_pending_row` for its user or service, as uploaded. */
export interface PendingReservation {
  readonly fileId: number;
  readonly lineNo: number;
  readonly code: string;
  readonly reason: string;
  readonly reservationId: string;
  readonly userId: string;
  readonly serviceId: string;
  readonly status: string;
  readonly reservedAt: string;
  readonly rating: string;
}

/** The table each kind of landing file loads into. */
const TABLE_OF_KIND = { users: 'dimUser', services: 'dimService', reservations: 'factReservation', feedback: 'factFeedback' } as const;

/** Pending rows per insert statement (12 columns: well inside every backend's parameter limit). */
const PENDING_PER_STATEMENT = 500;

/**
 * The loader's queries besides the bulk writes (those are {@link StarWriter}'s): rows per table (new vs
 * updated rows of a load), the pending reservations of `pickwise ingest --retry-quarantine`, and the
 * reservations a later file has already set. `*Query` methods build without running, for compiled-SQL tests.
 */
export class IngestRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  countRowsQuery(kind: LandingKind) {
    return this.#db.selectFrom(TABLE_OF_KIND[kind]).select((eb) => eb.fn.countAll<number>().as('n'));
  }

  /** Rows of the table a kind of file loads into. */
  async countRows(kind: LandingKind): Promise<number> {
    return Number((await this.countRowsQuery(kind).executeTakeFirstOrThrow()).n);
  }

  highestReservationKeyQuery() {
    return this.#db.selectFrom('factReservation').select((eb) => eb.fn.max('reservationKey').as('n'));
  }

  /** The highest `reservation_key`, about the number of facts (0 when there are none). */
  async highestReservationKey(): Promise<number> {
    return Number((await this.highestReservationKeyQuery().executeTakeFirst())?.n ?? 0);
  }

  clearPendingQuery(fileId: number) {
    return this.#db.deleteFrom('ingestPendingRow').where('fileId', '=', fileId);
  }

  /** Forgets the pending rows of a file version (a retried load of it writes them again). */
  async clearPending(fileId: number): Promise<void> {
    await this.clearPendingQuery(fileId).execute();
  }

  insertPendingQuery(rows: readonly PendingReservation[], createdAt: string) {
    return this.#db.insertInto('ingestPendingRow').values(rows.map((r) => ({ ...r, createdAt })));
  }

  async insertPending(rows: readonly PendingReservation[], createdAt: string): Promise<void> {
    for (let i = 0; i < rows.length; i += PENDING_PER_STATEMENT) await this.insertPendingQuery(rows.slice(i, i + PENDING_PER_STATEMENT), createdAt).execute();
  }

  pendingQuery() {
    return this.#db
      .selectFrom('ingestPendingRow')
      .select(['pendingKey', 'fileId', 'lineNo', 'code', 'reason', 'reservationId', 'userId', 'serviceId', 'status', 'reservedAt', 'rating'])
      .orderBy('fileId')
      .orderBy('lineNo');
  }

  /** Every pending reservation, in file and line order, with its `pendingKey`. */
  async pending(): Promise<(PendingReservation & { pendingKey: number })[]> {
    return (await this.pendingQuery().execute()).map((r) => ({ ...r, pendingKey: Number(r.pendingKey), fileId: Number(r.fileId), lineNo: Number(r.lineNo) }));
  }

  deletePendingQuery(pendingKeys: readonly number[]) {
    return this.#db.deleteFrom('ingestPendingRow').where('pendingKey', 'in', pendingKeys);
  }

  /** Deletes pending rows by key (at most a key chunk at a time). */
  async deletePending(pendingKeys: readonly number[]): Promise<void> {
    if (pendingKeys.length > 0) await this.deletePendingQuery(pendingKeys).execute();
  }

  setByLaterFileQuery(reservationIds: readonly string[], fileId: number) {
    return this.#db.selectFrom('factReservation').select('reservationId').where('reservationId', 'in', reservationIds).where('sourceFileId', '>', fileId);
  }

  /** Which of these reservations a file newer than `fileId` has already written (at most a key chunk at a time). */
  async setByLaterFile(reservationIds: readonly string[], fileId: number): Promise<string[]> {
    if (reservationIds.length === 0) return [];
    return (await this.setByLaterFileQuery(reservationIds, fileId).execute()).map((r) => r.reservationId);
  }
}
