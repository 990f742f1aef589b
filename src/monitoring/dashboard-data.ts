import { systemClock, toUtcText, type Clock } from '../shared/index.ts';
import {
  MonitoringRepo,
  MonitoringStateRepo,
  type FeedbackSummaryValues,
  type RegisteredVersionRow,
  type SatisfactionValues,
  type Warehouse,
} from '../warehouse/index.ts';
import { ageHours, explicitRange, hourKeyIso, isoOf, windowRange, type DashboardWindow } from './dashboard-windows.ts';
import { keyOf, offlineByVersion, parseCounts, type OfflineMetrics } from './dashboard-offline.ts';
import type { ServingModelResolver } from './warehouse-metric-source.ts';

/** One model version × basis over a window (model and version null: events attributed to no list). */
export interface SummaryRow extends FeedbackSummaryValues {
  readonly model: string | null;
  readonly version: number | null;
  readonly basis: string | null;
  readonly lists: number;
  readonly items: number;
  /** Distinct services this version showed on the window's days / services in the catalogue. */
  readonly coverage: number | null;
  /** Lists this version answered with the popularity fallback / its lists. */
  readonly fallbackShare: number | null;
  readonly offline: OfflineMetrics | null;
  /** Whether this is the version being served. */
  readonly serving: boolean;
}

/** One hour or day of a version's satisfaction series (t: its start, ISO UTC). */
export interface SatisfactionPoint extends SatisfactionValues {
  readonly t: string;
}

export const FUNNEL_TYPES = ['impression', 'select', 'cancel', 'reserve', 'complete'] as const;
export type FunnelStep = { type: (typeof FUNNEL_TYPES)[number]; events: number };

/** How many registry changes the registry answer carries, newest first. */
const REGISTRY_CHANGES = 200;
/** Ledger entries seen within this long before the newest one belong to the last ingest (one run sees its files together). */
const INGEST_RUN_MS = 3_600_000;

const orNull = <T>(v: T | '' | 0): T | null => (v === '' || v === 0 ? null : (v as T));

/**
 * The numbers of the dashboard, shaped for its JSON routes (`/v1/dashboard/*`): online metrics per model version
 * from the rollups, offline metrics from each version's training run, pipeline health and the registry's history.
 */
export class DashboardData {
  readonly #monitoring: MonitoringRepo;
  readonly #state: MonitoringStateRepo;
  readonly #clock: Clock;
  readonly #servingModel: ServingModelResolver;
  readonly #cacheMs: number;
  readonly #cache = new Map<string, { at: number; answer: Promise<unknown> }>();

  /**
   * `cacheSeconds`: how long an answer is reused for the same question (0: never). Every viewer of the dashboard
   * asks the same few questions every refresh; within this time they share one set of reads, and concurrent
   * requests wait for the same reads instead of each running them.
   */
  constructor(o: { warehouse: Pick<Warehouse, 'db' | 'dialect'>; servingModel: ServingModelResolver; clock?: Clock | undefined; cacheSeconds?: number }) {
    this.#monitoring = new MonitoringRepo(o.warehouse);
    this.#state = new MonitoringStateRepo(o.warehouse);
    this.#clock = o.clock ?? systemClock;
    this.#servingModel = o.servingModel;
    this.#cacheMs = (o.cacheSeconds ?? 0) * 1000;
  }

  /** `compute()`'s answer, shared with every call of the same `key` within the cache time (a failure is not kept). */
  #cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (this.#cacheMs === 0) return compute();
    const now = this.#clock().getTime();
    const hit = this.#cache.get(key);
    if (hit !== undefined && now - hit.at < this.#cacheMs) return hit.answer as Promise<T>;
    // Questions are few (windows × buckets), but from/to are the client's: the cache never grows past a page of them.
    if (this.#cache.size >= 64) this.#cache.clear();
    const answer = compute();
    this.#cache.set(key, { at: now, answer });
    answer.catch(() => this.#cache.get(key)?.answer === answer && this.#cache.delete(key));
    return answer;
  }

  /** One row per model version × basis with events or lists in `window`. */
  summary(window: DashboardWindow): Promise<{ window: DashboardWindow; generatedAt: string; rows: SummaryRow[] }> {
    return this.#cached(`summary|${window}`, () => this.#summary(window));
  }

  async #summary(window: DashboardWindow): Promise<{ window: DashboardWindow; generatedAt: string; rows: SummaryRow[] }> {
    const now = this.#clock();
    const range = windowRange(window, now);
    const [feedback, served, shown, catalogue, versions, serving] = await Promise.all([
      this.#monitoring.feedbackGroups(range),
      this.#monitoring.servedGroups(range),
      this.#monitoring.shownServices(range),
      this.#monitoring.catalogueSize(),
      this.#state.registeredVersions(),
      this.#servingModel(toUtcText(new Date(now.getTime() - 24 * 3_600_000))),
    ]);
    const offline = offlineByVersion(versions);
    const shownBy = new Map(shown.map((s) => [keyOf(s.modelName, s.version), s.services]));
    const listsBy = new Map<string, { lists: number; fallback: number }>();
    for (const s of served) {
      const t = listsBy.get(keyOf(s.modelName, s.version)) ?? { lists: 0, fallback: 0 };
      t.lists += s.lists;
      if (s.basis !== 'model') t.fallback += s.lists;
      listsBy.set(keyOf(s.modelName, s.version), t);
    }
    const rows = new Map<string, SummaryRow>();
    const empty = {
      impressions: 0,
      selects: 0,
      cancels: 0,
      reserves: 0,
      completes: 0,
      selectRate: null,
      cancelRate: null,
      netSatisfaction: null,
      unattributedShare: null,
    };
    const rowFor = (modelName: string, version: number, basis: string): SummaryRow => {
      const k = keyOf(modelName, version);
      const lists = listsBy.get(k);
      const services = shownBy.get(k);
      return {
        model: orNull(modelName),
        version: orNull(version),
        basis: orNull(basis),
        ...empty,
        lists: 0,
        items: 0,
        coverage: services === undefined || catalogue === 0 ? null : services / catalogue,
        fallbackShare: lists === undefined || lists.lists === 0 ? null : lists.fallback / lists.lists,
        offline: offline.get(k) ?? null,
        serving: serving !== undefined && serving.name === modelName && serving.version === version,
      };
    };
    for (const f of feedback) {
      const { modelName, version, basis, events: _events, ...counts } = f;
      rows.set(`${keyOf(modelName, version)}\n${basis}`, { ...rowFor(modelName, version, basis), ...counts });
    }
    for (const s of served) {
      const id = `${keyOf(s.modelName, s.version)}\n${s.basis}`;
      rows.set(id, { ...(rows.get(id) ?? rowFor(s.modelName, s.version, s.basis)), lists: s.lists, items: s.items });
    }
    return { window, generatedAt: now.toISOString(), rows: [...rows.values()] };
  }

  /** Impressions, selects, cancels and their rates per model version, per hour or day, over a window or from … to. */
  satisfaction(o: { window?: DashboardWindow | undefined; from?: string | undefined; to?: string | undefined; bucket: 'hour' | 'day' }) {
    return this.#cached(`satisfaction|${o.window}|${o.bucket}|${o.from}|${o.to}`, () => this.#satisfaction(o));
  }

  async #satisfaction(o: { window?: DashboardWindow | undefined; from?: string | undefined; to?: string | undefined; bucket: 'hour' | 'day' }) {
    const range = o.from !== undefined && o.to !== undefined ? explicitRange({ from: o.from, to: o.to }) : windowRange(o.window ?? '24h', this.#clock());
    const points = await this.#monitoring.satisfaction({ ...range, bucket: o.bucket });
    const series = new Map<string, { model: string | null; version: number | null; points: SatisfactionPoint[] }>();
    for (const { modelName, version, bucketKey, ...values } of points) {
      const k = keyOf(modelName, version);
      let s = series.get(k);
      if (s === undefined) series.set(k, (s = { model: orNull(modelName), version: orNull(version), points: [] }));
      s.points.push({ t: hourKeyIso(bucketKey), ...values });
    }
    return {
      window: o.from !== undefined ? null : (o.window ?? '24h'),
      bucket: o.bucket,
      from: hourKeyIso(range.fromHour),
      to: hourKeyIso(range.toHour),
      series: [...series.values()],
    };
  }

  /** Events by type over `window`, overall and per model version. */
  funnel(window: DashboardWindow) {
    return this.#cached(`funnel|${window}`, () => this.#funnel(window));
  }

  async #funnel(window: DashboardWindow) {
    const rows = await this.#monitoring.funnel(windowRange(window, this.#clock()));
    const steps = (of: typeof rows): FunnelStep[] =>
      FUNNEL_TYPES.map((type) => ({ type, events: of.filter((r) => r.type === type).reduce((n, r) => n + r.events, 0) }));
    const byModel = new Map<string, typeof rows>();
    for (const r of rows) byModel.set(keyOf(r.modelName, r.version), [...(byModel.get(keyOf(r.modelName, r.version)) ?? []), r]);
    return {
      window,
      steps: steps(rows),
      byModel: [...byModel.values()].map((of) => ({ model: orNull(of[0]!.modelName), version: orNull(of[0]!.version), steps: steps(of) })),
    };
  }

  /** The last ingest, how old the data, the features and the models are, and tuning studies running. */
  pipeline() {
    return this.#cached('pipeline', () => this.#pipeline());
  }

  async #pipeline() {
    const now = this.#clock();
    const [newestIngest, newestReservation, snapshot, versions, aliases, tuningStudiesRunning, serving] = await Promise.all([
      this.#state.newestIngestAt(),
      this.#state.newestReservationAt(),
      this.#state.newestSnapshotBuiltAt(),
      this.#state.registeredVersions(),
      this.#state.aliases(),
      this.#state.runningStudies(),
      this.#servingModel(toUtcText(new Date(now.getTime() - 24 * 3_600_000))),
    ]);
    let lastIngest = null;
    if (newestIngest !== null) {
      const since = toUtcText(new Date(Date.parse(`${newestIngest.replace(' ', 'T')}Z`) - INGEST_RUN_MS));
      const entries = await this.#state.ingestEntries(since);
      const rejectedByReason: Record<string, number> = {};
      for (const e of entries) for (const [code, n] of Object.entries(parseCounts(e.rejectsByCode))) rejectedByReason[code] = (rejectedByReason[code] ?? 0) + n;
      const at = entries.map((e) => e.finishedAt ?? e.detectedAt).reduce((a, b) => (a > b ? a : b), newestIngest);
      lastIngest = {
        at: isoOf(at),
        files: entries.length,
        rows: entries.reduce((n, e) => n + e.rowsOk, 0),
        rejectedRows: entries.reduce((n, e) => n + e.rowsRejected, 0),
        rejectedByReason,
        quarantined: entries.filter((e) => e.quarantined).length,
        failed: entries.filter((e) => e.status === 'failed').length,
      };
    }
    // Per model name: the version served (or its alias's, else the newest registered).
    const models = new Map<string, RegisteredVersionRow>();
    for (const v of versions) models.set(v.modelName, v);
    for (const a of aliases) {
      const v = versions.find((x) => x.modelName === a.modelName && x.version === a.version);
      if (v !== undefined && (serving === undefined || serving.name !== a.modelName)) models.set(a.modelName, v);
    }
    if (serving !== undefined) {
      const v = versions.find((x) => x.modelName === serving.name && x.version === serving.version);
      if (v !== undefined) models.set(v.modelName, v);
    }
    return {
      lastIngest,
      dataAgeHours: ageHours(newestReservation, now),
      newestReservationAt: isoOf(newestReservation),
      featureSnapshotAgeHours: ageHours(snapshot, now),
      models: [...models.values()].map((v) => ({ name: v.modelName, version: v.version, ageHours: ageHours(v.createdAt, now) })),
      tuningStudiesRunning,
    };
  }

  /** Every registered model: its versions with offline metrics, its aliases, and its newest changes (who, what, why). */
  registry() {
    return this.#cached('registry', () => this.#registry());
  }

  async #registry() {
    const [versions, aliases, changes] = await Promise.all([this.#state.registeredVersions(), this.#state.aliases(), this.#state.changes(REGISTRY_CHANGES)]);
    const offline = offlineByVersion(versions);
    const names = [...new Set([...versions.map((v) => v.modelName), ...aliases.map((a) => a.modelName)])];
    return {
      models: names.map((name) => ({
        name,
        versions: versions
          .filter((v) => v.modelName === name)
          .map((v) => ({ version: v.version, status: v.status, createdAt: isoOf(v.createdAt), metrics: offline.get(keyOf(name, v.version))! })),
        aliases: aliases.filter((a) => a.modelName === name).map((a) => ({ alias: a.alias, version: a.version })),
        events: changes
          .filter((c) => c.modelName === name)
          .map((c) => ({ at: isoOf(c.at), action: c.action, version: c.version, alias: c.alias, actor: c.actor, reason: c.reason })),
      })),
    };
  }
}
