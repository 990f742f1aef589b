import path from 'node:path';
import { z } from 'zod';
import type { AlertMetric } from '../../config/index.ts';
import {
  AlertStateFile,
  createNotifiers,
  formatDuration,
  formatValue,
  routeMetrics,
  servingModelFromConfig,
  WarehouseMetricSource,
  type AlertNotification,
  type AlertPhase,
} from '../../monitoring/index.ts';
import { BackendUnavailableError } from '../../shared/index.ts';
import { defineCommand } from '../command.ts';
import { formatTable } from '../table.ts';

interface TestResult {
  readonly notifiers: { name: string; delivered: boolean; error?: string }[];
  readonly slackConfigured: boolean;
}

export const alertsTestCommand = defineCommand({
  name: 'alerts test',
  description: 'Send one test message through every configured notifier (the log, and Slack when alerts.slack.webhookUrl is set)',
  options: z.object({}),
  async run(runtime): Promise<TestResult> {
    const now = new Date().toISOString();
    const message: AlertNotification = {
      kind: 'test',
      rule: 'pickwise-alerts-test',
      metric: 'net_satisfaction',
      scope: 'all',
      subject: null,
      op: '<',
      threshold: 0,
      value: null,
      events: 0,
      window: runtime.config.alerts.evaluateEvery,
      since: now,
      at: now,
    };
    const notifiers: TestResult['notifiers'] = [];
    for (const notifier of createNotifiers(runtime.config.alerts, runtime.logger)) {
      try {
        await notifier.notify(message);
        notifiers.push({ name: notifier.name, delivered: true });
      } catch (error) {
        notifiers.push({ name: notifier.name, delivered: false, error: error instanceof Error ? error.message : String(error) });
      }
    }
    const failed = notifiers.filter((n) => !n.delivered);
    if (failed.length > 0) {
      throw new BackendUnavailableError(`test message not delivered: ${failed.map((n) => `${n.name}: ${n.error}`).join('; ')}`, { details: { notifiers } });
    }
    return { notifiers, slackConfigured: runtime.config.alerts.slack.webhookUrl !== undefined };
  },
  print(r, io) {
    for (const n of r.notifiers) io.out(`${n.name}: test message delivered`);
    if (!r.slackConfigured) io.out('Slack is not configured: set alerts.slack.webhookUrl (or PICKWISE_ALERTS__SLACK__WEBHOOK_URL) to an incoming-webhook URL.');
  },
});

interface ListedRule {
  readonly name: string;
  readonly metric: AlertMetric;
  readonly scope: string;
  readonly condition: string;
  readonly window: string;
  readonly enabled: boolean;
  readonly phase: AlertPhase | 'not evaluated';
  readonly since: string | null;
  readonly lastValue: number | null;
  readonly lastEvents: number | null;
  readonly lastSubject: string | null;
  readonly lastEvaluatedAt: string | null;
  readonly hold: string | null;
  /** With `--now`: the metric read now (not saved, nothing notified). */
  readonly now?: { value: number | null; events: number; subject: string | null } | { reason: string };
}

export const alertsListCommand = defineCommand({
  name: 'alerts list',
  description: 'Alert rules with their scope, state (ok, pending, firing, resolved), last value and since when',
  options: z.object({
    now: z.boolean().optional().describe('also read each metric from the warehouse now (nothing is saved or notified)'),
  }),
  async run(runtime, o): Promise<{ enabled: boolean; evaluateEvery: number; stateFile: string; rules: ListedRule[] }> {
    const { alerts } = runtime.config;
    const stateFile = new AlertStateFile(runtime.config.home);
    const { states, damaged } = await stateFile.load({ readOnly: true });
    if (damaged)
      runtime.logger.warn(
        { file: stateFile.file, reason: damaged.reason },
        'alert state file unreadable: states not shown (serve moves it aside and starts afresh)',
      );
    const current = new Map<string, ListedRule['now']>();
    if (o.now === true) {
      const warehouse = await runtime.warehouse();
      const source = routeMetrics({
        warehouse: new WarehouseMetricSource({ warehouse, servingModel: servingModelFromConfig(warehouse, runtime.config.serve) }),
      });
      const at = new Date();
      for (const rule of alerts.rules) {
        const r = await source.read(rule, at);
        current.set(rule.name, r.ok ? { value: r.reading.value, events: r.reading.events, subject: r.reading.subject ?? null } : { reason: r.reason });
      }
    }
    const rules = alerts.rules.map((rule): ListedRule => {
      const s = states.get(rule.name);
      const state = s !== undefined && s.scope === rule.scope ? s : undefined;
      return {
        name: rule.name,
        metric: rule.metric,
        scope: rule.scope,
        condition: `${rule.op} ${formatValue(rule.metric, rule.threshold)}${rule.minEvents > 0 ? ` on ≥ ${rule.minEvents} events` : ''}${rule.for > 0 ? ` for ${formatDuration(rule.for)}` : ''}`,
        window: formatDuration(rule.window),
        enabled: rule.enabled,
        phase: state?.phase ?? 'not evaluated',
        since: state?.since ?? null,
        lastValue: state?.lastValue ?? null,
        lastEvents: state?.lastEvents ?? null,
        lastSubject: state?.lastSubject ?? null,
        lastEvaluatedAt: state?.lastEvaluatedAt ?? null,
        hold: state?.hold ?? null,
        ...(current.has(rule.name) ? { now: current.get(rule.name) } : {}),
      };
    });
    return { enabled: alerts.enabled, evaluateEvery: alerts.evaluateEvery, stateFile: path.relative(process.cwd(), stateFile.file) || stateFile.file, rules };
  },
  print(r, io) {
    if (r.rules.length === 0) {
      io.out('No alert rules (alerts.rules is an empty list).');
      return;
    }
    io.out(
      `alerts ${r.enabled ? 'on' : 'off (alerts.enabled is false)'}, evaluated every ${formatDuration(r.evaluateEvery)} inside pickwise serve; states from ${r.stateFile}`,
    );
    const rows = [
      ['rule', 'metric', 'scope', 'condition', 'window', 'state', 'since (UTC)', 'last value', 'events', ...(r.rules.some((x) => x.now) ? ['now'] : [])],
      ...r.rules.map((x) => [
        x.name,
        x.metric,
        x.lastSubject === null ? x.scope : `${x.scope} (${x.lastSubject})`,
        x.condition,
        x.window,
        `${x.enabled ? x.phase : 'disabled'}${x.hold === null ? '' : ` (held: ${x.hold})`}`,
        x.since === null ? '—' : x.since.replace('T', ' ').slice(0, 16),
        formatValue(x.metric, x.lastValue),
        x.lastEvents === null ? '—' : String(x.lastEvents),
        ...(x.now === undefined ? [] : ['reason' in x.now ? x.now.reason : `${formatValue(x.metric, x.now.value)} on ${x.now.events} events`]),
      ]),
    ];
    for (const line of formatTable(rows)) io.out(line);
  },
});
