import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/index.ts';
import { promoteVersion, runTrainJob } from '../../src/pipeline/index.ts';
import { buildApp, createServeMetrics, ModelHolder, startServer, type RunningServer } from '../../src/serve/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { openWarehouse } from '../../src/warehouse/index.ts';
import { createIngestFixture, type IngestFixture } from '../support/ingest-fixture.ts';
import { warehouseBackends } from '../support/backends.ts';

const API_KEY = 'k'.repeat(12) + 'secret-1';

describe('recommendation API', () => {
  let fx: IngestFixture;
  let url: string;
  const backend = warehouseBackends()[0]!; // SQLite: the API reads models from the bucket and the registry
  const logger = silentLogger();
  const train = (kind: 'item-knn' | 'popular') => runTrainJob({ warehouse: fx.warehouse, store: fx.store, kind, params: {}, logger, save: true, threads: 1, registerAs: 'shop', holdout: 0 });

  beforeAll(async () => {
    url = await backend.newDatabaseUrl('serve');
    fx = await createIngestFixture(url);
    await fx.landGenerated({ users: 200, services: 30, reservations: 4000, seed: 5 });
    await fx.ingest();
    await train('item-knn');
    await promoteVersion({ warehouse: fx.warehouse, store: fx.store, logger, name: 'shop', version: 1, alias: 'champion', actor: 'test' });
  });
  afterAll(async () => {
    await fx.close();
    await backend.dropDatabase(url);
  });

  const app = async (config: Partial<{ keysForReads: boolean }> = {}) => {
    const holder = new ModelHolder({ warehouse: fx.warehouse, store: fx.store, choice: { name: 'shop', alias: 'champion' }, logger });
    await holder.start();
    return buildApp({ holder, warehouse: fx.warehouse, metrics: createServeMetrics(), config: { apiKeys: [API_KEY], keysForReads: config.keysForReads ?? false, keysForMetrics: false, keysForDocs: false, maxBatchUsers: 100 }, logger });
  };

  it('answers a known user with the champion model, unknown users with the flagged popular list', async () => {
    const api = await app();
    const r = await api.inject({ url: '/v1/users/U0000002/recommendations?k=5' });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { recommendation_id: string; basis: string; model: { name: string; registry_version: number }; items: { rank: number; service_id: string }[] };
    expect(body.basis).toBe('model');
    expect(body.model).toMatchObject({ name: 'shop', registry_version: 1, kind: 'item-knn' });
    expect(body.items.map((i) => i.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(body.recommendation_id).toMatch(/^[0-9a-f-]{36}$/);
    const unknown = (await api.inject({ url: '/v1/users/nobody/recommendations?k=3' })).json() as { basis: string; items: unknown[] };
    expect(unknown).toMatchObject({ basis: 'popular' });
    expect(unknown.items).toHaveLength(3);
    // A user who registered after training: popular services in their region.
    const region = await fx.warehouse.db
      .selectFrom('dimService as s')
      .innerJoin('dimRegion as r', 'r.regionKey', 's.regionKey')
      .select('r.regionName')
      .executeTakeFirstOrThrow();
    await fx.land('users-late.csv', `user_id,signup_at,gender,birth_year,region\nU9999999,2024-06-01T00:00:00Z,F,1990,${region.regionName}\n`);
    await fx.ingest();
    const late = (await api.inject({ url: '/v1/users/U9999999/recommendations?k=3' })).json() as { basis: string; items: { service_id: string }[] };
    expect(late.basis).toBe('popular-in-region');
    const inRegion = await fx.warehouse.db
      .selectFrom('dimService as s')
      .innerJoin('dimRegion as r', 'r.regionKey', 's.regionKey')
      .select('s.serviceId')
      .where('r.regionName', '=', region.regionName)
      .execute();
    expect(late.items.length).toBeGreaterThan(0);
    expect(late.items.every((i) => inRegion.some((r) => r.serviceId === i.service_id))).toBe(true);
    const similar = await api.inject({ url: `/v1/services/${body.items[0]!.service_id}/similar?k=4` });
    expect(similar.statusCode).toBe(200);
    expect((similar.json() as { items: unknown[] }).items).toHaveLength(4);
    expect((await api.inject({ url: '/v1/models/current' })).json()).toMatchObject({ name: 'shop', registry_version: 1, alias: 'champion' });
    expect((await api.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await api.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', model: true, database: true });
    const spec = (await api.inject({ url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/users/{userId}/recommendations', '/v1/services/{serviceId}/similar', '/v1/models/current']));
    const metrics = (await api.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/pickwise_http_requests_total\{route="\/v1\/users\/:userId\/recommendations",method="GET",status="200"\} 3/);
    expect(metrics).toMatch(/pickwise_recommendations_served_total\{model="[^"]+",basis="popular"\} 1/);
    await api.close();
  });

  it('refuses bad input with problem documents', async () => {
    const api = await app();
    const cases: [string, number, RegExp][] = [
      ['/v1/users/U0000002/recommendations?k=abc', 400, /k must be integer/],
      ['/v1/users/U0000002/recommendations?k=5000', 400, /k must be <= 100/],
      ['/v1/users/U0000002/recommendations?k=0', 400, /k must be >= 1/],
      ['/v1/users/U0000002/recommendations?colour=red', 400, /must NOT have additional properties/],
      ['/v1/services/no-such-service/similar', 404, /service 'no-such-service' is not in the model/],
      ['/v1/nothing', 404, /no route GET \/v1\/nothing/],
    ];
    for (const [path, status, detail] of cases) {
      const r = await api.inject({ url: path });
      expect(r.statusCode, path).toBe(status);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect((r.json() as { detail: string; status: number }).detail, path).toMatch(detail);
    }
    await api.close();
  });

  it('needs an API key for reads when configured: missing or wrong key → 401', async () => {
    const api = await app({ keysForReads: true });
    expect((await api.inject({ url: '/v1/models/current' })).statusCode).toBe(401);
    const wrong = await api.inject({ url: '/v1/models/current', headers: { 'x-api-key': 'wrong-key-of-some-length' } });
    expect(wrong.statusCode).toBe(401);
    expect((wrong.json() as { detail: string }).detail).toBe('the API key is not valid');
    expect((await api.inject({ url: '/v1/models/current', headers: { 'x-api-key': API_KEY } })).statusCode).toBe(200);
    await api.close();
  });

  it('keeps serving from the loaded model when the database goes away, and reports itself degraded', async () => {
    const own = await openWarehouse({ url });
    const holder = new ModelHolder({ warehouse: own, store: fx.store, choice: { name: 'shop', alias: 'champion' }, logger });
    await holder.start();
    const api = await buildApp({ holder, warehouse: own, metrics: createServeMetrics(), config: { apiKeys: [], keysForReads: false, keysForMetrics: false, keysForDocs: false, maxBatchUsers: 100 }, logger });
    await own.close();
    expect((await api.inject({ url: '/v1/users/U0000002/recommendations?k=3' })).statusCode).toBe(200);
    const ready = await api.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'degraded', model: true, database: false });
    await api.close();
  });

  it('folds in a new user from their reservations (ALS), answers batches, and refuses malformed, oversized or unknown bodies', async () => {
    const als = await runTrainJob({ warehouse: fx.warehouse, store: fx.store, kind: 'als', params: { factors: 8, iterations: 5 }, logger, save: true, threads: 1, registerAs: 'fold', holdout: 0 });
    await promoteVersion({ warehouse: fx.warehouse, store: fx.store, logger, name: 'fold', version: als.registered!.version, alias: 'champion', actor: 'test' });
    const holder = new ModelHolder({ warehouse: fx.warehouse, store: fx.store, choice: { name: 'fold', alias: 'champion' }, logger });
    await holder.start();
    const api = await buildApp({ holder, warehouse: fx.warehouse, metrics: createServeMetrics(), config: { apiKeys: [], keysForReads: false, keysForMetrics: false, keysForDocs: false, maxBatchUsers: 3 }, logger });
    const own = (await api.inject({ url: '/v1/users/U0000002/recommendations?k=5' })).json() as { items: { service_id: string }[] };
    const history = holder.current!.loaded;
    const u = history.userIndex.get('U0000002')!;
    const seen = [...history.seen.indices.subarray(history.seen.indptr[u]!, history.seen.indptr[u + 1]!)].map((i) => history.itemIds[i]!);
    const folded = await api.inject({ method: 'POST', url: '/v1/recommendations', payload: { interactions: seen.map((service_id) => ({ service_id, status: 'completed' })), k: 5 } });
    expect(folded.statusCode, folded.body).toBe(200);
    const body = folded.json() as { basis: string; user_id: null; items: { service_id: string }[] };
    expect(body).toMatchObject({ basis: 'model', user_id: null });
    expect(body.items.some((i) => seen.includes(i.service_id))).toBe(false);
    // Folding in a training user's own history lands close to their trained factor: the lists mostly agree.
    expect(body.items.filter((i) => own.items.some((o) => o.service_id === i.service_id)).length).toBeGreaterThanOrEqual(3);
    const empty = (await api.inject({ method: 'POST', url: '/v1/recommendations', payload: { interactions: [{ service_id: 'not-in-model' }] } })).json() as { basis: string };
    expect(empty.basis).toBe('popular');

    const batch = await api.inject({ method: 'POST', url: '/v1/recommendations/batch', payload: { user_ids: ['U0000002', 'U0000003', 'nobody'], k: 2 } });
    expect((batch.json() as { results: { user_id: string; basis: string; items: unknown[] }[] }).results.map((r) => [r.user_id, r.basis, r.items.length])).toEqual([
      ['U0000002', 'model', 2],
      ['U0000003', 'model', 2],
      ['nobody', 'popular', 2],
    ]);
    const tooMany = await api.inject({ method: 'POST', url: '/v1/recommendations/batch', payload: { user_ids: ['a', 'b', 'c', 'd'] } });
    expect(tooMany.statusCode).toBe(400);
    expect((tooMany.json() as { detail: string }).detail).toMatch(/must NOT have more than 3 items/);
    const malformed = await api.inject({ method: 'POST', url: '/v1/recommendations', headers: { 'content-type': 'application/json' }, payload: '{"interactions": [' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toMatch(/problem\+json/);
    const huge = await api.inject({ method: 'POST', url: '/v1/recommendations', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ interactions: [], pad: 'x'.repeat(300_000) }) });
    expect(huge.statusCode).toBe(413);
    const unknown = await api.inject({ method: 'POST', url: '/v1/recommendations', payload: { interactions: [], colour: 'red' } });
    expect(unknown.statusCode).toBe(400);
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
      await train('popular');
      await promoteVersion({ warehouse: fx.warehouse, store: fx.store, logger, name: 'shop', version: 2, alias: 'champion', actor: 'test', force: true });
      expect(await server.holder.check()).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      stop = true;
      await Promise.all(clients);
      expect(failures).toBe(0);
      expect(served).toBeGreaterThan(50);
      expect([...versions].sort()).toEqual([1, 2]);

      // A third version whose files are damaged after registration: the swap fails, version 2 stays.
      const third = await train('item-knn');
      await promoteVersion({ warehouse: fx.warehouse, store: fx.store, logger, name: 'shop', version: 3, alias: 'champion', actor: 'test', force: true });
      await fx.store.put(`artifacts/${third.run}/model.pwm`, 'garbage');
      expect(await server.holder.check()).toBe(false);
      expect(server.holder.lastError).toMatch(/has changed since it was recorded/);
      const still = (await (await fetch(`${server.url}/v1/models/current`)).json()) as { registry_version: number };
      expect(still.registry_version).toBe(2);
      const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { status: string; last_model_error: string };
      expect(ready.status).toBe('ready');
      expect(ready.last_model_error).toMatch(/has changed/);
    });
  });

});
