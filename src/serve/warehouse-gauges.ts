import { Gauge, type Registry } from 'prom-client';
import type { DashboardData, DashboardWindow, SummaryRow } from '../monitoring/index.ts';
import { systemClock, type Clock } from '../shared/index.ts';
import type { Logger } from '../shared/io.ts';

/** Seconds a scrape's warehouse reads are reused: a scrape within this time of the last one runs no query. */
export const GAUGE_CACHE_SECONDS = 10;
/** The windows the feedback gauges are exported for. */
const GAUGE_WINDOWS = ['1h', '24h', '7d'] as const satisfies readonly DashboardWindow[];
const EVENT_TYPES = [
  ['impression', 'impressions'],
  ['select', 'selects'],
  ['cancel', 'cancels'],
  ['reserve', 'reserves'],
  ['complete', 'completes'],
] as const;

type Snapshot = Awaited<ReturnType<typeof readSnapshot>>;

async function readSnapshot(data: DashboardData) {
  const summaries = await Promise.all(GAUGE_WINDOWS.map(async (w) => ({ window: w, rows: (await data.summary(w)).rows })));
  const [pipeline, registry] = await Promise.all([data.pipeline(), data.registry()]);
  return { summaries, pipeline, registry };
}

/**
 * The warehouse's numbers as Prometheus gauges in `registry`, read on scrape (every gauge of one scrape from one
 * set of reads, reused for {@link GAUGE_CACHE_SECONDS}). Labels are bounded: model name, version, basis, window,
 * event type and reject reason, never a user or service id; versions are limited to the one being served and the
 * newest `metricVersions` of each model name. Series at most, per model name with V = metricVersions + 1 versions
 * and B bases: 5·V·B·3 event counts + 3·V·B·3 rates + 2·V·3 coverage and fallback + 3·V offline and age; plus
 * 3 (unattributed, one per window), one per reject reason, and 5 pipeline gauges.
 */
export function registerWarehouseGauges(o: { registry: Registry; data: DashboardData; metricVersions: number; logger: Logger; clock?: Clock }): void {
  const clock = o.clock ?? systemClock;
  let cached: { at: number; snapshot: Promise<Snapshot> } | undefined;
  let applied: Promise<Snapshot> | undefined;
  const gauges: Gauge[] = [];
  /** Reads the warehouse at most once per cache period, and sets every gauge from that read once. */
  const refresh = async (): Promise<void> => {
    const now = clock().getTime();
    if (cached === undefined || now - cached.at >= GAUGE_CACHE_SECONDS * 1000) cached = { at: now, snapshot: readSnapshot(o.data) };
    const pending = cached.snapshot;
    let snapshot: Snapshot;
    try {
      snapshot = await pending;
    } catch (error) {
      o.logger.warn({ err: error }, 'reading the warehouse gauges of /metrics failed; they keep their last values');
      return;
    }
    if (applied === pending) return;
    applied = pending;
    for (const g of gauges) g.reset();
    apply(snapshot, o.metricVersions);
  };
  const gauge = (name: string, help: string, labelNames: readonly string[] = []): Gauge => {
    const g = new Gauge({ name, help, labelNames: [...labelNames], registers: [o.registry], collect: refresh });
    gauges.push(g);
    return g;
  };
  const versionLabels = ['model', 'version'] as const;
  const rowLabels = ['model', 'version', 'basis', 'window'] as const;
  const g = {
    events: gauge('pickwise_feedback_window_events', 'Feedback events in the window (whole UTC hours), by model version, basis and type', [
      ...rowLabels.slice(0, 3),
      'type',
      'window',
    ]),
    selectRate: gauge('pickwise_select_rate', 'selects / impressions in the window', rowLabels),
    cancelRate: gauge('pickwise_cancel_rate', 'cancels / selects in the window', rowLabels),
    netSatisfaction: gauge('pickwise_net_satisfaction', '(selects − cancels) / (selects + cancels) in the window', rowLabels),
    unattributed: gauge('pickwise_unattributed_share', 'events attributed to no list / events in the window', ['window']),
    coverage: gauge('pickwise_catalogue_coverage', "distinct services the version showed on the window's days / services in the catalogue", [
      ...versionLabels,
      'window',
    ]),
    fallback: gauge('pickwise_fallback_share', 'lists answered by the popularity fallback / lists, in the window', [...versionLabels, 'window']),
    ndcg: gauge('pickwise_offline_ndcg_at_10', "NDCG on the hold-out split of the version's training run", versionLabels),
    lift: gauge('pickwise_offline_lift_over_popularity', 'lift of the hold-out NDCG over the popularity baseline, in percent', versionLabels),
    ingestAt: gauge('pickwise_ingest_last_timestamp_seconds', 'when the last ingest finished (Unix seconds)'),
    ingestFiles: gauge('pickwise_ingest_last_files', 'landing files of the last ingest'),
    ingestRows: gauge('pickwise_ingest_last_rows', 'rows loaded by the last ingest'),
    ingestRejected: gauge('pickwise_ingest_last_rejected_rows', 'rows the last ingest rejected, by reason code', ['reason']),
    dataAge: gauge('pickwise_data_age_seconds', 'seconds since the newest reservation'),
    snapshotAge: gauge('pickwise_feature_snapshot_age_seconds', 'seconds since the newest feature snapshot was built'),
    modelAge: gauge('pickwise_model_age_seconds', 'seconds since the version of each model name in use was registered', versionLabels),
    studies: gauge('pickwise_tuning_studies_running', 'tuning studies with a trial running'),
  };

  function apply(s: Snapshot, metricVersions: number): void {
    const kept = keptVersions(s, metricVersions);
    const keep = (model: string | null, version: number | null) => model === null || kept.has(`${model}\n${version ?? 0}`);
    const labels = (r: SummaryRow) => ({ model: r.model ?? '', version: r.version === null ? '' : String(r.version), basis: r.basis ?? '' });
    const set = (target: Gauge, l: Record<string, string>, v: number | null) => v !== null && Number.isFinite(v) && target.set(l, v);
    for (const { window, rows } of s.summaries) {
      let events = 0;
      let unattributed = 0;
      const perVersion = new Map<string, SummaryRow>();
      for (const r of rows) {
        const total = r.impressions + r.selects + r.cancels + r.reserves + r.completes;
        events += total;
        unattributed += (r.unattributedShare ?? 0) * total;
        if (!keep(r.model, r.version)) continue;
        const l = labels(r);
        for (const [type, field] of EVENT_TYPES) g.events.set({ ...l, type, window }, r[field]);
        set(g.selectRate, { ...l, window }, r.selectRate);
        set(g.cancelRate, { ...l, window }, r.cancelRate);
        set(g.netSatisfaction, { ...l, window }, r.netSatisfaction);
        if (r.model !== null) perVersion.set(`${l.model}\n${l.version}`, r);
      }
      set(g.unattributed, { window }, events === 0 ? null : Math.round(unattributed) / events);
      for (const r of perVersion.values()) {
        const l = { model: r.model ?? '', version: String(r.version ?? ''), window };
        set(g.coverage, l, r.coverage);
        set(g.fallback, l, r.fallbackShare);
      }
    }
    for (const m of s.registry.models)
      for (const v of m.versions) {
        if (!kept.has(`${m.name}\n${v.version}`)) continue;
        set(g.ndcg, { model: m.name, version: String(v.version) }, v.metrics.ndcgAt10);
        set(g.lift, { model: m.name, version: String(v.version) }, v.metrics.liftOverPopularity);
      }
    const p = s.pipeline;
    if (p.lastIngest !== null) {
      if (p.lastIngest.at !== null) g.ingestAt.set(Date.parse(p.lastIngest.at) / 1000);
      g.ingestFiles.set(p.lastIngest.files);
      g.ingestRows.set(p.lastIngest.rows);
      for (const [reason, n] of Object.entries(p.lastIngest.rejectedByReason)) g.ingestRejected.set({ reason }, n);
    }
    set(g.dataAge, {}, p.dataAgeHours === null ? null : p.dataAgeHours * 3600);
    set(g.snapshotAge, {}, p.featureSnapshotAgeHours === null ? null : p.featureSnapshotAgeHours * 3600);
    for (const m of p.models) set(g.modelAge, { model: m.name, version: String(m.version) }, m.ageHours === null ? null : m.ageHours * 3600);
    g.studies.set(p.tuningStudiesRunning);
  }
}

/** `name\nversion` of the versions exported: per model name the newest `n` (registered or seen in feedback), and the one being served. */
function keptVersions(s: Snapshot, n: number): Set<string> {
  const byName = new Map<string, Set<number>>();
  const add = (name: string, version: number) => byName.set(name, (byName.get(name) ?? new Set()).add(version));
  for (const m of s.registry.models) for (const v of m.versions) add(m.name, v.version);
  for (const { rows } of s.summaries) for (const r of rows) if (r.model !== null) add(r.model, r.version ?? 0);
  const kept = new Set<string>();
  for (const [name, versions] of byName) for (const v of [...versions].sort((a, b) => b - a).slice(0, n)) kept.add(`${name}\n${v}`);
  for (const { rows } of s.summaries) for (const r of rows) if (r.serving && r.model !== null) kept.add(`${r.model}\n${r.version ?? 0}`);
  for (const m of s.pipeline.models) kept.add(`${m.name}\n${m.version}`);
  return kept;
}
