import { sql, type Kysely } from 'kysely';
import type { WarehouseDb } from './schema.ts';

/**
 * Star keys of reactions stored before their user or service reached the warehouse (catalogues lag behind apps):
 * once the dimension row exists, the event's key is filled in, so queries joining dim_user or dim_service (the
 * region of a user, the category of a service) count it. The flags it was stored with (UNKNOWN_USER,
 * UNKNOWN_SERVICE) stay: they record what was known when it arrived.
 */
export class FeedbackKeysRepo {
  readonly #db: Kysely<WarehouseDb>;

  constructor(db: Kysely<WarehouseDb>) {
    this.#db = db;
  }

  fillUserKeysQuery() {
    return this.#db
      .updateTable('factFeedback')
      .set((eb) => ({ userKey: eb.selectFrom('dimUser').select('dimUser.userKey').whereRef('dimUser.userId', '=', 'factFeedback.userId') }))
      .where('factFeedback.userKey', 'is', null)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('dimUser')
            .select(sql<number>`1`.as('one'))
            .whereRef('dimUser.userId', '=', 'factFeedback.userId'),
        ),
      );
  }

  fillServiceKeysQuery() {
    return this.#db
      .updateTable('factFeedback')
      .set((eb) => ({
        serviceKey: eb.selectFrom('dimService').select('dimService.serviceKey').whereRef('dimService.serviceId', '=', 'factFeedback.serviceId'),
      }))
      .where('factFeedback.serviceKey', 'is', null)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('dimService')
            .select(sql<number>`1`.as('one'))
            .whereRef('dimService.serviceId', '=', 'factFeedback.serviceId'),
        ),
      );
  }

  /** Fills the keys the dimensions now have; returns how many events got a user key and a service key. */
  async fillKeys(): Promise<{ users: number; services: number }> {
    const users = await this.fillUserKeysQuery().executeTakeFirst();
    const services = await this.fillServiceKeysQuery().executeTakeFirst();
    return { users: Number(users.numUpdatedRows), services: Number(services.numUpdatedRows) };
  }
}
