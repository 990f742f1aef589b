import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allPanels, concreteExpr, GRAFANA_DIR, readDashboard } from '../support/grafana-dashboard.ts';

/** The Grafana dashboard's structure (its queries run against a real Prometheus in prometheus-scrape.test.ts). */
describe('monitoring/grafana', () => {
  const dashboard = readDashboard();
  const panels = allPanels(dashboard);
  const DS = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };

  it('has a uid, a title, and one datasource variable every panel and target uses', () => {
    expect(dashboard.uid).toBe('pickwise');
    expect(dashboard.title).toBe('pickwise');
    const dsVars = dashboard.templating.list.filter((v) => v.type === 'datasource');
    expect(dsVars).toMatchObject([{ name: 'DS_PROMETHEUS', query: 'prometheus' }]);
    for (const p of panels.filter((p) => p.type !== 'row')) {
      expect(p.datasource, `panel ${p.id} ${p.title}`).toEqual(DS);
      for (const t of p.targets ?? []) expect(t.datasource, `panel ${p.id} target ${t.refId}`).toEqual(DS);
    }
  });

  it('panel ids are unique, every panel has a gridPos inside the 24 columns, and no two panels overlap', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const boxes = panels.map((p) => {
      expect(p.gridPos, `panel ${p.id} ${p.title}`).toBeDefined();
      const g = p.gridPos!;
      for (const k of ['h', 'w', 'x', 'y'] as const) expect(Number.isInteger(g[k]) && g[k] >= 0, `panel ${p.id} gridPos.${k}`).toBe(true);
      expect(g.w, `panel ${p.id} width`).toBeGreaterThan(0);
      expect(g.x + g.w, `panel ${p.id} right edge`).toBeLessThanOrEqual(24);
      return { id: p.id, ...g };
    });
    for (const a of boxes)
      for (const b of boxes)
        if (a.id < b.id) {
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect(overlap, `panels ${a.id} and ${b.id} overlap`).toBe(false);
        }
  });

  it('every panel but a row has targets with an expression and unique refIds, and uses no unknown variable', () => {
    const names = new Set(dashboard.templating.list.map((v) => v.name));
    for (const p of panels.filter((p) => p.type !== 'row')) {
      const targets = p.targets ?? [];
      expect(targets.length, `panel ${p.id} ${p.title} has no target`).toBeGreaterThan(0);
      expect(new Set(targets.map((t) => t.refId)).size, `panel ${p.id} refIds`).toBe(targets.length);
      for (const t of targets) {
        expect(t.expr.trim(), `panel ${p.id} target ${t.refId}`).not.toBe('');
        for (const [, v] of t.expr.matchAll(/\$(\w+)/g)) expect(v!.startsWith('__') || names.has(v!), `panel ${p.id}: unknown variable $${v}`).toBe(true);
        expect(concreteExpr(dashboard, t.expr)).not.toContain('$');
      }
    }
  });

  it('covers satisfaction per model version, the funnel, pipeline health, the registry, API latency and errors, and served-list recording', () => {
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual(['Satisfaction per model version', 'Funnel', 'Pipeline health', 'Model registry', 'API latency and errors', 'Served-list recording']);
  });

  it('the provisioning files name the datasource uid the dashboard selects, and the dashboards folder', () => {
    const ds = parse(readFileSync(path.join(GRAFANA_DIR, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')) as {
      apiVersion: number;
      datasources: { type: string; uid: string; url: string }[];
    };
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources).toMatchObject([{ type: 'prometheus', uid: 'pickwise-prometheus' }]);
    const current = dashboard.templating.list.find((v) => v.name === 'DS_PROMETHEUS')!.current;
    expect(current?.value).toBe('pickwise-prometheus');
    const boards = parse(readFileSync(path.join(GRAFANA_DIR, 'provisioning', 'dashboards', 'pickwise.yml'), 'utf8')) as {
      apiVersion: number;
      providers: { type: string; options: { path: string } }[];
    };
    expect(boards.apiVersion).toBe(1);
    expect(boards.providers).toMatchObject([{ type: 'file' }]);
    expect(boards.providers[0]!.options.path).toMatch(/^\//);
  });

  it('every alert rule links to this dashboard', () => {
    const alerts = parse(readFileSync(path.join(GRAFANA_DIR, '..', 'prometheus', 'rules', 'pickwise-alerts.yml'), 'utf8')) as {
      groups: { rules: { alert: string; annotations: { dashboard?: string; summary?: string } }[] }[];
    };
    for (const rule of alerts.groups.flatMap((g) => g.rules)) {
      expect(rule.annotations.summary, rule.alert).toBeTruthy();
      expect(rule.annotations.dashboard, rule.alert).toMatch(new RegExp(`/d/${dashboard.uid}/`));
    }
  });
});
