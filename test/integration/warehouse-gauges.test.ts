/**
 * The warehouse gauges of /metrics over a warehouse with 100 versions of a model, each with feedback on 3 bases:
 * the series a scrape returns stay within the documented bound (the served version and the newest
 * monitoring.metricVersions), no label carries a user or service id, and scrapes within the cache period read the
 * warehouse once.
 */
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardData } from '../../src/monitoring/index.ts';
import { GAUGE_CACHE_SECONDS, registerWarehouseGauges } from '../../src/serve/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { FeedbackRepo, migrateToLatest, openWarehouse, type Warehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { storedFeedbackRow } from '../support/feedback-events.ts';
import { servedList } from '../support/served-list.ts';

const NOW = new Date('2026-03-02T10:30:00Z');
const VERSIONS = 100;
const BASES = ['model', 'popular', 'popular-in-region'];
const TYPES = ['impression', 'select', 'cancel', 'reserve', 'complete'];
const KEEP = 10;
const SERVED = 3;
const ALLOWED_LABELS = new Set(['model', 'version', 'basis', 'window', 'type', 'reason']);

/** Series of a text exposition: `name{labels} value` lines. */
function series(text: string): { name: string; labels: Record<string, string> }[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-z_0-9]+)(?:\{(.*)\})? /.exec(l)!;
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
      return { name: m[1]!, labels };
    });
}

describe('warehouse gauges of /metrics', () => {
  const backend = warehouseBackends()[0]!;
  let url: string;
  let warehouse: Warehouse;

  beforeAll(async () => {
    url = await backend.newDatabaseUrl('warehouse_gauges');
    warehouse = await openWarehouse({ url });
    await migrateToLatest(warehouse);
    const at = '2026-03-02 10:05:00.000';
    await warehouse.db
      .insertInto('registryVersion')
      .values(
        Array.from({ length: VERSIONS }, (_, i) => ({ modelName: 'shop', version: i + 1, runId: `run${i + 1}`, status: 'active' as const, createdAt: at })),
      )
      .execute();
    await warehouse.db
      .insertInto('trackMetric')
      .values(Array.from({ length: VERSIONS }, (_, i) => ({ runId: `run${i + 1}`, name: 'holdout.ndcg', step: 0, value: 0.1 })))
      .execute();
    let n = 0;
    const rows: ReturnType<typeof storedFeedbackRow>[] = [];
    for (let v = 1; v <= VERSIONS; v++)
      for (const basis of BASES)
        for (const type of TYPES)
          rows.push(
            storedFeedbackRow({
              eventId: `e${n++}`,
              userId: `U${n}`,
              serviceId: `S${n}`,
              type,
              at,
              attribution: 'list',
              modelName: 'shop',
              modelVersion: v,
              basis,
            }),
          );
    rows.push(storedFeedbackRow({ eventId: 'none', at }));
    const repo = new FeedbackRepo(warehouse);
    await repo.inTransaction((r) => r.insertEvents(rows));
    await repo.insertServedLists(
      Array.from({ length: VERSIONS }, (_, i) => servedList(`r${i}`, [[`S${i}`, 1]], { registryVersion: i + 1, createdAt: at, userId: `U${i}` })),
    );
  });
  afterAll(async () => {
    await warehouse?.close();
    await backend.dropDatabase(url);
  });

  it('exports the served version and the newest metricVersions only, within the documented bound, with no id in a label', async () => {
    const registry = new Registry();
    const data = new DashboardData({ warehouse, clock: () => NOW, servingModel: async () => ({ name: 'shop', version: SERVED }) });
    registerWarehouseGauges({ registry, data, metricVersions: KEEP, logger: silentLogger(), clock: () => NOW });
    const all = series(await registry.metrics());
    const versions = new Set(all.flatMap((s) => (s.labels.version ? [Number(s.labels.version)] : [])));
    expect([...versions].sort((a, b) => a - b)).toEqual([SERVED, ...Array.from({ length: KEEP }, (_, i) => VERSIONS - KEEP + 1 + i)]);
    // The bound of registerWarehouseGauges' documentation with V = KEEP + 1 versions, B = 3 bases (and '' for unattributed rows).
    const V = KEEP + 1;
    const B = BASES.length;
    const bound = 5 * (V * B + 1) * 3 + 3 * (V * B + 1) * 3 + 2 * V * 3 + 3 * V + 3 + 5;
    expect(all.length).toBeLessThanOrEqual(bound);
    expect(all.filter((s) => s.name === 'pickwise_feedback_window_events')).toHaveLength((V * B + 1) * 5 * 3);
    for (const s of all) {
      for (const [label, value] of Object.entries(s.labels)) {
        expect(ALLOWED_LABELS.has(label)).toBe(true);
        expect(value).not.toMatch(/^[US]\d/);
      }
    }
    const served = all.filter((s) => s.name === 'pickwise_offline_ndcg_at_10').map((s) => s.labels.version);
    expect(served).toHaveLength(V);
  });

  it('reads the warehouse once per cache period however often it is scraped', async () => {
    let now = NOW.getTime();
    let reads = 0;
    class CountingData extends DashboardData {
      override async pipeline() {
        reads++;
        return super.pipeline();
      }
    }
    const counting = new CountingData({ warehouse, clock: () => NOW, servingModel: async () => undefined });
    const registry = new Registry();
    registerWarehouseGauges({ registry, data: counting, metricVersions: KEEP, logger: silentLogger(), clock: () => new Date(now) });
    await registry.metrics();
    await registry.metrics();
    now += (GAUGE_CACHE_SECONDS - 1) * 1000;
    await registry.metrics();
    expect(reads).toBe(1);
    now += 2000;
    const text = await registry.metrics();
    expect(reads).toBe(2);
    expect(text).toContain('pickwise_unattributed_share{window="24h"}');
  });
});
