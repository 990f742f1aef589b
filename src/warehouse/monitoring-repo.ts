import { sql, type Kysely, type RawBuilder } from 'kysely';
import { ROLLUP_FEEDBACK_METRICS, rollupCountOf, type FeedbackSummaryValues, type SatisfactionValues } from './feedback-stats-repo.ts';
import type { Warehouse } from './open-warehouse.ts';
import type { WarehouseDb } from './schema.ts';

/** Whole UTC hours from `fromHour` to `toHour` (yyyymmddhh keys), both included. */
export interface HourRange {
  readonly fromHour: number;
  readonly toHour: number;
}

/** A model version as the rollups key it: '' and 0 when none (unattributed events, lists without a registry name). */
export interface RollupModelKey {
  readonly modelName: string;
  readonly version: number;
}

/** The feedback of one model version and basis over a range of hours. Rates are null when their denominator is 0. */
export interface FeedbackGroupRow extends RollupModelKey, FeedbackSummaryValues {
  readonly basis: string;
  readonly events: number;
}

/** Lists served and items shown by one model version and basis over a range of hours. */
export interface ServedGroupRow extends RollupModelKey {
  readonly basis: string;
  readonly lists: number;
  readonly items: number;
}

/** One bucket (hour or day, starting at `bucketKey`: yyyymmddhh, hh = 00 for a day) of a model version's satisfaction. */
export interface SatisfactionPointRow extends RollupModelKey, SatisfactionValues {
  readonly bucketKey: number;
}

/** Events of one type by one model version over a range of hours. */
export interface FunnelRow extends RollupModelKey {
  readonly type: string;
  readonly events: number;
}

const num = (v: unknown): number => Number(v ?? 0);
const rate = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * The reads behind the dashboard and /metrics, all over the rollups (agg_feedback_hour, agg_served_hour,
 * agg_shown_service) so their cost follows the hours and model versions asked for, not the facts stored.
 * The ratios are the ones `pickwise feedback stats` computes over fact_feedback (ROLLUP_FEEDBACK_METRICS).
 */
export class MonitoringRepo {
  readonly #db: Kysely<WarehouseDb>;

  constructor(warehouse: Pick<Warehouse, 'db'>) {
    this.#db = warehouse.db;
  }

  feedbackGroupsQuery(range: HourRange) {
    const m = ROLLUP_FEEDBACK_METRICS;
    return this.#db
      .selectFrom('aggFeedbackHour as a')
      .select(['a.modelName', 'a.modelVersion', 'a.basis'])
      .select([
        m.events.as('events'),
        m.impressions.as('impressions'),
        m.selects.as('selects'),
        m.cancels.as('cancels'),
        rollupCountOf('reserve').as('reserves'),
        rollupCountOf('complete').as('completes'),
        m.selectRate.as('selectRate'),
        m.cancelRate.as('cancelRate'),
        m.netSatisfaction.as('netSatisfaction'),
        m.unattributedShare.as('unattributedShare'),
      ])
      .where('a.hourKey', '>=', range.fromHour)
      .where('a.hourKey', '<=', range.toHour)
      .groupBy(['a.modelName', 'a.modelVersion', 'a.basis'])
      .orderBy('a.modelName')
      .orderBy('a.modelVersion')
      .orderBy('a.basis');
  }

  /** Feedback by model version and basis over `range`. */
  async feedbackGroups(range: HourRange): Promise<FeedbackGroupRow[]> {
    const rows = await this.feedbackGroupsQuery(range).execute();
    return rows.map((r) => ({
      modelName: r.modelName,
      version: num(r.modelVersion),
      basis: r.basis,
      events: num(r.events),
      impressions: num(r.impressions),
      selects: num(r.selects),
      cancels: num(r.cancels),
      reserves: num(r.reserves),
      completes: num(r.completes),
      selectRate: rate(r.selectRate),
      cancelRate: rate(r.cancelRate),
      netSatisfaction: rate(r.netSatisfaction),
      unattributedShare: rate(r.unattributedShare),
    }));
  }

  servedGroupsQuery(range: HourRange) {
    return this.#db
      .selectFrom('aggServedHour as s')
      .select(['s.modelName', 's.registryVersion', 's.basis'])
      .select((eb) => [eb.fn.sum<number>('s.lists').as('lists'), eb.fn.sum<number>('s.items').as('items')])
      .where('s.hourKey', '>=', range.fromHour)
      .where('s.hourKey', '<=', range.toHour)
      .groupBy(['s.modelName', 's.registryVersion', 's.basis'])
      .orderBy('s.modelName')
      .orderBy('s.registryVersion')
      .orderBy('s.basis');
  }

  /** Lists served and items shown by model version and basis over `range`. */
  async servedGroups(range: HourRange): Promise<ServedGroupRow[]> {
    const rows = await this.servedGroupsQuery(range).execute();
    return rows.map((r) => ({ modelName: r.modelName, version: num(r.registryVersion), basis: r.basis, lists: num(r.lists), items: num(r.items) }));
  }

  shownServicesQuery(range: HourRange) {
    return this.#db
      .selectFrom('aggShownService as s')
      .select(['s.modelName', 's.registryVersion'])
      .select((eb) => eb.fn.countAll<number>().as('services'))
      .where('s.lastHour', '>=', range.fromHour)
      .where('s.lastHour', '<=', range.toHour)
      .groupBy(['s.modelName', 's.registryVersion']);
  }

  /**
   * Services each model version showed last within `range`: for a window ending now (the dashboard's), the distinct
   * services it showed in the window. A range of ix_agg_shown_service_recent (closed on both ends, so SQLite
   * chooses it without statistics) instead of a distinct count over the window's facts.
   */
  async shownServices(range: HourRange): Promise<(RollupModelKey & { services: number })[]> {
    const rows = await this.shownServicesQuery(range).execute();
    return rows.map((r) => ({ modelName: r.modelName, version: num(r.registryVersion), services: num(r.services) }));
  }

  catalogueSizeQuery() {
    return this.#db.selectFrom('dimService').select((eb) => eb.fn.countAll<number>().as('n'));
  }

  /** Services in dim_service: the denominator of catalogue coverage. */
  async catalogueSize(): Promise<number> {
    return num((await this.catalogueSizeQuery().executeTakeFirst())?.n);
  }

  satisfactionQuery(o: HourRange & { bucket: 'hour' | 'day' }) {
    const m = ROLLUP_FEEDBACK_METRICS;
    // A day's bucket is its hour 00: yyyymmddhh − hh.
    const bucket: RawBuilder<number> =
      o.bucket === 'hour' ? sql<number>`${sql.ref('a.hourKey')}` : sql<number>`${sql.ref('a.hourKey')} - ${sql.ref('a.hourKey')} % 100`;
    return this.#db
      .selectFrom('aggFeedbackHour as a')
      .select(['a.modelName', 'a.modelVersion', bucket.as('bucketKey')])
      .select([
        m.impressions.as('impressions'),
        m.selects.as('selects'),
        m.cancels.as('cancels'),
        m.selectRate.as('selectRate'),
        m.cancelRate.as('cancelRate'),
        m.netSatisfaction.as('netSatisfaction'),
      ])
      .where('a.hourKey', '>=', o.fromHour)
      .where('a.hourKey', '<=', o.toHour)
      .groupBy(['a.modelName', 'a.modelVersion', bucket])
      .orderBy('a.modelName')
      .orderBy('a.modelVersion')
      .orderBy(bucket);
  }

  /** Satisfaction by model version and hour or day over `range`, buckets without events left out. */
  async satisfaction(o: HourRange & { bucket: 'hour' | 'day' }): Promise<SatisfactionPointRow[]> {
    const rows = await this.satisfactionQuery(o).execute();
    return rows.map((r) => ({
      modelName: r.modelName,
      version: num(r.modelVersion),
      bucketKey: num(r.bucketKey),
      impressions: num(r.impressions),
      selects: num(r.selects),
      cancels: num(r.cancels),
      selectRate: rate(r.selectRate),
      cancelRate: rate(r.cancelRate),
      netSatisfaction: rate(r.netSatisfaction),
    }));
  }

  funnelQuery(range: HourRange) {
    return this.#db
      .selectFrom('aggFeedbackHour as a')
      .select(['a.modelName', 'a.modelVersion', 'a.type'])
      .select((eb) => eb.fn.sum<number>('a.events').as('events'))
      .where('a.hourKey', '>=', range.fromHour)
      .where('a.hourKey', '<=', range.toHour)
      .groupBy(['a.modelName', 'a.modelVersion', 'a.type'])
      .orderBy('a.modelName')
      .orderBy('a.modelVersion')
      .orderBy('a.type');
  }

  /** Events by model version and type over `range`. */
  async funnel(range: HourRange): Promise<FunnelRow[]> {
    const rows = await this.funnelQuery(range).execute();
    return rows.map((r) => ({ modelName: r.modelName, version: num(r.modelVersion), type: r.type, events: num(r.events) }));
  }
}
