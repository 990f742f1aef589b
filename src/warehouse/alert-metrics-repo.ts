import type { Kysely } from 'kysely';
import type { WarehouseDb } from './schema.ts';

/** The model that served a list: registry name and version. */
export interface ServedModelRef {
  readonly name: string;
  readonly version: number;
}

/**
 * What alert rules read from the warehouse besides the feedback metrics (FeedbackStatsRepo) and the newest
 * reservation (StatusRepo): ingest failures in a window, and the model behind the latest attributed feedback.
 */
export class AlertMetricsRepo {
  readonly #db: Kysely<WarehouseDb>;
  constructor(warehouse: { readonly db: Kysely<WarehouseDb> }) {
    this.#db = warehouse.db;
  }

  ledgerCountQuery(status: 'failed' | 'rejected', since: string) {
    return this.#db
      .selectFrom('ingestFile')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', status)
      .where('detectedAt', '>=', since);
  }

  /** Ledger entries (landing file versions) with `status` first seen at or after `since` (UTC text). */
  async ledgerCount(status: 'failed' | 'rejected', since: string): Promise<number> {
    return Number((await this.ledgerCountQuery(status, since).executeTakeFirst())?.n ?? 0);
  }

  latestAttributedModelQuery(since: string) {
    return this.#db
      .selectFrom('factFeedback')
      .select(['modelName', 'modelVersion'])
      .where('modelName', 'is not', null)
      .where('modelVersion', 'is not', null)
      .where('at', '>=', since)
      .orderBy('at', 'desc')
      .orderBy('feedbackId', 'desc')
      .limit(1);
  }

  /** The model (name, version) of the newest feedback event attributed to a list at or after `since`, if any. */
  async latestAttributedModel(since: string): Promise<ServedModelRef | undefined> {
    const row = await this.latestAttributedModelQuery(since).executeTakeFirst();
    return row?.modelName == null || row.modelVersion == null ? undefined : { name: row.modelName, version: Number(row.modelVersion) };
  }
}
