import type { AlertRule } from '../config/index.ts';
import { toUtcText } from '../shared/index.ts';
import {
  AlertMetricsRepo,
  FeedbackStatsRepo,
  RegistryRepo,
  StatusRepo,
  type FeedbackStatsRow,
  type ServedModelRef,
  type Warehouse,
} from '../warehouse/index.ts';
import type { ReadingResult } from './alerts/index.ts';
import type { MetricSource } from './metric-source.ts';

/** Which model `serving-model` means, for a window starting at `since` (UTC text). */
export type ServingModelResolver = (since: string) => Promise<ServedModelRef | undefined>;

/**
 * `serving-model` as the configuration names it: the version `serve.alias` of `serve.modelName` points to; without
 * a model name (`serve` answers with the newest trained bundle), the model of the newest attributed feedback event.
 */
export function servingModelFromConfig(
  warehouse: Pick<Warehouse, 'db' | 'dialect'>,
  serve: { modelName?: string | undefined; alias: string },
): ServingModelResolver {
  return async (since) => {
    if (serve.modelName === undefined) return new AlertMetricsRepo(warehouse).latestAttributedModel(since);
    const version = await new RegistryRepo(warehouse).aliasTarget(serve.modelName, serve.alias);
    return version === undefined ? undefined : { name: serve.modelName, version };
  };
}

const FEEDBACK_READ = {
  net_satisfaction: (r: FeedbackStatsRow) => ({ value: r.netSatisfaction, events: r.selects + r.cancels }),
  cancel_rate: (r: FeedbackStatsRow) => ({ value: r.cancelRate, events: r.selects }),
  select_rate: (r: FeedbackStatsRow) => ({ value: r.selectRate, events: r.impressions }),
} as const;

/** Warehouse text `YYYY-MM-DD HH:MM:SS[.sss]` (UTC) as epoch milliseconds. */
const utcMs = (text: string) => Date.parse(`${text.replace(' ', 'T')}Z`);

/**
 * The metrics the warehouse answers: feedback rates (FeedbackStatsRepo's definitions, written once), net satisfaction
 * against the previous version, failed and rejected landing files, and the age of the newest reservation.
 */
export class WarehouseMetricSource implements MetricSource {
  readonly #warehouse: Pick<Warehouse, 'db' | 'dialect'>;
  readonly #servingModel: ServingModelResolver;

  constructor(o: { warehouse: Pick<Warehouse, 'db' | 'dialect'>; servingModel: ServingModelResolver }) {
    this.#warehouse = o.warehouse;
    this.#servingModel = o.servingModel;
  }

  async read(rule: AlertRule, now: Date): Promise<ReadingResult> {
    const since = toUtcText(new Date(now.getTime() - rule.window * 1000));
    switch (rule.metric) {
      case 'net_satisfaction':
      case 'cancel_rate':
      case 'select_rate':
        return this.#feedback(rule, since, FEEDBACK_READ[rule.metric]);
      case 'net_satisfaction_drop_vs_previous':
        return this.#drop(rule, since);
      case 'ingest_failed':
      case 'files_rejected': {
        const n = await new AlertMetricsRepo(this.#warehouse).ledgerCount(rule.metric === 'ingest_failed' ? 'failed' : 'rejected', since);
        return { ok: true, reading: { value: n, events: n } };
      }
      case 'data_age_hours': {
        const { last } = await new StatusRepo(this.#warehouse.db).reservationSpan();
        if (last === null) return { ok: false, reason: 'no reservations in the warehouse yet' };
        return {
          ok: true,
          reading: { value: Math.max(0, now.getTime() - utcMs(last)) / 3_600_000, events: 1, subject: `newest reservation ${last.slice(0, 16)} UTC` },
        };
      }
      default:
        return { ok: false, reason: `${rule.metric} is not measured in the warehouse` };
    }
  }

  /** The model (name, version) the scope means, with its feedback rows in the window by version. */
  async #scoped(rule: AlertRule, since: string): Promise<{ ref: ServedModelRef; rows: FeedbackStatsRow[] } | string> {
    const rows = await new FeedbackStatsRepo(this.#warehouse).stats({ since, by: 'model' });
    if (rule.scope === 'serving-model') {
      const ref = await this.#servingModel(since);
      if (ref === undefined) return 'no serving model known (no alias target, no attributed feedback in the window)';
      return { ref, rows: rows.filter((r) => r.group === ref.name) };
    }
    const name = rule.scope.slice('model:'.length);
    const own = rows.filter((r) => r.group === name && r.modelVersion !== null);
    const newest = own.reduce<number | undefined>((max, r) => (max === undefined || r.modelVersion! > max ? r.modelVersion! : max), undefined);
    if (newest === undefined) return `no feedback on a list of model ${name} in the window`;
    return { ref: { name, version: newest }, rows: own };
  }

  async #feedback(rule: AlertRule, since: string, pick: (r: FeedbackStatsRow) => { value: number | null; events: number }): Promise<ReadingResult> {
    if (rule.scope === 'all') {
      const [row] = await new FeedbackStatsRepo(this.#warehouse).stats({ since });
      return { ok: true, reading: row === undefined ? { value: null, events: 0 } : pick(row) };
    }
    const scoped = await this.#scoped(rule, since);
    if (typeof scoped === 'string') return { ok: false, reason: scoped };
    const row = scoped.rows.find((r) => r.modelVersion === scoped.ref.version);
    return { ok: true, reading: { ...(row === undefined ? { value: null, events: 0 } : pick(row)), subject: `${scoped.ref.name} v${scoped.ref.version}` } };
  }

  async #drop(rule: AlertRule, since: string): Promise<ReadingResult> {
    const scoped = await this.#scoped(rule, since);
    if (typeof scoped === 'string') return { ok: false, reason: scoped };
    const { ref, rows } = scoped;
    const current = rows.find((r) => r.modelVersion === ref.version);
    const previous = rows.filter((r) => r.modelVersion !== null && r.modelVersion < ref.version).sort((a, b) => b.modelVersion! - a.modelVersion!)[0];
    if (previous === undefined)
      return { ok: false, reason: `no feedback on an earlier version of ${ref.name} than v${ref.version} in the window to compare with` };
    const subject = `${ref.name} v${ref.version} vs v${previous.modelVersion}`;
    if (current === undefined) return { ok: true, reading: { value: null, events: 0, subject } };
    const value = current.netSatisfaction === null || previous.netSatisfaction === null ? null : previous.netSatisfaction - current.netSatisfaction;
    return { ok: true, reading: { value, events: Math.min(current.selects + current.cancels, previous.selects + previous.cancels), subject } };
  }
}
