import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROMETHEUS_DIR, prometheusOrSkip, promtool } from '../support/prometheus-server.ts';

interface RuleFile {
  groups: { name: string; rules: ({ alert: string; expr: string; for?: string } | { record: string; expr: string })[] }[];
}
interface TestFile {
  rule_files: string[];
  tests: { name?: string; alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

const readYaml = <T>(file: string) => parse(readFileSync(file, 'utf8')) as T;
const alertRules = readYaml<RuleFile>(path.join(PROMETHEUS_DIR, 'rules', 'pickwise-alerts.yml')).groups.flatMap((g) => g.rules);
const testFiles = readdirSync(path.join(PROMETHEUS_DIR, 'tests'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => path.join('tests', f));

/** The shipped Prometheus files, checked and unit-tested with promtool on synthetic series. */
describe('monitoring/prometheus with promtool', () => {
  const bin = prometheusOrSkip();

  it.skipIf(!bin)('promtool accepts the scrape config, with both rule files it names', async () => {
    const r = await promtool(bin!, ['check', 'config', 'prometheus.yml']);
    expect(r.output).toContain('SUCCESS: 2 rule files found');
    expect(r.code, r.output).toBe(0);
  });

  it.skipIf(!bin)('promtool accepts the recording and alert rules', async () => {
    const r = await promtool(bin!, ['check', 'rules', 'rules/pickwise-recording.yml', 'rules/pickwise-alerts.yml']);
    expect(r.output).toContain(`SUCCESS: ${alertRules.length} rules found`);
    expect(r.code, r.output).toBe(0);
  });

  it.skipIf(!bin)('promtool test rules passes every unit-test file', async () => {
    expect(testFiles.length).toBeGreaterThan(0);
    const r = await promtool(bin!, ['test', 'rules', ...testFiles]);
    expect(r.code, r.output).toBe(0);
    expect(r.output.match(/SUCCESS/g)).toHaveLength(testFiles.length);
  });

  it('the unit tests make every alert rule fire, and keep it quiet at least once', () => {
    const cases = testFiles.flatMap((f) => readYaml<TestFile>(path.join(PROMETHEUS_DIR, f)).tests.flatMap((t) => t.alert_rule_test ?? []));
    const names = alertRules.map((r) => ('alert' in r ? r.alert : r.record));
    expect(names.length).toBeGreaterThanOrEqual(8);
    for (const name of names) {
      const own = cases.filter((c) => c.alertname === name);
      expect(
        own.some((c) => (c.exp_alerts ?? []).length > 0),
        `${name} never fires in a unit test`,
      ).toBe(true);
      expect(
        own.some((c) => (c.exp_alerts ?? []).length === 0),
        `${name} is never tested quiet`,
      ).toBe(true);
    }
    // No test names an alert that does not exist (a renamed rule would leave its test asserting nothing).
    expect(names).toEqual(expect.arrayContaining([...new Set(cases.map((c) => c.alertname))]));
  });

  it('every unit-test file loads the shipped rule files', () => {
    for (const f of testFiles) {
      expect(readYaml<TestFile>(path.join(PROMETHEUS_DIR, f)).rule_files.sort(), f).toEqual([
        '../rules/pickwise-alerts.yml',
        '../rules/pickwise-recording.yml',
      ]);
    }
  });

  it('alert thresholds, minimum events and for: durations equal the built-in alert defaults', async () => {
    const { DEFAULT_ALERT_RULES } = await import('../../src/config/index.ts');
    const byRule = new Map(alertRules.flatMap((r) => ('alert' in r ? [[(r as { labels?: { rule?: string } }).labels?.rule, r] as const] : [])));
    const seconds = (d: string | number | undefined) => {
      if (d === undefined || typeof d === 'number') return d ?? 0;
      const [, n, unit] = /^(\d+)([smh])$/.exec(d)!;
      return Number(n) * { s: 1, m: 60, h: 3600 }[unit as 's' | 'm' | 'h'];
    };
    /** How each rule's threshold reads in PromQL (units: hours as seconds, milliseconds as seconds). */
    const thresholdText: Record<string, (t: number) => string> = {
      'satisfaction-drop': (t) => `) > ${t}`,
      'cancel-rate-high': (t) => `{window="24h"} > ${t}`,
      'ingest-failed': (t) => `:sum > ${t}`,
      'data-stale': (t) => `> ${t} * 3600`,
      'model-load-failed': (t) => `:increase15m > ${t}`,
      'api-error-rate': (t) => `:ratio_rate5m > ${t}`,
      'api-p99': (t) => `:p99_5m > ${t / 1000}`,
    };
    for (const rule of DEFAULT_ALERT_RULES) {
      // Folded into ingest-failed: /metrics describes the last ingest run, not the ledger's files.
      if (rule.name === 'file-rejected') continue;
      const prom = byRule.get(rule.name);
      expect(prom, `no Prometheus rule mirrors ${rule.name}`).toBeDefined();
      expect(seconds(prom!.for), `${rule.name} for:`).toBe(seconds(rule.for));
      expect(prom!.expr, `${rule.name} threshold`).toContain(thresholdText[rule.name]!(rule.threshold));
      if (rule.minEvents) expect(prom!.expr, `${rule.name} minEvents`).toContain(`>= ${rule.minEvents}`);
    }
  });
});
