import { z } from 'zod';
import { durationSeconds } from './durations.ts';

/**
 * Every metric an alert rule can watch: a closed list, so that a typo is a config error at start-up rather than
 * a rule that silently never fires. `range` bounds what a threshold may be; `scopes` lists the scopes the metric
 * is measured for (`model:<name>` stands for any registered model name); `servingOnly` metrics are measured
 * inside `pickwise serve` (the evaluator there reads them), so elsewhere they have no reading.
 */
export const ALERT_METRICS = {
  /** (selects − cancels) / (selects + cancels) over the window, in [-1, 1]; events = selects + cancels. */
  net_satisfaction: { range: [-1, 1], scopes: ['serving-model', 'model:<name>', 'all'], servingOnly: false },
  /**
   * Net satisfaction of the previous version of the model minus that of its current version, over the same window
   * (positive = the new version does worse); events = the smaller of the two versions' selects + cancels.
   */
  net_satisfaction_drop_vs_previous: { range: [-2, 2], scopes: ['serving-model', 'model:<name>'], servingOnly: false },
  /** cancels / selects over the window, in [0, 1] (can exceed 1 when cancels outnumber selects); events = selects. */
  cancel_rate: { range: [0, Number.POSITIVE_INFINITY], scopes: ['serving-model', 'model:<name>', 'all'], servingOnly: false },
  /** selects / impressions over the window; events = impressions. */
  select_rate: { range: [0, Number.POSITIVE_INFINITY], scopes: ['serving-model', 'model:<name>', 'all'], servingOnly: false },
  /** Ingest attempts of landing files that failed (status `failed` in the ledger) within the window. */
  ingest_failed: { range: [0, Number.POSITIVE_INFINITY], scopes: ['all'], servingOnly: false },
  /** Landing files rejected whole (status `rejected`: missing column, empty, wrong delimiter…) within the window. */
  files_rejected: { range: [0, Number.POSITIVE_INFINITY], scopes: ['all'], servingOnly: false },
  /** Hours since the newest reservation in the warehouse (its `reserved_at`); no reading without reservations. */
  data_age_hours: { range: [0, Number.POSITIVE_INFINITY], scopes: ['all'], servingOnly: false },
  /** Failed loads of a model (bad artifact, checksum mismatch) by `pickwise serve` within the window. */
  model_load_failed: { range: [0, Number.POSITIVE_INFINITY], scopes: ['serving-model'], servingOnly: true },
  /** Share of API responses that were 5xx within the window, in [0, 1]; events = responses. */
  api_error_rate: { range: [0, 1], scopes: ['all'], servingOnly: true },
  /** 99th percentile of API response time in milliseconds within the window; events = responses. */
  api_p99_ms: { range: [0, Number.POSITIVE_INFINITY], scopes: ['all'], servingOnly: true },
} as const satisfies Record<string, { range: readonly [number, number]; scopes: readonly string[]; servingOnly: boolean }>;

export type AlertMetric = keyof typeof ALERT_METRICS;
export const ALERT_METRIC_NAMES = Object.keys(ALERT_METRICS) as [AlertMetric, ...AlertMetric[]];

/** Comparison operators, with their word spellings (`gt`, `gte`, `lt`, `lte`) accepted and normalised. */
const OP_WORDS: Readonly<Record<string, AlertOp>> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };
export type AlertOp = '>' | '>=' | '<' | '<=';

/** Whether `scope` is one the metric supports (`model:<name>` matches `model:` followed by a model name). */
export function metricSupportsScope(metric: AlertMetric, scope: string): boolean {
  return ALERT_METRICS[metric].scopes.some((s) => s === scope || (s === 'model:<name>' && /^model:[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(scope)));
}

export const alertRuleSchema = z
  .object({
    /** Unique among the rules; shown in messages and `pickwise alerts list`, and keys the rule's persisted state. */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/, 'letters, digits and . _ - (not first), at most 80 characters'),
    metric: z.enum(ALERT_METRIC_NAMES, { error: (i) => `unknown metric ${JSON.stringify(i.input)}; one of ${ALERT_METRIC_NAMES.join(', ')}` }),
    /** `serving-model` (the model `pickwise serve` serves), `model:<name>` or `all`, as the metric supports. */
    scope: z.string().min(1).default('all'),
    op: z.string().transform((v, ctx) => {
      const op = OP_WORDS[v] ?? v;
      if (op === '>' || op === '>=' || op === '<' || op === '<=') return op;
      ctx.addIssue({ code: 'custom', message: `unknown operator ${JSON.stringify(v)}; one of >, >=, <, <= (or gt, gte, lt, lte)` });
      return z.NEVER;
    }),
    threshold: z.number().finite(),
    /** How far back the metric looks (a duration); at least `alerts.evaluateEvery`. */
    window: durationSeconds.default(3600),
    /** Fewer events than this in the window: no decision (the state holds and says why). */
    minEvents: z.number().int().min(0).default(0),
    /** How long the condition must hold before the rule fires (a duration; 0: at once). */
    for: durationSeconds.default(0),
    /** Least time between two firing notifications of the rule (a duration); resolutions are always sent. */
    cooldown: durationSeconds.default(3600),
    enabled: z.boolean().default(true),
  })
  .strict();

export type AlertRuleInput = z.input<typeof alertRuleSchema>;
export type AlertRule = z.output<typeof alertRuleSchema>;

/**
 * The built-in rules, used when `alerts.rules` is not set. Thresholds are starting points from common practice,
 * not measured on your data: compare them with `pickwise feedback stats` and set your own rules once you know your
 * baseline. Why each one:
 * - satisfaction drop 0.1: net satisfaction is in [-1, 1]; a new version losing a tenth of that range against the
 *   previous one over a day, on at least 200 selects + cancels (below that, one user's clicks move it by > 0.005),
 *   is beyond day-to-day noise and worth a rollback decision (`pickwise models rollback`).
 * - cancel rate 0.25: one select in four undone. Booking businesses commonly see cancellations around one in ten; a
 *   rate well over twice that points at recommendations people regret (or a broken flow), not at chance.
 * - ingest failed / file rejected > 0: the pipeline is silent otherwise; one failed or rejected file means a day of
 *   data missing from training.
 * - data older than 36 h: landing files usually arrive daily; 36 h is one missed delivery plus half a day of slack.
 * - model load failed > 0: `serve` keeps the previous model, so nobody notices unless told.
 * - API error rate 1 % and p99 250 ms over 5 minutes on at least 100 requests: 99 % success is a common minimum
 *   availability objective; the API answers in under 20 ms at p99 on modest hardware (BENCHMARKS.md), so 250 ms is
 *   an order of magnitude off.
 */
export const DEFAULT_ALERT_RULES: readonly AlertRuleInput[] = [
  {
    name: 'satisfaction-drop',
    metric: 'net_satisfaction_drop_vs_previous',
    scope: 'serving-model',
    op: '>',
    threshold: 0.1,
    window: '24h',
    minEvents: 200,
    for: '30m',
    cooldown: '6h',
  },
  {
    name: 'cancel-rate-high',
    metric: 'cancel_rate',
    scope: 'serving-model',
    op: '>',
    threshold: 0.25,
    window: '24h',
    minEvents: 100,
    for: '30m',
    cooldown: '6h',
  },
  { name: 'ingest-failed', metric: 'ingest_failed', scope: 'all', op: '>', threshold: 0, window: '24h', cooldown: '1h' },
  { name: 'file-rejected', metric: 'files_rejected', scope: 'all', op: '>', threshold: 0, window: '24h', cooldown: '1h' },
  { name: 'data-stale', metric: 'data_age_hours', scope: 'all', op: '>', threshold: 36, window: '1h', cooldown: '12h' },
  { name: 'model-load-failed', metric: 'model_load_failed', scope: 'serving-model', op: '>', threshold: 0, window: '15m', cooldown: '1h' },
  { name: 'api-error-rate', metric: 'api_error_rate', scope: 'all', op: '>', threshold: 0.01, window: '5m', minEvents: 100, for: '5m', cooldown: '1h' },
  { name: 'api-p99', metric: 'api_p99_ms', scope: 'all', op: '>', threshold: 250, window: '5m', minEvents: 100, for: '10m', cooldown: '1h' },
];

export const alertsSchema = z
  .object({
    /** Evaluate the rules (inside `pickwise serve`) and send notifications. */
    enabled: z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]).default(true),
    /** How often the rules are evaluated (a duration); every rule's window is at least this long. */
    evaluateEvery: durationSeconds.pipe(z.number().min(1, 'must be at least 1 second')).default(60),
    /** Link put in every notification (the dashboard page people open first). */
    dashboardUrl: z.string().url().optional(),
    /** The rules; unset: {@link DEFAULT_ALERT_RULES}. An empty list turns every rule off. */
    rules: z.array(alertRuleSchema).optional(),
    slack: z
      .object({
        /** A Slack incoming-webhook URL (`https://hooks.slack.com/services/…`): a secret, never logged or printed. */
        webhookUrl: z.string().url().optional(),
        /** Seconds before one request is abandoned (and retried). */
        timeoutSeconds: z.coerce.number().positive().max(300).default(10),
        /** Requests per message (first try included) on a lost connection, a timeout, a 5xx or a 429, before it is logged as undeliverable. */
        maxAttempts: z.coerce.number().int().min(1).max(20).default(4),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .transform((alerts, ctx) => {
    const rules = alerts.rules ?? DEFAULT_ALERT_RULES.map((r) => alertRuleSchema.parse(r));
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
      const at = (key: string) => (alerts.rules === undefined ? ['rules', rule.name] : ['rules', i, key]);
      const spec = ALERT_METRICS[rule.metric];
      if (seen.has(rule.name))
        ctx.addIssue({ code: 'custom', path: at('name'), message: `duplicate rule name ${JSON.stringify(rule.name)}: names must be unique` });
      seen.add(rule.name);
      if (!metricSupportsScope(rule.metric, rule.scope)) {
        ctx.addIssue({
          code: 'custom',
          path: at('scope'),
          message: `metric ${rule.metric} has no scope ${JSON.stringify(rule.scope)}; it supports ${spec.scopes.join(', ')}`,
        });
      }
      if (rule.threshold < spec.range[0] || rule.threshold > spec.range[1]) {
        const range = spec.range[1] === Number.POSITIVE_INFINITY ? `at least ${spec.range[0]}` : `between ${spec.range[0]} and ${spec.range[1]}`;
        ctx.addIssue({ code: 'custom', path: at('threshold'), message: `threshold ${rule.threshold} is impossible for ${rule.metric}: it must be ${range}` });
      }
      if (rule.window < alerts.evaluateEvery) {
        ctx.addIssue({
          code: 'custom',
          path: at('window'),
          message: `window ${rule.window} s is shorter than alerts.evaluateEvery (${alerts.evaluateEvery} s): events between two evaluations would never be seen`,
        });
      }
    });
    return { ...alerts, rules };
  });

export type AlertsConfig = z.output<typeof alertsSchema>;
export type SlackConfig = AlertsConfig['slack'];
