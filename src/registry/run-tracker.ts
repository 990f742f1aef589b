import { createHash, randomBytes } from 'node:crypto';
import { toUtcText, NotFoundError } from '../shared/index.ts';
import { codeVersion } from '../shared/io.ts';
import type { ObjectStore } from '../storage/index.ts';
import { TrackingRepo, type Warehouse } from '../warehouse/index.ts';
import { checkArtifact, missingArtifact, type ArtifactDigests, type RecordedArtifact } from './artifact-digests.ts';

/** The feedback events a run learned from: by type, those left out (unknown user or service), the newest feedback_id read. */
export interface FeedbackSnapshot {
  readonly used: Readonly<Record<string, number>>;
  readonly unknown: Readonly<Record<string, number>>;
  readonly newestId: number;
}

/**
 * The warehouse a run saw: loaded landing files (and a fingerprint of their contents and of the feedback read),
 * weighted interactions, newest reservation, and the feedback events learned from (null: none read).
 */
export interface DataSnapshot {
  readonly files: number;
  readonly fingerprint: string;
  readonly interactions: number;
  readonly newestEvent: string | null;
  readonly feedback: FeedbackSnapshot | null;
}

export interface StartRunOptions {
  readonly experiment: string;
  readonly runType: 'train' | 'evaluate' | 'tune-trial';
  readonly modelKind: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Weighted interactions the run learns from (the data snapshot's count). */
  readonly interactions: number;
  /** The feedback events the run learns from, when it reads feedback. */
  readonly feedback?: FeedbackSnapshot;
  /** The data snapshot when the caller already took it (runs over the same data, e.g. a study's trials). */
  readonly data?: DataSnapshot;
}

/** A new run id: UTC time to the second, then random hex (sortable, unique across processes). */
export function newRunId(at: Date = new Date()): string {
  return `${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/**
 * Experiment tracking in the warehouse (track_* tables): each training or tuning trial is a run with its
 * parameters, metrics (per step too), timings, code version, the data it saw and its artifacts with their
 * sizes and SHA-256, which loaders check.
 */
export class RunTracker {
  readonly #repo: TrackingRepo;
  readonly #now: () => Date;

  constructor(warehouse: Warehouse, now: () => Date = () => new Date()) {
    this.#repo = new TrackingRepo(warehouse);
    this.#now = now;
  }

  async snapshot(interactions: number, feedback?: FeedbackSnapshot): Promise<DataSnapshot> {
    const { fileDigests, newestEvent } = await this.#repo.loadedData();
    const hash = createHash('sha256');
    for (const sha256 of fileDigests) hash.update(`${sha256}\n`);
    // Feedback is append-only by feedback_id: the newest id read and the counts identify what was learned from.
    if (feedback) hash.update(`feedback ${feedback.newestId} ${JSON.stringify(feedback.used)}\n`);
    return { files: fileDigests.length, fingerprint: hash.digest('hex'), interactions, newestEvent, feedback: feedback ?? null };
  }

  /** Records a running run and returns its id (also the name of its artifact folder). */
  async start(o: StartRunOptions): Promise<string> {
    const now = this.#now();
    const runId = newRunId(now);
    const experimentId = await this.#repo.findOrCreateExperiment(o.experiment, toUtcText(now));
    if (experimentId === undefined) throw new NotFoundError(`experiment '${o.experiment}' could not be created`);
    const data = o.data ?? (await this.snapshot(o.interactions, o.feedback));
    await this.#repo.insertRun({
      runId,
      experimentId,
      runType: o.runType,
      modelKind: o.modelKind,
      status: 'running',
      paramsJson: JSON.stringify(o.params),
      codeVersion: codeVersion(),
      dataFiles: data.files,
      dataFingerprint: data.fingerprint,
      dataInteractions: data.interactions,
      dataNewestEvent: data.newestEvent,
      ...(data.feedback ? { dataFeedback: JSON.stringify(data.feedback) } : {}),
      startedAt: toUtcText(now),
      finishedAt: null,
      seconds: null,
      artifactPrefix: null,
    });
    return runId;
  }

  /** Records metrics: `values` at `step` (0: final values). */
  async logMetrics(runId: string, values: Readonly<Record<string, number>>, step = 0): Promise<void> {
    const rows = Object.entries(values)
      .filter(([, v]) => Number.isFinite(v))
      .map(([name, value]) => ({ name, value }));
    await this.#repo.replaceMetrics(runId, step, rows);
  }

  /** Records the files the run wrote under `prefix` (as ModelBundleStore.save returns them) as its artifacts. */
  async logArtifacts(runId: string, prefix: string, artifacts: readonly RecordedArtifact[]): Promise<void> {
    await this.#repo.recordArtifacts(
      runId,
      prefix,
      artifacts.map((a) => ({ objectKey: a.key, sizeBytes: a.size, sha256: a.sha256 })),
    );
  }

  async finish(runId: string, status: 'finished' | 'failed', seconds: number): Promise<void> {
    await this.#repo.finishRun(runId, { status, seconds, finishedAt: toUtcText(this.#now()) });
  }

  /** Runs, newest first, optionally of one experiment, or one run by id. */
  async list(o: { experiment?: string; runId?: string; limit?: number } = {}): Promise<RunRecord[]> {
    const rows = await this.#repo.runs({ ...o, limit: o.limit ?? 20 });
    const metrics = rows.length === 0 ? [] : await this.#repo.finalMetrics(rows.map((r) => r.runId));
    return rows.map((r) => ({
      runId: r.runId,
      experiment: r.experiment,
      runType: r.runType,
      modelKind: r.modelKind,
      status: r.status,
      params: JSON.parse(r.paramsJson) as Record<string, unknown>,
      codeVersion: r.codeVersion,
      data: {
        files: r.dataFiles,
        fingerprint: r.dataFingerprint,
        interactions: r.dataInteractions,
        newestEvent: r.dataNewestEvent,
        feedback: r.dataFeedback === null ? null : (JSON.parse(r.dataFeedback) as FeedbackSnapshot),
      },
      startedAt: r.startedAt,
      seconds: r.seconds,
      artifactPrefix: r.artifactPrefix,
      metrics: Object.fromEntries(metrics.filter((m) => m.runId === r.runId).map((m) => [m.name, m.value])),
    }));
  }

  /** One run with its final metrics. */
  async get(runId: string): Promise<RunRecord> {
    const [run] = await this.list({ runId });
    if (run === undefined) throw new NotFoundError(`no run ${runId}`);
    return run;
  }

  /** One run with its per-step metrics and artifacts. */
  async show(runId: string): Promise<RunRecord & { steps: Record<string, [number, number][]>; artifacts: { key: string; size: number; sha256: string }[] }> {
    const run = await this.get(runId);
    const steps: Record<string, [number, number][]> = {};
    for (const m of await this.#repo.stepMetrics(runId)) (steps[m.name] ??= []).push([m.step, m.value]);
    const artifacts = (await this.#repo.artifacts(runId)).map((a) => ({ key: a.objectKey, size: a.sizeBytes, sha256: a.sha256 }));
    return { ...run, steps, artifacts };
  }

  /** The sizes and digests recorded for the run's artifacts (for checking them as they are read). */
  async recordedArtifacts(runId: string): Promise<ArtifactDigests> {
    const artifacts = await this.#repo.artifacts(runId);
    if (artifacts.length === 0) throw new NotFoundError(`run ${runId} has no recorded artifacts`);
    return { runId, byKey: new Map(artifacts.map((a) => [a.objectKey, { size: a.sizeBytes, sha256: a.sha256 }])) };
  }

  /**
   * Checks every recorded artifact of the run against its size and SHA-256; throws a clear error naming the
   * first object that is missing or differs.
   */
  async verifyArtifacts(runId: string, store: ObjectStore): Promise<void> {
    const digests = await this.recordedArtifacts(runId);
    for (const key of digests.byKey.keys()) {
      if (!(await store.stat(key))) throw missingArtifact(digests, key, store.url);
      checkArtifact(digests, key, await readAll(store, key));
    }
  }
}

/** A run as `pickwise runs` shows it. */
export interface RunRecord {
  readonly runId: string;
  readonly experiment: string;
  readonly runType: string;
  readonly modelKind: string;
  readonly status: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly codeVersion: string;
  readonly data: DataSnapshot;
  readonly startedAt: string;
  readonly seconds: number | null;
  readonly artifactPrefix: string | null;
  /** Final metrics (step 0). */
  readonly metrics: Readonly<Record<string, number>>;
}

async function readAll(store: ObjectStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
