/**
 * The dashboard's data routes (/v1/dashboard/*) through the API: answers in the contract's shapes, read access behind
 * API keys when keysForReads is on, their OpenAPI entries, and a problem document for every bad range.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardData, ServingSignals } from '../../src/monitoring/index.ts';
import { buildApp, createServeMetrics, ModelHolder, type AccessConfig } from '../../src/serve/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { FeedbackRepo } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { storedFeedbackRow } from '../support/feedback-events.ts';
import { createIngestFixture, type IngestFixture } from '../support/ingest-fixture.ts';

const KEY = 'dashboard-key-0123456789';
const OPEN: AccessConfig = { apiKeys: [], keysForReads: false, keysForMetrics: false, keysForDocs: false };
const NOW = new Date('2026-03-02T10:30:00Z');
type Problem = { type: string; title: string; status: number; detail: string; code: string };

describe('dashboard data routes', () => {
  let fx: IngestFixture;
  let url: string;
  const backend = warehouseBackends()[0]!;
  const signals = new ServingSignals({ clock: () => NOW });

  beforeAll(async () => {
    url = await backend.newDatabaseUrl('dashboard_routes');
    fx = await createIngestFixture(url);
    await new FeedbackRepo(fx.warehouse).inTransaction((r) =>
      r.insertEvents([
        storedFeedbackRow({ eventId: 'e1', at: '2026-03-02 09:10:00.000', attribution: 'list', modelName: 'shop', modelVersion: 1, basis: 'model' }),
        storedFeedbackRow({
          eventId: 'e2',
          type: 'select',
          at: '2026-03-02 09:11:00.000',
          attribution: 'list',
          modelName: 'shop',
          modelVersion: 1,
          basis: 'model',
        }),
      ]),
    );
    for (let i = 0; i < 10; i++) signals.response(i === 0 ? 500 : 200, 3);
  });
  afterAll(async () => {
    await fx.close();
    await backend.dropDatabase(url);
  });

  const app = (o: { access?: Partial<AccessConfig>; latency?: boolean } = {}) => {
    const logger = silentLogger();
    const data = new DashboardData({ warehouse: fx.warehouse, clock: () => NOW, servingModel: async () => ({ name: 'shop', version: 1 }) });
    return buildApp({
      holder: new ModelHolder({ warehouse: fx.warehouse, store: fx.store, choice: { alias: 'champion' }, logger }),
      warehouse: fx.warehouse,
      metrics: createServeMetrics(),
      config: { ...OPEN, ...o.access, maxBatchUsers: 10 },
      logger,
      dashboard: { data, ...(o.latency === false ? {} : { latency: (minutes: number) => signals.summary(minutes) }) },
    });
  };

  it('answers summary, satisfaction, funnel, pipeline and registry in the shapes of the contract', async () => {
    const api = await app();
    const summary = await api.inject({ url: '/v1/dashboard/summary?window=24h' });
    expect(summary.statusCode).toBe(200);
    expect(summary.json().rows).toEqual([
      expect.objectContaining({
        model: 'shop',
        version: 1,
        basis: 'model',
        impressions: 1,
        selects: 1,
        selectRate: 1,
        serving: true,
        lists: 0,
        coverage: null,
      }),
    ]);
    const sat = (await api.inject({ url: '/v1/dashboard/satisfaction?window=7d&bucket=day' })).json();
    expect(sat).toMatchObject({
      window: '7d',
      bucket: 'day',
      series: [{ model: 'shop', version: 1, points: [{ t: '2026-03-02T00:00:00.000Z', impressions: 1, selects: 1 }] }],
    });
    const ranged = (await api.inject({ url: '/v1/dashboard/satisfaction?from=2026-03-02T09:00:00Z&to=2026-03-02T09:59:59Z' })).json();
    expect(ranged).toMatchObject({ window: null, bucket: 'hour', from: '2026-03-02T09:00:00.000Z', to: '2026-03-02T09:00:00.000Z' });
    expect(ranged.series[0].points).toHaveLength(1);
    const funnel = (await api.inject({ url: '/v1/dashboard/funnel' })).json();
    expect(funnel.window).toBe('24h');
    expect(funnel.steps.map((s: { events: number }) => s.events)).toEqual([1, 1, 0, 0, 0]);
    const pipeline = await api.inject({ url: '/v1/dashboard/pipeline' });
    expect(pipeline.statusCode).toBe(200);
    expect(pipeline.json()).toMatchObject({ lastIngest: null, models: [], tuningStudiesRunning: 0 });
    expect((await api.inject({ url: '/v1/dashboard/registry' })).json()).toEqual({ models: [] });
  });

  it("answers latency from the serving process's samples, and says it is unavailable without them", async () => {
    const latency = (await (await app()).inject({ url: '/v1/dashboard/latency' })).json();
    expect(latency).toMatchObject({ available: true, window: '1h', responses: 10, errors: 1, errorRate: 0.1, modelSwaps: 0, failedLoads: 0 });
    expect(latency.p99Ms).toBeGreaterThanOrEqual(3);
    const none = (await (await app({ latency: false })).inject({ url: '/v1/dashboard/latency' })).json();
    expect(none).toEqual({ available: false, reason: expect.stringContaining('pickwise serve') });
  });

  it.each([
    ['/v1/dashboard/summary?window=2h', /window must be equal to one of the allowed values/],
    ['/v1/dashboard/funnel?window=30d', /window must be equal to one of the allowed values/],
    ['/v1/dashboard/satisfaction?bucket=minute', /bucket must be equal to one of the allowed values/],
    ['/v1/dashboard/satisfaction?window=1h', /window must be equal to one of the allowed values/],
    ['/v1/dashboard/latency?window=7d', /window must be equal to one of the allowed values/],
    [
      '/v1/dashboard/satisfaction?from=2026-03-02T10:00:00Z&to=2026-03-01T10:00:00Z',
      /from \(2026-03-02T10:00:00.000Z\) is after to \(2026-03-01T10:00:00.000Z\): swap them/,
    ],
    ['/v1/dashboard/satisfaction?from=2025-01-01T00:00:00Z&to=2026-03-01T00:00:00Z', /spans more than 90 days/],
    ['/v1/dashboard/satisfaction?from=2026-03-01T00:00:00Z', /give both from and to/],
    ['/v1/dashboard/satisfaction?window=7d&from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z', /a window or from and to, not both/],
    ['/v1/dashboard/satisfaction?from=yesterday&to=2026-03-02T00:00:00Z', /from 'yesterday' is not an ISO 8601 time/],
    ['/v1/dashboard/pipeline?window=24h', /unknown query parameter 'window': this route takes none/],
    ['/v1/dashboard/summary?since=1', /unknown query parameter 'since': this route takes window/],
  ])('refuses %s with a problem document', async (path, detail) => {
    const res = await (await app()).inject({ url: path });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json<Problem>();
    expect(body).toMatchObject({ type: 'about:blank', status: 400, code: 'VALIDATION_FAILED' });
    expect(body.detail).toMatch(detail);
  });

  it('needs a key for every data route when keys guard reads, and is described in the OpenAPI document', async () => {
    const api = await app({ access: { apiKeys: [KEY], keysForReads: true } });
    for (const route of ['summary', 'satisfaction', 'funnel', 'pipeline', 'registry', 'latency']) {
      expect((await api.inject({ url: `/v1/dashboard/${route}` })).statusCode).toBe(401);
      expect((await api.inject({ url: `/v1/dashboard/${route}`, headers: { 'x-api-key': KEY } })).statusCode).toBe(200);
    }
    const doc = (await (await app()).inject({ url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/v1/dashboard/'))).toEqual([
      '/v1/dashboard/summary',
      '/v1/dashboard/satisfaction',
      '/v1/dashboard/funnel',
      '/v1/dashboard/pipeline',
      '/v1/dashboard/registry',
      '/v1/dashboard/latency',
    ]);
  });
});
