import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../shared/index.ts';
import { DEFAULT_ALERT_RULES } from './alerts-schema.ts';
import { loadConfig, redactConfig } from './load-config.ts';

const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/very-secret-token';
const rule = { name: 'r', metric: 'cancel_rate', scope: 'all', op: '>', threshold: 0.3, window: '1h' };
const withRules = (rules: unknown[], extra: Record<string, unknown> = {}) => loadConfig({ file: false, overrides: { alerts: { rules, ...extra } } });
const problem = (rules: unknown[], extra: Record<string, unknown> = {}) => {
  try {
    withRules(rules, extra);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a config error');
};

describe('alerts config', () => {
  it('uses the built-in rules when alerts.rules is not set, every one valid at the default interval', () => {
    const alerts = loadConfig({ file: false }).alerts;
    expect(alerts.enabled).toBe(true);
    expect(alerts.evaluateEvery).toBe(60);
    expect(alerts.slack).toEqual({ timeoutSeconds: 10, maxAttempts: 4 });
    expect(alerts.rules.map((r) => r.name)).toEqual(DEFAULT_ALERT_RULES.map((r) => r.name));
    expect(alerts.rules.find((r) => r.name === 'data-stale')).toEqual({
      name: 'data-stale',
      metric: 'data_age_hours',
      scope: 'all',
      op: '>',
      threshold: 36,
      window: 3600,
      minEvents: 0,
      for: 0,
      cooldown: 43_200,
      enabled: true,
    });
  });

  it('reads rules with durations and word operators, and an empty list turns every rule off', () => {
    const alerts = withRules([{ ...rule, op: 'gte', for: '10m', cooldown: '2h', minEvents: 30 }]).alerts;
    expect(alerts.rules).toEqual([{ ...rule, op: '>=', window: 3600, for: 600, cooldown: 7200, minEvents: 30, enabled: true }]);
    expect(withRules([]).alerts.rules).toEqual([]);
  });

  it('accepts model:<name> scopes where the metric has them', () => {
    expect(withRules([{ ...rule, scope: 'model:als' }]).alerts.rules[0]!.scope).toBe('model:als');
  });

  it('rejects an unknown metric, naming the ones that exist', () => {
    expect(problem([{ ...rule, metric: 'cancel_ratio' }])).toMatch(
      /alerts\.rules\.0\.metric: unknown metric "cancel_ratio"; one of net_satisfaction, .*api_p99_ms/,
    );
  });

  it('rejects a bad operator', () => {
    expect(problem([{ ...rule, op: '=>' }])).toMatch(/alerts\.rules\.0\.op: unknown operator "=>"; one of >, >=, <, <=/);
  });

  it('rejects a window shorter than the evaluation interval', () => {
    expect(problem([{ ...rule, window: '30s' }], { evaluateEvery: '1m' })).toMatch(
      /alerts\.rules\.0\.window: window 30 s is shorter than alerts\.evaluateEvery \(60 s\)/,
    );
  });

  it('rejects thresholds the metric can never reach', () => {
    expect(problem([{ ...rule, threshold: -0.1 }])).toMatch(
      /alerts\.rules\.0\.threshold: threshold -0\.1 is impossible for cancel_rate: it must be at least 0/,
    );
    expect(problem([{ ...rule, metric: 'net_satisfaction', threshold: 1.5 }])).toMatch(/must be between -1 and 1/);
  });

  it('rejects duplicate names', () => {
    expect(problem([rule, { ...rule, threshold: 0.5 }])).toMatch(/alerts\.rules\.1\.name: duplicate rule name "r"/);
  });

  it('rejects a scope the metric does not have', () => {
    expect(problem([{ ...rule, metric: 'data_age_hours', scope: 'serving-model', threshold: 24 }])).toMatch(
      /alerts\.rules\.0\.scope: metric data_age_hours has no scope "serving-model"; it supports all/,
    );
  });

  it('rejects unknown keys in a rule and a missing threshold', () => {
    expect(problem([{ ...rule, treshold: 1 }])).toMatch(/alerts\.rules\.0: Unrecognized key.*treshold/);
    const { threshold: _t, ...noThreshold } = rule;
    expect(problem([noThreshold])).toMatch(/alerts\.rules\.0\.threshold/);
  });

  it('rejects an evaluation interval under a second and a webhook that is not a URL', () => {
    expect(problem([], { evaluateEvery: 0 })).toMatch(/alerts\.evaluateEvery: must be at least 1 second/);
    expect(problem([], { slack: { webhookUrl: 'hooks.slack.com/x' } })).toMatch(/alerts\.slack\.webhookUrl/);
  });

  it('reads the webhook from the environment and never prints it', () => {
    const config = loadConfig({ file: false, env: { PICKWISE_ALERTS__SLACK__WEBHOOK_URL: WEBHOOK, PICKWISE_ALERTS__SLACK__MAX_ATTEMPTS: '2' } });
    expect(config.alerts.slack).toEqual({ webhookUrl: WEBHOOK, timeoutSeconds: 10, maxAttempts: 2 });
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain('very-secret-token');
    expect(printed).not.toContain('T000');
    expect(redactConfig(config)).toMatchObject({ alerts: { slack: { webhookUrl: 'https://hooks.slack.com/***' } } });
  });
});

describe('the README alerts example', () => {
  it('is a valid configuration', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /```yaml\n(alerts:\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const alerts = loadConfig({ file: false, overrides: parseYaml(block!) as Record<string, unknown> }).alerts;
    expect(alerts.rules.map((r) => `${r.name} ${r.metric} ${r.scope} ${r.op} ${r.threshold}`)).toEqual([
      'cancel-rate-high cancel_rate serving-model > 0.25',
      'shop-select-rate-low select_rate model:shop < 0.02',
    ]);
  });
});
