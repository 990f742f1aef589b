import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './run-cli.ts';

/** The shipped Grafana files. */
export const GRAFANA_DIR = path.join(REPO_ROOT, 'monitoring', 'grafana');

export interface DashboardTarget {
  readonly refId: string;
  readonly expr: string;
  readonly datasource?: { type?: string; uid?: string };
}
export interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos?: { h: number; w: number; x: number; y: number };
  readonly datasource?: { type?: string; uid?: string };
  readonly targets?: readonly DashboardTarget[];
  readonly panels?: readonly DashboardPanel[];
}
export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly DashboardPanel[];
  readonly templating: { list: readonly { name: string; type: string; query: string; current?: { value?: string } }[] };
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(path.join(GRAFANA_DIR, 'dashboards', 'pickwise.json'), 'utf8')) as Dashboard;
}

/** Every panel, those inside collapsed rows included. */
export function allPanels(d: Dashboard): DashboardPanel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/**
 * A target's expression as Grafana would send it: its range variables replaced by concrete ranges (a 1 s scrape
 * interval makes 1m hold many samples) and each dashboard variable by its default value.
 */
export function concreteExpr(d: Dashboard, expr: string): string {
  let out = expr.replaceAll('$__rate_interval', '1m').replaceAll('$__interval', '15s').replaceAll('$__range', '5m');
  for (const v of d.templating.list) if (v.type !== 'datasource' && v.current?.value) out = out.replaceAll(`$${v.name}`, v.current.value);
  return out;
}
