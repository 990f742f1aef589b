import type { Kysely } from 'kysely';
import type { WarehouseDialect } from './dialects/warehouse-dialect.ts';
import type { WarehouseDb } from './schema.ts';

/** One reservation as the interaction log reads it: user key, service key, status, rating, reserved_at. */
export type InteractionTuple = readonly [userKey: number, serviceKey: number, status: string, rating: number | null, reservedAt: string];

/**
 * What the interaction log (the training input) reads: users and services in key order, and every reservation
 * per user in time order, streamed as arrays. `*Query` methods build without running, for compiled-SQL tests.
 */
export class InteractionRepo {
  readonly #db: Kysely<WarehouseDb>;
  readonly #dialect: WarehouseDialect;
  constructor(db: Kysely<WarehouseDb>, dialect: WarehouseDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  usersQuery() {
    return this.#db.selectFrom('dimUser').select(['userKey', 'userId', 'regionKey']).orderBy('userKey');
  }

  async users(): Promise<{ userKey: number; userId: string; regionKey: number | null }[]> {
    return (await this.usersQuery().execute()).map((r) => ({
      userKey: Number(r.userKey),
      userId: r.userId,
      regionKey: r.regionKey === null ? null : Number(r.regionKey),
    }));
  }

  servicesQuery() {
    return this.#db.selectFrom('dimService').select(['serviceKey', 'serviceId']).orderBy('serviceKey');
  }

  async services(): Promise<{ serviceKey: number; serviceId: string }[]> {
    return (await this.servicesQuery().execute()).map((r) => ({ serviceKey: Number(r.serviceKey), serviceId: r.serviceId }));
  }

  newestReservationQuery() {
    return this.#db.selectFrom('factReservation').select((eb) => eb.fn.max('reservedAt').as('t'));
  }

  async newestReservation(): Promise<string | null> {
    return (await this.newestReservationQuery().executeTakeFirst())?.t ?? null;
  }

  interactionsQuery(since?: string) {
    let query = this.#db.selectFrom('factReservation').select(['userKey', 'serviceKey', 'status', 'rating', 'reservedAt']);
    if (since !== undefined) query = query.where('reservedAt', '>=', since);
    return query.orderBy('userKey').orderBy('reservedAt');
  }

  /** Every reservation (from `since` on), per user in time order, handed to `onRow` as it streams in. */
  async scanInteractions(since: string | undefined, onRow: (row: InteractionTuple) => void): Promise<void> {
    await this.#dialect.scanRows(this.#db, this.interactionsQuery(since).compile(), onRow as (row: readonly unknown[]) => void);
  }
}
