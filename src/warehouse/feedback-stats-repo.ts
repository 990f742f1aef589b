import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Warehouse } from './open-warehouse.ts';
import type { WarehouseDb } from './schema.ts';

/** How feedback statistics are grouped: the model (name and registry version), the list's basis, the user's region. */
export type FeedbackStatsBy = 'model' | 'basis' | 'region';

/** The satisfaction metrics of a set of events: counts and the rates made of them (null when a denominator is 0). */
export interface SatisfactionValues {
  readonly impressions: number;
  readonly selects: number;
  readonly cancels: number;
  /** selects / impressions */
  readonly selectRate: number | null;
  /** cancels / selects */
  readonly cancelRate: number | null;
  /** (selects − cancels) / (selects + cancels) */
  readonly netSatisfaction: number | null;
}

/** {@link SatisfactionValues} with the other reaction types and the unattributed share, as summaries show them. */
export interface FeedbackSummaryValues extends SatisfactionValues {
  readonly reserves: number;
  readonly completes: number;
  /** events attributed to no list / events */
  readonly unattributedShare: number | null;
}

/** One group's feedback metrics. */
export interface FeedbackStatsRow extends SatisfactionValues {
  /** The model name (with `modelVersion`), basis or region; null for events without one (unattributed, unknown user). */
  readonly group: string | null;
  readonly modelVersion: number | null;
  readonly events: number;
  /** events attributed to no list / events */
  readonly unattributedShare: number | null;
}

const ratio = (numerator: Expression<number>, denominator: Expression<number>) => sql<number | null>`(${numerator}) * 1e0 / nullif(${denominator}, 0)`;

/** The counts the feedback ratios are made of, as SQL aggregate expressions over some table of events. */
export interface FeedbackCounts {
  readonly events: RawBuilder<number>;
  readonly impressions: RawBuilder<number>;
  readonly selects: RawBuilder<number>;
  readonly cancels: RawBuilder<number>;
  /** Events attributed to no list. */
  readonly unattributed: RawBuilder<number>;
}

/**
 * The feedback metrics over `counts`, each ratio defined once, here: select rate = selects / impressions, cancel
 * rate = cancels / selects, net satisfaction = (selects − cancels) / (selects + cancels), unattributed share =
 * unattributed / events; null where the denominator is 0. Applied to fact_feedback ({@link FEEDBACK_METRICS}) and to
 * the hourly rollup ({@link ROLLUP_FEEDBACK_METRICS}).
 */
export function feedbackMetrics(counts: FeedbackCounts) {
  const { events, impressions, selects, cancels, unattributed } = counts;
  return {
    events,
    impressions,
    selects,
    cancels,
    selectRate: ratio(selects, impressions),
    cancelRate: ratio(cancels, selects),
    netSatisfaction: ratio(sql<number>`${selects} - ${cancels}`, sql<number>`${selects} + ${cancels}`),
    unattributedShare: ratio(unattributed, events),
  } as const;
}

const countOf = (type: string) => sql<number>`sum(case when ${sql.ref('f.type')} = ${type} then 1 else 0 end)`;

/**
 * The feedback metrics as SQL over fact_feedback (alias `f`): `pickwise feedback stats` and any later monitoring
 * read them from this one place.
 */
export const FEEDBACK_METRICS = feedbackMetrics({
  events: sql<number>`count(*)`,
  impressions: countOf('impression'),
  selects: countOf('select'),
  cancels: countOf('cancel'),
  unattributed: sql<number>`sum(case when ${sql.ref('f.attribution')} = ${'none'} then 1 else 0 end)`,
});

/** Events of one type in agg_feedback_hour rows (alias `a`), summed. */
export const rollupCountOf = (type: string) => sql<number>`sum(case when ${sql.ref('a.type')} = ${type} then ${sql.ref('a.events')} else 0 end)`;

/** The same metrics over agg_feedback_hour (alias `a`): the rows of a window of hours, summed. */
export const ROLLUP_FEEDBACK_METRICS = feedbackMetrics({
  events: sql<number>`sum(${sql.ref('a.events')})`,
  impressions: rollupCountOf('impression'),
  selects: rollupCountOf('select'),
  cancels: rollupCountOf('cancel'),
  unattributed: sql<number>`sum(${sql.ref('a.unattributed')})`,
});

/** Feedback metrics over fact_feedback, overall or by model, basis or region. */
export class FeedbackStatsRepo {
  readonly #db: Kysely<WarehouseDb>;

  constructor(warehouse: Pick<Warehouse, 'db'>) {
    this.#db = warehouse.db;
  }

  /** The metrics of the events at or after `since` (UTC text), one row per group (one row overall without `by`). */
  async stats(o: { since: string; by?: FeedbackStatsBy | undefined }): Promise<FeedbackStatsRow[]> {
    const m = FEEDBACK_METRICS;
    const metrics = [
      m.events.as('events'),
      m.impressions.as('impressions'),
      m.selects.as('selects'),
      m.cancels.as('cancels'),
      m.selectRate.as('selectRate'),
      m.cancelRate.as('cancelRate'),
      m.netSatisfaction.as('netSatisfaction'),
      m.unattributedShare.as('unattributedShare'),
    ];
    const since = (eb: { ref: (c: 'f.at') => Expression<string> }): Expression<SqlBool> => sql<SqlBool>`${eb.ref('f.at')} >= ${o.since}`;
    const base = this.#db.selectFrom('factFeedback as f');
    const rows =
      o.by === 'model'
        ? await base
            .select(['f.modelName as group', 'f.modelVersion'])
            .select(metrics)
            .where(since)
            .groupBy(['f.modelName', 'f.modelVersion'])
            .orderBy('f.modelName')
            .orderBy('f.modelVersion')
            .execute()
        : o.by === 'basis'
          ? await base
              .select(['f.basis as group', sql<null>`null`.as('modelVersion')])
              .select(metrics)
              .where(since)
              .groupBy('f.basis')
              .orderBy('f.basis')
              .execute()
          : o.by === 'region'
            ? await base
                .leftJoin('dimUser as u', 'u.userKey', 'f.userKey')
                .leftJoin('dimRegion as r', 'r.regionKey', 'u.regionKey')
                .select(['r.regionName as group', sql<null>`null`.as('modelVersion')])
                .select(metrics)
                .where(since)
                .groupBy('r.regionName')
                .orderBy('r.regionName')
                .execute()
            : await base
                .select([sql<null>`null`.as('group'), sql<null>`null`.as('modelVersion')])
                .select(metrics)
                .where(since)
                .execute();
    const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
    return rows
      .filter((r) => Number(r.events) > 0)
      .map((r) => ({
        group: r.group ?? null,
        modelVersion: num(r.modelVersion),
        events: Number(r.events),
        impressions: Number(r.impressions),
        selects: Number(r.selects),
        cancels: Number(r.cancels),
        selectRate: num(r.selectRate),
        cancelRate: num(r.cancelRate),
        netSatisfaction: num(r.netSatisfaction),
        unattributedShare: num(r.unattributedShare),
      }));
  }
}
