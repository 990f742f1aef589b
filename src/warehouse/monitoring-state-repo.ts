import type { Kysely } from 'kysely';
import type { Warehouse } from './open-warehouse.ts';
import type { IngestFileStatus, RegistryEventTable, WarehouseDb } from './schema.ts';

/** A landing file's ledger entry, as pipeline health reads it. */
export interface IngestEntryRow {
  readonly detectedAt: string;
  readonly finishedAt: string | null;
  readonly status: IngestFileStatus;
  readonly rowsOk: number;
  readonly rowsRejected: number;
  /** JSON object: reject code → count. */
  readonly rejectsByCode: string;
  readonly quarantined: boolean;
}

/** A registered version with the hold-out metrics its training run logged (null when it logged none). */
export interface RegisteredVersionRow {
  readonly modelName: string;
  readonly version: number;
  readonly status: string;
  readonly createdAt: string;
  /** `holdout.ndcg`: the model's NDCG@k on the hold-out split (k = `holdout.k`, 10 by default). */
  readonly holdoutNdcg: number | null;
  /** `popularity.ndcg`: the popularity baseline's on the same split. */
  readonly popularityNdcg: number | null;
}

/** A registry change, newest first. */
export interface RegistryChangeRow {
  readonly modelName: string;
  readonly action: RegistryEventTable['action'];
  readonly version: number | null;
  readonly alias: string | null;
  readonly actor: string;
  readonly reason: string;
  readonly at: string;
}

const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * What the dashboard's pipeline and registry parts read: the ingest ledger, the newest reservation and feature
 * snapshot, tuning trials running, and every registered version with its run's offline metrics. Each read is one
 * indexed or small-table statement.
 */
export class MonitoringStateRepo {
  readonly #db: Kysely<WarehouseDb>;

  constructor(warehouse: Pick<Warehouse, 'db'>) {
    this.#db = warehouse.db;
  }

  newestIngestQuery() {
    return this.#db.selectFrom('ingestFile').select((eb) => eb.fn.max('detectedAt').as('at'));
  }

  /** When the newest landing file was seen (null before the first ingest). */
  async newestIngestAt(): Promise<string | null> {
    return (await this.newestIngestQuery().executeTakeFirst())?.at ?? null;
  }

  ingestEntriesQuery(since: string) {
    return this.#db
      .selectFrom('ingestFile')
      .select(['detectedAt', 'finishedAt', 'status', 'rowsOk', 'rowsRejected', 'rejectsByCode', 'quarantineKey'])
      .where('detectedAt', '>=', since)
      .orderBy('fileId');
  }

  /** Ledger entries seen at or after `since` (UTC text). */
  async ingestEntries(since: string): Promise<IngestEntryRow[]> {
    const rows = await this.ingestEntriesQuery(since).execute();
    return rows.map((r) => ({
      detectedAt: r.detectedAt,
      finishedAt: r.finishedAt,
      status: r.status,
      rowsOk: Number(r.rowsOk),
      rowsRejected: Number(r.rowsRejected),
      rejectsByCode: r.rejectsByCode,
      quarantined: r.quarantineKey !== null,
    }));
  }

  newestReservationQuery() {
    return this.#db.selectFrom('factReservation').select((eb) => eb.fn.max('reservedAt').as('at'));
  }

  /** The newest `reserved_at` (null without reservations): how fresh the data is. */
  async newestReservationAt(): Promise<string | null> {
    return (await this.newestReservationQuery().executeTakeFirst())?.at ?? null;
  }

  newestSnapshotQuery() {
    return this.#db.selectFrom('featSnapshot').select((eb) => eb.fn.max('builtAt').as('at'));
  }

  /** When the newest feature snapshot was built (null before the first). */
  async newestSnapshotBuiltAt(): Promise<string | null> {
    return (await this.newestSnapshotQuery().executeTakeFirst())?.at ?? null;
  }

  runningStudiesQuery() {
    return this.#db
      .selectFrom('tuneTrial')
      .select((eb) => eb.fn.count<number>('studyId').distinct().as('n'))
      .where('state', '=', 'running');
  }

  /** Tuning studies with a trial running. */
  async runningStudies(): Promise<number> {
    return Number((await this.runningStudiesQuery().executeTakeFirst())?.n ?? 0);
  }

  registeredVersionsQuery() {
    return this.#db
      .selectFrom('registryVersion as v')
      .leftJoin('trackMetric as h', (j) => j.onRef('h.runId', '=', 'v.runId').on('h.name', '=', 'holdout.ndcg').on('h.step', '=', 0))
      .leftJoin('trackMetric as p', (j) => j.onRef('p.runId', '=', 'v.runId').on('p.name', '=', 'popularity.ndcg').on('p.step', '=', 0))
      .select(['v.modelName', 'v.version', 'v.status', 'v.createdAt', 'h.value as holdoutNdcg', 'p.value as popularityNdcg'])
      .orderBy('v.modelName')
      .orderBy('v.version');
  }

  /** Every registered version, by name then version, with its run's hold-out NDCG and the popularity baseline's. */
  async registeredVersions(): Promise<RegisteredVersionRow[]> {
    const rows = await this.registeredVersionsQuery().execute();
    return rows.map((r) => ({
      modelName: r.modelName,
      version: Number(r.version),
      status: r.status,
      createdAt: r.createdAt,
      holdoutNdcg: numOrNull(r.holdoutNdcg),
      popularityNdcg: numOrNull(r.popularityNdcg),
    }));
  }

  aliasesQuery() {
    return this.#db.selectFrom('registryAlias').select(['modelName', 'alias', 'version']).orderBy('modelName').orderBy('alias');
  }

  /** Every alias of every model name. */
  async aliases(): Promise<{ modelName: string; alias: string; version: number }[]> {
    return (await this.aliasesQuery().execute()).map((r) => ({ ...r, version: Number(r.version) }));
  }

  changesQuery(limit: number) {
    return this.#db
      .selectFrom('registryEvent')
      .select(['modelName', 'action', 'version', 'alias', 'actor', 'reason', 'at'])
      .orderBy('eventId', 'desc')
      .limit(limit);
  }

  /** The newest `limit` registry changes, newest first. */
  async changes(limit: number): Promise<RegistryChangeRow[]> {
    return (await this.changesQuery(limit).execute()).map((r) => ({ ...r, version: numOrNull(r.version) }));
  }
}
