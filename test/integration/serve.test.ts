import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/index.ts';
import { promoteVersion, runTrainJob } from '../../src/pipeline/index.ts';
import { buildApp, createServeMetrics, ModelHolder, startServer, type RunningServer } from '../../src/serve/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { openWarehouse, ServiceRepo, type ServiceRow } from '../../src/warehouse/index.ts';
import { createIngestFixture, SERVICES_HEADER, type IngestFixture } from '../support/ingest-fixture.ts';
import { warehouseBackends } from '../support/backends.ts';

type Item = { rank: number; service_id: string; name: string | null; category: string | null; score: number };
type List = { recommendation_id: string; user_id: string | null; basis: string; items: Item[]; warnings: { code: string; message: string }[] };

const OPEN = { apiKeys: [], keysForReads: false, keysForMetrics: false, keysForDocs: false } as const;

describe('recommendation API', () => {
  let fx: IngestFixture;
  let url: string;
  let services: Map<string, ServiceRow>;
  const backend = warehouseBackends()[0]!; // SQLite: the API reads models from the bucket and the registry
  const logger = silentLogger();
  const train = (kind: 'item-knn' | 'popular' | 'als' | 'bpr', registerAs = 'shop', params: Record<string, number> = {}) =>
    runTrainJob({ warehouse: fx.warehouse, store: fx.store, kind, params, logger, save: true, threads: 1, registerAs, holdout: 0 });

  beforeAll(async () => {
    url = await backend.newDatabaseUrl('serve');
    fx = await createIngestFixture(url);
    await fx.landGenerated({ users: 200, services: 30, reservations: 4000, seed: 5 });
    await fx.ingest();
    await train('item-knn');
    await promoteVersion({ warehouse: fx.warehouse, store: fx.store, logger, name: 'shop', version: 1, alias: 'champion', actor: 'test' });
    services = new Map((await new ServiceRepo(fx.warehouse.db).catalog()).services.map((s) => [s.serviceId, s]));
  });
  afterAll(async () => {
    await fx.close();
    await backend.dropDatabase(url);
  });

  const app = async (name = 'shop', maxBatchUsers = 100) => {
    const holder = new ModelHolder({ warehouse: fx.warehouse, store: fx.store, choice: { name, alias: 'champion' }, logger });
    await holder.start();
    return { holder, api: await buildApp({ holder, warehouse: fx.warehouse, metrics: createServeMetrics(), config: { ...OPEN, maxBatchUsers }, logger }) };
  };
  const named = (items: Item[]) => items.every((i) => i.name === services.get(i.service_id)?.name && i.category === services.get(i.service_id)?.category);

  it('answers a known user with the champion model, unknown users with the flagged popular list, every service with its name and category', async () => {
    const { api } = await app();
    const r = await api.inject({ url: '/v1/users/U0000002/recommendations?k=5' });
    expect(r.statusCode).toBe(200);
    const body = r.json() as List & { model: { name: string; registry_version: number } };
    expect(body.basis).toBe('model');
    expect(body.model).toMatchObject({ name: 'shop', registry_version: 1, kind: 'item-knn' });
    expect(body.items.map((i) => i.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(body.items.every((i) => i.name !== null)).toBe(true);
    expect(named(body.items)).toBe(true);
    expect(body.warnings).toEqual([]);
    expect(body.recommendation_id).toMatch(/^[0-9a-f-]{36}$/);
    const unknown = (await api.inject({ url: '/v1/users/nobody/recommendations?k=3' })).json() as List;
    expect(unknown).toMatchObject({ basis: 'popular', warnings: [] });
    expect(unknown.items).toHaveLength(3);
    expect(named(unknown.items)).toBe(true);
    // A user who registered after training: popular services in their region.
    const region = [...services.values()].find((s) => s.region !== null)!.region!;
    await fx.land('users-late.csv', `user_id,signup_at,gender,birth_year,region\nU9999999,2024-06-01T00:00:00Z,F,1990,${region}\n`);
    await fx.ingest();
    const late = (await api.inject({ url: '/v1/users/U9999999/recommendations?k=3' })).json() as List;
    expect(late.basis).toBe('popular-in-region');
    expect(late.items.length).toBeGreaterThan(0);
    expect(late.items.every((i) => services.get(i.service_id)?.region === region)).toBe(true);
    const similar = await api.inject({ url: `/v1/services/${body.items[0]!.service_id}/similar?k=4` });
    expect(similar.statusCode).toBe(200);
    const similarItems = (similar.json() as { items: Item[] }).items;
    expect(similarItems).toHaveLength(4);
    expect(named(similarItems)).toBe(true);
    expect((await api.inject({ url: '/v1/models/current' })).json()).toMatchObject({
      name: 'shop',
      registry_version: 1,
      alias: 'champion',
      catalog_read_at: expect.stringMatching(/^\d{4}-/),
    });
    expect((await api.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await api.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', model: true, database: true });
    const spec = (await api.inject({ url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths).sort()).toEqual([
      '/healthz',
      '/metrics',
      '/readyz',
      '/v1/models/current',
      '/v1/recommendations',
      '/v1/recommendations/batch',
      '/v1/services/{serviceId}/similar',
      '/v1/users/{userId}/recommendations',
    ]);
    const metrics = (await api.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/pickwise_http_requests_total\{route="\/v1\/users\/:userId\/recommendations",method="GET",status="200"\} 3/);
    expect(metrics).toMatch(/pickwise_recommendations_served_total\{model="[^"]+",basis="popular"\} 1/);
    await api.close();
  });

  it('filters by category and region, and says so when a filter is unknown or matches no service the model knows', async () => {
    const { api } = await app();
    const some = [...services.values()].find((s) => s.region !== null)!;
    const get = async (query: string, user = 'U0000002') => {
      const r = await api.inject({ url: `/v1/users/${user}/recommendations?k=5&${query}` });
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as List;
    };
    const inCategory = await get(`category=${some.category}&exclude_seen=false`);
    expect(inCategory.items.length).toBeGreaterThan(0);
    expect(inCategory.items.every((i) => i.category === some.category)).toBe(true);
    expect(inCategory.warnings).toEqual([]);
    const both = await get(`category=${some.category}&region=${some.region}&exclude_seen=false`);
    expect(both.items.every((i) => services.get(i.service_id)!.category === some.category && services.get(i.service_id)!.region === some.region)).toBe(true);

    const typo = await get('category=no-such-category');
    expect(typo.items).toEqual([]);
    expect(typo.warnings).toEqual([{ code: 'UNKNOWN_CATEGORY', message: expect.stringMatching(/^no category 'no-such-category' in the warehouse \(known: /) }]);
    const region = await get(`region=${some.region!.toLowerCase()}`);
    expect(region.warnings).toEqual([
      { code: 'UNKNOWN_REGION', message: `no region '${some.region!.toLowerCase()}' in the warehouse; did you mean '${some.region}'?` },
    ]);
    // An unknown user gets no popular list in place of an unknown filter either.
    expect(await get('category=no-such-category', 'nobody')).toMatchObject({ basis: 'popular', items: [], warnings: [{ code: 'UNKNOWN_CATEGORY' }] });

    const regions = new Set([...services.values()].map((s) => s.region));
    const categories = new Set([...services.values()].map((s) => s.category));
    const empty = [...categories]
      .flatMap((c) => [...regions].map((r) => [c, r] as const))
      .find(([c, r]) => r !== null && ![...services.values()].some((s) => s.category === c && s.region === r))!;
    const none = await get(`category=${empty[0]}&region=${empty[1]}`);
    expect(none.items).toEqual([]);
    expect(none.warnings.map((w) => w.code)).toEqual(['NO_MATCHING_SERVICE']);
    await api.close();
  });

  it('refuses bad input with problem documents', async () => {
    const { api } = await app();
    const cases: [string, number, RegExp][] = [
      ['/v1/users/U0000002/recommendations?k=abc', 400, /k must be integer/],
      ['/v1/users/U0000002/recommendations?k=5000', 400, /k must be <= 100/],
      ['/v1/users/U0000002/recommendations?k=0', 400, /k must be >= 1/],
      ['/v1/users/U0000002/recommendations?colour=red', 400, /^unknown query parameter 'colour': this route takes k, category, region, exclude_seen$/],
      ['/v1/models/current?x=1', 400, /^unknown query parameter 'x': this route takes none$/],
      ['/v1/services/no-such-service/similar', 404, /service 'no-such-service' is not in the model/],
      ['/v1/nothing', 404, /no route GET '\/v1\/nothing'/],
    ];
    for (const [path, status, detail] of cases) {
      const r = await api.inject({ url: path });
      expect(r.statusCode, path).toBe(status);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect((r.json() as { detail: string; status: number }).detail, path).toMatch(detail);
    }
    await api.close();
  });

  it('keeps serving from the loaded model and catalog when the database goes away, and reports itself degraded', async () => {
    const own = await openWarehouse({ url });
    const holder = new ModelHolder({ warehouse: own, store: fx.store, choice: { name: 'shop', alias: 'champion' }, logger });
    await holder.start();
    const api = await buildApp({ holder, warehouse: own, metrics: createServeMetrics(), config: { ...OPEN, maxBatchUsers: 100 }, logger });
    await own.close();
    const known = await api.inject({ url: '/v1/users/U0000002/recommendations?k=3' });
    expect(known.statusCode).toBe(200);
    expect(named((known.json() as List).items)).toBe(true);
    // popular-in-region needs the user's region from the database: the overall list, flagged.
    const unknown = (await api.inject({ url: '/v1/users/U9999998/recommendations?k=3' })).json() as List;
    expect(unknown).toMatchObject({ basis: 'popular', warnings: [{ code: 'REGION_UNAVAILABLE' }] });
    expect(await holder.check()).toBe(false);
    const stale = (await api.inject({ url: `/v1/users/U0000002/recommendations?k=3&category=${[...services.values()][0]!.category}` })).json() as List;
    expect(stale.items.length).toBeGreaterThan(0);
    expect(stale.warnings).toEqual([
      {
        code: 'CATALOG_STALE',
        message: expect.stringMatching(/^service names, categories and regions are as read at \d{4}-.*: the warehouse could not be read since$/),
      },
    ]);
    const ready = await api.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'degraded', model: true, database: false });
    await api.close();
  });

  it('folds in a new user from their reservations (a model with the capability), answers batches, and refuses malformed, oversized or unknown bodies', async () => {
    const als = await train('als', 'fold', { factors: 8, iterations: 5 });
    await promoteVersion({
      warehouse: fx.warehouse,
      store: fx.store,
      logger,
      name: 'fold',
      version: als.registered!.version,
      alias: 'champion',
      actor: 'test',
    });
    const { holder, api } = await app('fold', 3);
    const own = (await api.inject({ url: '/v1/users/U0000002/recommendations?k=5' })).json() as List;
    const history = holder.current!.loaded;
    const u = history.userIndex.get('U0000002')!;
    const seen = [...history.seen.indices.subarray(history.seen.indptr[u]!, history.seen.indptr[u + 1]!)].map((i) => history.itemIds[i]!);
    const foldIn = (payload: object) => api.inject({ method: 'POST', url: '/v1/recommendations', payload });
    const folded = await foldIn({ interactions: seen.map((service_id) => ({ service_id, status: 'completed' })), k: 5 });
    expect(folded.statusCode, folded.body).toBe(200);
    const body = folded.json() as List;
    expect(body).toMatchObject({ basis: 'model', user_id: null, warnings: [] });
    expect(named(body.items)).toBe(true);
    expect(body.items.some((i) => seen.includes(i.service_id))).toBe(false);
    // Folding in a training user's own history lands close to their trained factor: the lists mostly agree.
    expect(body.items.filter((i) => own.items.some((o) => o.service_id === i.service_id)).length).toBeGreaterThanOrEqual(3);
    // Unknown services are ignored and named; with nothing known left, the popular list says why.
    const partly = (await foldIn({ interactions: [{ service_id: seen[0] }, { service_id: 'S-NEW-1' }], k: 3 })).json() as List;
    expect(partly).toMatchObject({
      basis: 'model',
      warnings: [{ code: 'UNKNOWN_SERVICE', message: expect.stringMatching(/^1 service\(s\) the model does not know were ignored: 'S-NEW-1'/) }],
    });
    const empty = (await foldIn({ interactions: [{ service_id: 'not-in-model' }] })).json() as List;
    expect(empty).toMatchObject({ basis: 'popular', warnings: [{ code: 'UNKNOWN_SERVICE' }] });
    expect(empty.items.length).toBeGreaterThan(0);
    const some = [...services.values()][0]!;
    const filtered = (await foldIn({ interactions: [{ service_id: seen[0] }], category: some.category, region: 'Atlantis' })).json() as List;
    expect(filtered).toMatchObject({ items: [], warnings: [{ code: 'UNKNOWN_REGION' }] });

    const batch = await api.inject({ method: 'POST', url: '/v1/recommendations/batch', payload: { user_ids: ['U0000002', 'U0000003', 'nobody'], k: 2 } });
    const results = (batch.json() as { results: (List & { user_id: string })[] }).results;
    expect(results.map((r) => [r.user_id, r.basis, r.items.length])).toEqual([
      ['U0000002', 'model', 2],
      ['U0000003', 'model', 2],
      ['nobody', 'popular', 2],
    ]);
    expect(results.every((r) => named(r.items) && r.warnings.length === 0)).toBe(true);
    const tooMany = await api.inject({ method: 'POST', url: '/v1/recommendations/batch', payload: { user_ids: ['a', 'b', 'c', 'd'] } });
    expect(tooMany.statusCode).toBe(400);
    expect((tooMany.json() as { detail: string }).detail).toMatch(/must NOT have more than 3 items/);
    const malformed = await api.inject({
      method: 'POST',
      url: '/v1/recommendations',
      headers: { 'content-type': 'application/json' },
      payload: '{"interactions": [',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toMatch(/problem\+json/);
    const huge = await api.inject({
      method: 'POST',
      url: '/v1/recommendations',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ interactions: [], pad: 'x'.repeat(300_000) }),
    });
    expect(huge.statusCode).toBe(413);
    const unknown = await foldIn({ interactions: [], colour: 'red' });
    expect(unknown.statusCode).toBe(400);
    expect((unknown.json() as { detail: string }).detail).toBe("unknown field 'colour' in the body");
    await api.close();
  });

  it('answers a fold-in with popularity, marked as such, when the model cannot place a new user', async () => {
    const bpr = await train('bpr', 'nofold', { factors: 8, iterations: 5 });
    await promoteVersion({
      warehouse: fx.warehouse,
      store: fx.store,
      logger,
      name: 'nofold',
      version: bpr.registered!.version,
      alias: 'champion',
      actor: 'test',
    });
    const { holder, api } = await app('nofold');
    expect(holder.current!.loaded.model.recommendFolded).toBeUndefined();
    const given = holder.current!.loaded.itemIds.slice(0, 3);
    const r = (
      await api.inject({ method: 'POST', url: '/v1/recommendations', payload: { interactions: given.map((service_id) => ({ service_id })), k: 5 } })
    ).json() as List;
    expect(r).toMatchObject({
      basis: 'popular',
      warnings: [
        { code: 'FOLD_IN_UNSUPPORTED', message: 'the bpr model cannot place a new user from their reservations: the list is the most popular services' },
      ],
    });
    expect(r.items).toHaveLength(5);
    expect(r.items.some((i) => given.includes(i.service_id))).toBe(false);
    await api.close();
  });

  it('re-reads service names at every check: a renamed service shows its new name', async () => {
    const { holder, api } = await app();
    const first = ((await api.inject({ url: '/v1/users/U0000002/recommendations?k=1' })).json() as List).items[0]!;
    const s = services.get(first.service_id)!;
    await fx.land('services-renamed.csv', `${SERVICES_HEADER}\n${s.serviceId},Renamed Studio,${s.category},${s.region ?? ''},30000,2023-01-01T00:00:00Z\n`);
    await fx.ingest();
    expect(((await api.inject({ url: '/v1/users/U0000002/recommendations?k=1' })).json() as List).items[0]!.name).toBe(s.name);
    expect(await holder.check()).toBe(false);
    expect(((await api.inject({ url: '/v1/users/U0000002/recommendations?k=1' })).json() as List).items[0]).toMatchObject({
      service_id: s.serviceId,
      name: 'Renamed Studio',
    });
    await api.close();
  });

  describe('hot swaps over real HTTP', () => {
    let server: RunningServer;
    beforeAll(async () => {
      const config = configSchema.parse({ serve: { port: 0, modelName: 'shop', pollSeconds: 3600 } }).serve;
      server = await startServer({ warehouse: fx.warehouse, store: fx.store, config, logger });
    });
    afterAll(async () => server.close());

    it('swaps to a promoted version under concurrent requests without a failed request, and keeps the old model when a version is corrupted', async () => {
      let failures = 0;
      let served = 0;
      const versions = new Set<number>();
      let stop = false;
      const client = async () => {
        for (let i = 0; i < 2000 && !stop; i++) {
          const r = await fetch(`${server.url}/v1/users/U00000${String(10 + (i % 80)).padStart(2, '0')}/recommendations?k=5`);
          if (r.status !== 200) failures++;
          else versions.add(((await r.json()) as { model: { registry_version: number } }).model.registry_version);
          served++;
        }
      };
      const clients = Array.from({ length: 8 }, client);
      const second = await train('popular');
      await promoteVersion({
        warehouse: fx.warehouse,
        store: fx.store,
        logger,
        name: 'shop',
        version: second.registered!.version,
        alias: 'champion',
        actor: 'test',
        force: true,
      });
      expect(await server.holder.check()).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      stop = true;
      await Promise.all(clients);
      expect(failures).toBe(0);
      expect(served).toBeGreaterThan(50);
      expect([...versions].sort()).toEqual([1, second.registered!.version]);

      // A third version whose files are damaged after registration: the swap fails, the second version stays.
      const third = await train('item-knn');
      await promoteVersion({
        warehouse: fx.warehouse,
        store: fx.store,
        logger,
        name: 'shop',
        version: third.registered!.version,
        alias: 'champion',
        actor: 'test',
        force: true,
      });
      await fx.store.put(`artifacts/${third.run}/model.pwm`, 'garbage');
      expect(await server.holder.check()).toBe(false);
      expect(server.holder.lastError).toMatch(/has changed since it was recorded/);
      const still = (await (await fetch(`${server.url}/v1/models/current`)).json()) as { registry_version: number };
      expect(still.registry_version).toBe(second.registered!.version);
      const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { status: string; last_model_error: string };
      expect(ready.status).toBe('ready');
      expect(ready.last_model_error).toMatch(/has changed/);
    });
  });
});
