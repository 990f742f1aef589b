import type { Insertable } from 'kysely';
import { keyChunks } from './key-chunks.ts';
import type { Warehouse } from './open-warehouse.ts';
import type { TrackArtifactTable, TrackMetricTable, TrackRunTable } from './schema.ts';

/** A stored run (track_run) with its experiment's name; numbers as numbers on every backend. */
export interface RunRow {
  readonly runId: string;
  readonly experiment: string;
  readonly runType: TrackRunTable['runType'];
  readonly modelKind: string;
  readonly status: TrackRunTable['status'];
  readonly paramsJson: string;
  readonly codeVersion: string;
  readonly dataFiles: number;
  readonly dataFingerprint: string;
  readonly dataInteractions: number;
  readonly dataNewestEvent: string | null;
  readonly dataFeedback: string | null;
  readonly startedAt: string;
  readonly seconds: number | null;
  readonly artifactPrefix: string | null;
}

/** One metric value of a run at a step (0: final). */
export type MetricRow = Readonly<TrackMetricTable>;

/** One recorded artifact of a run: object key, size in bytes, SHA-256 (hex). */
export type ArtifactRow = Readonly<Omit<TrackArtifactTable, 'runId'>>;

/**
 * The SQL of experiment tracking (track_experiment, track_run, track_metric, track_artifact), and the reads of
 * the loaded data a run's snapshot describes (ingest_file, fact_reservation).
 */
export class TrackingRepo {
  readonly #warehouse: Pick<Warehouse, 'db' | 'dialect'>;

  constructor(warehouse: Pick<Warehouse, 'db' | 'dialect'>) {
    this.#warehouse = warehouse;
  }

  /** SHA-256 of every loaded landing file (sorted), and the newest reservation time, for a run's data snapshot. */
  async loadedData(): Promise<{ fileDigests: string[]; newestEvent: string | null }> {
    const { db } = this.#warehouse;
    const files = await db.selectFrom('ingestFile').select('sha256').where('status', '=', 'loaded').orderBy('sha256').execute();
    const newest = await db
      .selectFrom('factReservation')
      .select((eb) => eb.fn.max('reservedAt').as('t'))
      .executeTakeFirst();
    return { fileDigests: files.map((f) => f.sha256), newestEvent: newest?.t ?? null };
  }

  /** The id of the experiment `name`, created at `createdAt` when new (a concurrent creator's row wins). */
  async findOrCreateExperiment(name: string, createdAt: string): Promise<number | undefined> {
    const { db, dialect } = this.#warehouse;
    const row = await dialect.findOrCreate(
      () => db.selectFrom('trackExperiment').select('experimentId').where('name', '=', name).executeTakeFirst(),
      () => db.insertInto('trackExperiment').values({ name, createdAt }).execute(),
    );
    return row === undefined ? undefined : Number(row.experimentId);
  }

  async insertRun(run: Insertable<TrackRunTable>): Promise<void> {
    await this.#warehouse.db.insertInto('trackRun').values(run).execute();
  }

  async finishRun(runId: string, end: { status: TrackRunTable['status']; seconds: number; finishedAt: string }): Promise<void> {
    await this.#warehouse.db.updateTable('trackRun').set(end).where('runId', '=', runId).execute();
  }

  /** A run's status, or undefined when there is no such run. */
  async runStatus(runId: string): Promise<TrackRunTable['status'] | undefined> {
    const row = await this.#warehouse.db.selectFrom('trackRun').select('status').where('runId', '=', runId).executeTakeFirst();
    return row?.status;
  }

  /** Writes a run's metrics at one step, replacing values of the same names there (one transaction). */
  async replaceMetrics(runId: string, step: number, values: readonly { name: string; value: number }[]): Promise<void> {
    if (values.length === 0) return;
    // Deleting absent rows takes gap locks: two processes writing metrics of different runs can deadlock; the
    // transaction is safe to run again.
    await this.#warehouse.dialect.retryingDeadlocks(() =>
      this.#warehouse.db.transaction().execute(async (trx) => {
        const names = values.map((v) => v.name);
        await trx.deleteFrom('trackMetric').where('runId', '=', runId).where('step', '=', step).where('name', 'in', names).execute();
        await trx
          .insertInto('trackMetric')
          .values(values.map((v) => ({ runId, step, name: v.name, value: v.value })))
          .execute();
      }),
    );
  }

  /** Records a run's artifacts and the prefix they live under (one transaction). */
  async recordArtifacts(runId: string, prefix: string, artifacts: readonly ArtifactRow[]): Promise<void> {
    await this.#warehouse.db.transaction().execute(async (trx) => {
      if (artifacts.length > 0)
        await trx
          .insertInto('trackArtifact')
          .values(artifacts.map((a) => ({ runId, ...a })))
          .execute();
      await trx.updateTable('trackRun').set({ artifactPrefix: prefix }).where('runId', '=', runId).execute();
    });
  }

  /** Runs, newest first (by start, then id), optionally of one experiment or one id; at most `limit`. */
  async runs(filter: { experiment?: string; runId?: string; limit: number }): Promise<RunRow[]> {
    let q = this.#warehouse.db
      .selectFrom('trackRun as r')
      .innerJoin('trackExperiment as e', 'e.experimentId', 'r.experimentId')
      .selectAll('r')
      .select('e.name as experiment')
      .orderBy('r.startedAt', 'desc')
      .orderBy('r.runId', 'desc')
      .limit(filter.limit);
    if (filter.experiment !== undefined) q = q.where('e.name', '=', filter.experiment);
    if (filter.runId !== undefined) q = q.where('r.runId', '=', filter.runId);
    return (await q.execute()).map((r) => ({
      runId: r.runId,
      experiment: r.experiment,
      runType: r.runType,
      modelKind: r.modelKind,
      status: r.status,
      paramsJson: r.paramsJson,
      codeVersion: r.codeVersion,
      dataFiles: Number(r.dataFiles),
      dataFingerprint: r.dataFingerprint,
      dataInteractions: Number(r.dataInteractions),
      dataNewestEvent: r.dataNewestEvent,
      dataFeedback: r.dataFeedback,
      startedAt: r.startedAt,
      seconds: r.seconds === null ? null : Number(r.seconds),
      artifactPrefix: r.artifactPrefix,
    }));
  }

  /** Final metrics (step 0) of the given runs. */
  async finalMetrics(runIds: readonly string[]): Promise<MetricRow[]> {
    const out: MetricRow[] = [];
    for (const chunk of keyChunks(runIds)) {
      const rows = await this.#warehouse.db.selectFrom('trackMetric').selectAll().where('step', '=', 0).where('runId', 'in', chunk).execute();
      for (const m of rows) out.push({ runId: m.runId, name: m.name, step: 0, value: Number(m.value) });
    }
    return out;
  }

  /** A run's per-step metrics (steps > 0), by name then step. */
  async stepMetrics(runId: string): Promise<MetricRow[]> {
    const rows = await this.#warehouse.db
      .selectFrom('trackMetric')
      .selectAll()
      .where('runId', '=', runId)
      .where('step', '>', 0)
      .orderBy('name')
      .orderBy('step')
      .execute();
    return rows.map((m) => ({ runId, name: m.name, step: Number(m.step), value: Number(m.value) }));
  }

  /** A run's recorded artifacts, by object key. */
  async artifacts(runId: string): Promise<ArtifactRow[]> {
    const rows = await this.#warehouse.db
      .selectFrom('trackArtifact')
      .select(['objectKey', 'sizeBytes', 'sha256'])
      .where('runId', '=', runId)
      .orderBy('objectKey')
      .execute();
    return rows.map((a) => ({ objectKey: a.objectKey, sizeBytes: Number(a.sizeBytes), sha256: a.sha256 }));
  }
}
