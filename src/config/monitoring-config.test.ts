import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/index.ts';
import { loadConfig } from './load-config.ts';

const problem = (monitoring: Record<string, unknown>): string => {
  try {
    loadConfig({ file: false, overrides: { monitoring } });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a config error');
};

describe('monitoring config', () => {
  it('defaults to 10 versions per model name on /metrics and a dashboard refresh every 30 s, and takes the environment', () => {
    expect(loadConfig({ file: false }).monitoring).toEqual({ metricVersions: 10, dashboardRefreshSeconds: 30 });
    const env = { PICKWISE_MONITORING__METRIC_VERSIONS: '3', PICKWISE_MONITORING__DASHBOARD_REFRESH_SECONDS: '60' };
    expect(loadConfig({ file: false, env }).monitoring).toEqual({ metricVersions: 3, dashboardRefreshSeconds: 60 });
  });

  it('refuses values that would unbound /metrics or hammer the warehouse, naming the key', () => {
    expect(problem({ metricVersions: 0 })).toMatch(/monitoring\.metricVersions/);
    expect(problem({ metricVersions: 1000 })).toMatch(/monitoring\.metricVersions/);
    expect(problem({ dashboardRefreshSeconds: 1 })).toMatch(/monitoring\.dashboardRefreshSeconds/);
    expect(problem({ refresh: 5 })).toMatch(/refresh/);
  });
});
