import type { Kysely, Transaction } from 'kysely';
import type { WarehouseDb } from './schema.ts';

type Db = Kysely<WarehouseDb> | Transaction<WarehouseDb>;

/** A bookable service as recommendations show it beside its id. */
export interface ServiceRow {
  readonly serviceId: string;
  readonly name: string;
  readonly category: string;
  /** Null when the services file left the region empty. */
  readonly region: string | null;
}

/**
 * Everything the category/region filters and the names beside ids need, read in one go: every service, and
 * every category and region name the warehouse knows (also those without a service, so that a filter on a
 * known but empty category can be told apart from a typo).
 */
export interface ServiceCatalogRows {
  readonly services: readonly ServiceRow[];
  readonly categories: readonly string[];
  readonly regions: readonly string[];
}

/**
 * The reads of the recommendation side (CLI and API) on the service and user dimensions: the service
 * catalog, a user's region (for popular-in-region) and the readiness probe.
 */
export class ServiceRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Every service with its name, category and region (in key order), and every category and region name. */
  async catalog(): Promise<ServiceCatalogRows> {
    const services = await this.#db
      .selectFrom('dimService as s')
      .innerJoin('dimCategory as c', 'c.categoryKey', 's.categoryKey')
      .leftJoin('dimRegion as r', 'r.regionKey', 's.regionKey')
      .select(['s.serviceId', 's.name', 'c.categoryName as category', 'r.regionName as region'])
      .orderBy('s.serviceKey')
      .execute();
    const categories = await this.#db.selectFrom('dimCategory').select('categoryName').orderBy('categoryName').execute();
    const regions = await this.#db.selectFrom('dimRegion').select('regionName').orderBy('regionName').execute();
    return { services, categories: categories.map((c) => c.categoryName), regions: regions.map((r) => r.regionName) };
  }

  /** The region of a user the warehouse knows; undefined for an unknown user or one without a region. */
  async userRegion(userId: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('dimUser as u')
      .innerJoin('dimRegion as r', 'r.regionKey', 'u.regionKey')
      .select('r.regionName')
      .where('u.userId', '=', userId)
      .executeTakeFirst();
    return row?.regionName;
  }

  /**
   * A real query over the tables the recommendation side reads (one row at most): throws when the database
   * is unreachable or its schema is not the warehouse's.
   */
  async probe(): Promise<void> {
    await this.#db
      .selectFrom('dimService as s')
      .innerJoin('dimCategory as c', 'c.categoryKey', 's.categoryKey')
      .select(['s.serviceKey', 'c.categoryName'])
      .limit(1)
      .execute();
  }
}
