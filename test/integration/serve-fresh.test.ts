import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/index.ts';
import { promoteVersion, runTrainJob } from '../../src/pipeline/index.ts';
import { FreshHistoryReader } from '../../src/registry/index.ts';
import { FreshHistory, startServer, type RunningServer } from '../../src/serve/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { openWarehouse, ServiceRepo, type ServiceRow } from '../../src/warehouse/index.ts';
import { capturedLogger } from '../support/captured-logger.ts';
import { warehouseBackends } from '../support/backends.ts';
import { createIngestFixture, RESERVATIONS_HEADER, SERVICES_HEADER, USERS_HEADER, type IngestFixture } from '../support/ingest-fixture.ts';
import { runCli } from '../support/run-cli.ts';

type Item = { service_id: string; category: string | null };
type List = { basis: string; items: Item[]; model: { registry_version: number } };

/**
 * Fresh lists without retraining: reservations loaded after a model was trained leave the user's list and
 * move it (fold-in), in the API after a refresh and in `pickwise recommend`, for every kind of model.
 */
describe('lists follow reservations loaded since the model was trained', () => {
  let fx: IngestFixture;
  let url: string;
  let services: readonly ServiceRow[];
  const servers: RunningServer[] = [];
  let shop: RunningServer;
  let pop: RunningServer;
  let off: RunningServer;
  const backend = warehouseBackends()[0]!;
  const logger = silentLogger();
  const serve = async (modelName: string, freshnessSeconds: number) => {
    const config = configSchema.parse({ serve: { port: 0, modelName, pollSeconds: 3600, freshnessSeconds } }).serve;
    const server = await startServer({ warehouse: fx.warehouse, store: fx.store, config, logger });
    servers.push(server);
    await server.fresh?.refresh();
    return server;
  };
  const get = async (server: RunningServer, path: string): Promise<List> => (await server.app.inject({ url: path })).json() as List;
  const ids = (l: List) => l.items.map((i) => i.service_id);
  const promote = (name: string, version: number) =>
    promoteVersion({ warehouse: fx.warehouse, store: fx.store, logger, name, version, alias: 'champion', actor: 'test' });
  const train = (kind: 'item-knn' | 'popular', registerAs: string) =>
    runTrainJob({ warehouse: fx.warehouse, store: fx.store, kind, params: {}, logger, save: true, threads: 1, registerAs, holdout: 0 });

  // Before the new file: the lists as trained.
  let before: { shop: List; shopAll: List; shop10: List; pop10: List; unknown: List };
  // What the new file reserves.
  let reservedByKnown: string[];
  let reservedByNew: string[];

  beforeAll(async () => {
    url = await backend.newDatabaseUrl('serve_fresh');
    fx = await createIngestFixture(url);
    await fx.landGenerated({ users: 200, services: 30, reservations: 4000, seed: 5 });
    await fx.ingest();
    await train('item-knn', 'shop');
    await promote('shop', 1);
    await train('popular', 'pop');
    await promote('pop', 1);
    services = (await new ServiceRepo(fx.warehouse.db).catalog()).services;
    shop = await serve('shop', 3600);
    pop = await serve('pop', 3600);
    off = await serve('shop', 0);
    before = {
      shop: await get(shop, '/v1/users/U0000002/recommendations?k=5'),
      shopAll: await get(shop, '/v1/users/U0000002/recommendations?k=5&exclude_seen=false'),
      shop10: await get(shop, '/v1/users/U0000002/recommendations?k=10'),
      pop10: await get(pop, '/v1/users/U0000002/recommendations?k=10'),
      unknown: await get(shop, '/v1/users/UFRESH/recommendations?k=5'),
    };
    // The daily file: the known user books the two services at the top of their list, the most popular one for
    // them, and a service newer than the model; a user who signed up since the training books two services.
    reservedByKnown = [...new Set([...ids(before.shop).slice(0, 2), ids(before.pop10)[0]!])];
    reservedByNew = [ids(before.unknown)[0]!, ids(before.unknown)[2]!];
    const some = services[0]!;
    await fx.land('users-fresh.csv', `${USERS_HEADER}\nUFRESH,2024-05-01T00:00:00Z,F,1990,\n`);
    await fx.land('services-fresh.csv', `${SERVICES_HEADER}\nSNEW1,New Studio,${some.category},,30000,2024-05-01T00:00:00Z\n`);
    await fx.ingest();
    const line = (id: string, user: string, service: string) => `${id},${user},${service},completed,2024-06-01T10:00:00Z,5`;
    await fx.land(
      'reservations-fresh.csv',
      [
        RESERVATIONS_HEADER,
        ...reservedByKnown.map((s, i) => line(`fresh-k${i}`, 'U0000002', s)),
        line('fresh-k-new', 'U0000002', 'SNEW1'),
        ...reservedByNew.map((s, i) => line(`fresh-n${i}`, 'UFRESH', s)),
      ].join('\n') + '\n',
    );
    await fx.ingest();
  }, 120_000);
  afterAll(async () => {
    for (const s of servers) await s.close();
    await fx.close();
    await backend.dropDatabase(url);
  });

  it('a known user’s list leaves the new services out and is recomputed (fold-in) once the history is refreshed', async () => {
    expect(await get(shop, '/v1/users/U0000002/recommendations?k=5')).toMatchObject({ items: before.shop.items });
    expect(await shop.fresh!.refresh()).toEqual({ read: true, rows: reservedByKnown.length + 1 + reservedByNew.length });
    const after = await get(shop, '/v1/users/U0000002/recommendations?k=5');
    expect(after.basis).toBe('model');
    expect(ids(after)).toHaveLength(5);
    expect(ids(after).filter((s) => reservedByKnown.includes(s) || s === 'SNEW1')).toEqual([]);
    // Not merely the old list without them: the fold-in moves what follows.
    expect(ids(after)).not.toEqual(
      ids(before.shop10)
        .filter((s) => !reservedByKnown.includes(s))
        .slice(0, 5),
    );
    // A filter still applies; exclude_seen=false answers as trained.
    const category = services.find((s) => s.serviceId === ids(after)[0])!.category;
    const filtered = await get(shop, `/v1/users/U0000002/recommendations?k=5&category=${encodeURIComponent(category)}`);
    expect(filtered.items.every((i) => i.category === category && !reservedByKnown.includes(i.service_id))).toBe(true);
    expect(await get(shop, '/v1/users/U0000002/recommendations?k=5&exclude_seen=false')).toMatchObject({ items: before.shopAll.items });
    // Batches answer the same.
    const batch = await shop.app.inject({ method: 'POST', url: '/v1/recommendations/batch', payload: { user_ids: ['U0000002', 'UFRESH'], k: 5 } });
    const results = (batch.json() as { results: List[] }).results;
    expect(results.map(ids)).toEqual([ids(after), ids(await get(shop, '/v1/users/UFRESH/recommendations?k=5'))]);
    const metrics = (await shop.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^pickwise_fresh_history_users 2$/m);
    expect(metrics).toMatch(/^pickwise_fresh_history_reservations 5$/m);
    expect(metrics).toMatch(/^pickwise_fresh_history_age_seconds \d/m);
  });

  it('a user the model does not know but who now has reservations gets the model’s fold-in list instead of popularity', async () => {
    expect(before.unknown.basis).toBe('popular');
    const after = await get(shop, '/v1/users/UFRESH/recommendations?k=5');
    expect(after.basis).toBe('model');
    expect(ids(after)).toHaveLength(5);
    expect(ids(after).filter((s) => reservedByNew.includes(s))).toEqual([]);
  });

  it('pickwise recommend --user shows the same lists', async () => {
    await shop.fresh!.refresh();
    const env = { PICKWISE_DATABASE__URL: url, PICKWISE_STORAGE__URL: `file:${fx.bucketDir}` };
    for (const user of ['U0000002', 'UFRESH']) {
      const r = await runCli(['--json', 'recommend', '--user', user, '--k', '5', '--model', 'shop@champion'], { cwd: fx.dir, env });
      expect(r.code, r.stderr).toBe(0);
      const cli = JSON.parse(r.stdout) as { basis: string; recommendations: { serviceId: string }[] };
      const api = await get(shop, `/v1/users/${user}/recommendations?k=5`);
      expect({ basis: cli.basis, ids: cli.recommendations.map((x) => x.serviceId) }).toEqual({ basis: api.basis, ids: ids(api) });
    }
    // --all: the same lists, and a row set for the user who is new since training.
    const out = path.join(fx.dir, 'all.csv');
    const all = await runCli(['recommend', '--all', '--k', '5', '--out', out, '--model', 'shop@champion'], { cwd: fx.dir, env });
    expect(all.code, all.stderr).toBe(0);
    const rows = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    for (const user of ['U0000002', 'UFRESH'])
      expect(rows.filter((r) => r[0] === user).map((r) => r[1])).toEqual(ids(await get(shop, `/v1/users/${user}/recommendations?k=5`)));
  });

  it('a model without fold-in keeps its list without the new services, refilled to k', async () => {
    await pop.fresh!.refresh();
    const after = await get(pop, '/v1/users/U0000002/recommendations?k=5');
    expect(ids(after)).toEqual(
      ids(before.pop10)
        .filter((s) => !reservedByKnown.includes(s))
        .slice(0, 5),
    );
    const unknown = await get(pop, '/v1/users/UFRESH/recommendations?k=5');
    expect(unknown.basis).toBe('popular');
    expect(ids(unknown).filter((s) => reservedByNew.includes(s))).toEqual([]);
  });

  it('a bundle saved without a watermark starts from its training time; at most maxUsers users are held', async () => {
    const loaded = pop.holder.current!.loaded;
    const { watermark, ...manifest } = loaded.manifest;
    expect(watermark?.reservationKey).toBeGreaterThan(0);
    const reader = new FreshHistoryReader({ warehouse: fx.warehouse, loaded: { ...loaded, manifest }, maxUsers: 1 });
    expect(await reader.refresh()).toEqual({ read: true, rows: reservedByKnown.length + 1 + reservedByNew.length });
    expect([...reader.history.userIds()]).toEqual(['U0000002']);
    expect(reader.history.droppedReservations).toBe(reservedByNew.length);
    expect(await reader.refresh()).toEqual({ read: false, rows: 0 });
  });

  it('a failing read is logged once, keeps nothing half-read, and is retried', async () => {
    const { logger: captured, lines } = capturedLogger();
    const away = await openWarehouse({ url });
    await away.close();
    const fresh = new FreshHistory({ warehouse: away, maxUsers: 10, logger: captured });
    const loaded = shop.holder.current!.loaded;
    fresh.reset(loaded);
    expect(await fresh.refresh()).toBeUndefined();
    expect(await fresh.refresh()).toBeUndefined();
    expect(lines().filter((l) => l.msg === 'reading reservations newer than the served model failed')).toHaveLength(1);
    expect(fresh.for(loaded)?.users).toBe(0);
  });

  it('with serve.freshnessSeconds 0 lists stay as trained', async () => {
    expect(off.fresh).toBeUndefined();
    expect(await get(off, '/v1/users/U0000002/recommendations?k=5')).toMatchObject({ items: before.shop.items });
    expect((await get(off, '/v1/users/UFRESH/recommendations?k=5')).basis).toBe('popular');
  });

  it('a swap to a model trained on the new file starts over from its watermark', async () => {
    const v2 = await train('item-knn', 'shop');
    await promote('shop', v2.registered!.version);
    expect(await shop.holder.check()).toBe(true);
    const swapped = shop.holder.current!.loaded;
    expect(swapped.manifest.watermark?.reservationKey).toBeGreaterThan(4000);
    expect(await shop.fresh!.refresh()).toEqual({ read: true, rows: 0 });
    expect(shop.fresh!.for(swapped)?.users).toBe(0);
    const after = await get(shop, '/v1/users/U0000002/recommendations?k=5');
    expect(after.model.registry_version).toBe(2);
    expect(ids(after).filter((s) => reservedByKnown.includes(s))).toEqual([]);
    expect((await get(shop, '/v1/users/UFRESH/recommendations?k=5')).basis).toBe('model');
  });
});
