import { copyFileSync, renameSync, truncateSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrainJob } from '../../src/pipeline/index.ts';
import { ModelRegistry } from '../../src/registry/index.ts';
import { buildApp, createServeMetrics, ModelHolder, type AccessConfig } from '../../src/serve/index.ts';
import { silentLogger, type Logger } from '../../src/shared/logger.ts';
import { ServiceRepo, type Warehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { capturedLogger, type LogLine } from '../support/captured-logger.ts';
import { trainChampion } from '../support/champion.ts';
import { createIngestFixture, type IngestFixture } from '../support/ingest-fixture.ts';
import { findMariaDb, startMariaDb, type MariaDbServer } from '../support/mariadb-server.ts';

const OPEN: AccessConfig = { apiKeys: [], keysForReads: false, keysForMetrics: false, keysForDocs: false };
type List = { basis: string; items: { service_id: string; name: string | null; category: string | null }[]; warnings: { code: string; message: string }[] };

/** A fixture with a registered, promoted model `shop` (item-kNN) trained on generated data. */
async function servedFixture(url: string): Promise<IngestFixture> {
  const fx = await createIngestFixture(url);
  await fx.landGenerated({ users: 120, services: 20, reservations: 2000, seed: 9 });
  await fx.ingest();
  await trainChampion(fx, { kind: 'item-knn' });
  return fx;
}

async function serve(
  fx: IngestFixture,
  logger: Logger,
  choice: { name?: string; alias: string } = { name: 'shop', alias: 'champion' },
  warehouse: Warehouse = fx.warehouse,
) {
  const holder = new ModelHolder({ warehouse, store: fx.store, choice, logger });
  await holder.start();
  return { holder, api: await buildApp({ holder, warehouse, metrics: createServeMetrics(), config: { ...OPEN, maxBatchUsers: 10 }, logger }) };
}

const failures = (lines: LogLine[], msg: string) => lines.filter((l) => l.msg === msg);
const causeOf = (line: LogLine | undefined) =>
  (line?.err as { message?: string } | undefined)?.message ?? (line?.error as { message?: string } | undefined)?.message ?? '';

describe.skipIf(findMariaDb() === undefined)('serving while the MariaDB server is stopped', () => {
  let server: MariaDbServer;
  let fx: IngestFixture;

  beforeAll(async () => {
    server = await startMariaDb(); // a private server: this suite stops it
    fx = await servedFixture(await server.createDatabase('serve_outage'));
  });
  afterAll(async () => {
    await fx.close();
    await server.stop();
  });

  it('keeps answering from memory, flags what it cannot do, answers 503 for filters it never could apply, and logs each failure once with its cause', async () => {
    const { logger, lines } = capturedLogger();
    const { holder, api } = await serve(fx, logger);
    const category = (await new ServiceRepo(fx.warehouse.db).catalog()).services[0]!.category;
    const filtered = `/v1/users/U0000002/recommendations?k=3&category=${category}`;
    expect(((await api.inject({ url: filtered })).json() as List).warnings).toEqual([]);

    await server.stop();

    // popular-in-region needs the user's region: the overall list, flagged, and the cause in the log.
    const unknown = await api.inject({ url: '/v1/users/U9999999/recommendations?k=3' });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toMatchObject({ basis: 'popular', warnings: [{ code: 'REGION_UNAVAILABLE' }] });
    await api.inject({ url: '/v1/users/U9999998/recommendations?k=3' });
    const region = failures(lines(), "looking up a user's region (popular-in-region) failed");
    expect(region).toHaveLength(1);
    expect(causeOf(region[0])).toMatch(/ECONNREFUSED/);

    // The poll cannot read the catalog nor the registry: both logged once, whatever the number of polls.
    expect(await holder.check()).toBe(false);
    expect(await holder.check()).toBe(false);
    for (const msg of ['reading the service catalog failed', 'loading the model to serve failed']) {
      const logged = failures(lines(), msg);
      expect(logged, msg).toHaveLength(1);
      expect(causeOf(logged[0]), msg).toMatch(/ECONNREFUSED/);
    }

    // Filters and names answer from the catalog last read, flagged as such.
    const stale = (await api.inject({ url: filtered })).json() as List;
    expect(stale.items.length).toBeGreaterThan(0);
    expect(stale.items.every((i) => i.category === category && i.name !== null)).toBe(true);
    expect(stale.warnings.map((w) => w.code)).toEqual(['CATALOG_STALE']);
    const folded = await api.inject({
      method: 'POST',
      url: '/v1/recommendations',
      payload: { interactions: [{ service_id: stale.items[0]!.service_id }], category },
    });
    expect(folded.statusCode).toBe(200);

    // Readiness: degraded (still serving), the cause logged once across polls.
    for (let poll = 0; poll < 3; poll++) {
      const ready = await api.inject({ url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({
        status: 'degraded',
        model: true,
        database: false,
        database_error: 'a query of the warehouse schema failed (the server log has the cause)',
      });
    }
    const database = failures(lines(), 'database check (readiness) failed');
    expect(database).toHaveLength(1);
    expect(causeOf(database[0])).toMatch(/ECONNREFUSED/);
    expect(JSON.stringify(database[0])).not.toContain(':pw@'); // the database URL is logged without its password

    // A server started while the database is away serves the newest bundle, but has never read a catalog.
    const late = await serve(fx, logger, { alias: 'champion' });
    const refused = await late.api.inject({ url: filtered });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      detail: expect.stringMatching(/^category and region filters need the service catalog/),
    });
    const line = lines().find((l) => l.msg === 'request failed' && l.status === 503);
    expect(line?.level).toBe(40);
    expect(causeOf(line)).toMatch(/^category and region filters need the service catalog.*: .*ECONNREFUSED/);
    const unfiltered = (await late.api.inject({ url: '/v1/users/U0000002/recommendations?k=3' })).json() as List;
    expect(unfiltered.items.length).toBe(3);
    expect(unfiltered.items.every((i) => i.name === null && i.category === null)).toBe(true);
    expect(unfiltered.warnings).toEqual([{ code: 'CATALOG_STALE', message: 'service names and categories are missing: the warehouse could not be read' }]);
    await late.api.close();
    await api.close();
  });
});

describe('readiness and model errors on SQLite', () => {
  let fx: IngestFixture;
  let url: string;
  const backend = warehouseBackends()[0]!;
  beforeAll(async () => {
    url = await backend.newDatabaseUrl('serve_ready');
    fx = await servedFixture(url);
  });
  afterAll(async () => {
    await fx.close().catch(() => undefined); // the database file was truncated on purpose
    await backend.dropDatabase(url);
  });

  it('clears a model error when the bad version is withdrawn or repaired, and logs it once per failure, not per poll', async () => {
    const { logger, lines } = capturedLogger();
    const { holder, api } = await serve(fx, logger);
    const registry = new ModelRegistry(fx.warehouse);
    const second = await runTrainJob({
      warehouse: fx.warehouse,
      store: fx.store,
      kind: 'popular',
      params: {},
      logger: silentLogger(),
      save: true,
      threads: 1,
      registerAs: 'shop',
      holdout: 0,
    });
    const file = path.join(fx.bucketDir, 'artifacts', second.run, 'model.pwm');
    const intact = await readFile(file);
    await fx.store.put(`artifacts/${second.run}/model.pwm`, 'garbage');
    await registry.setAlias('shop', 'champion', second.registered!.version, 'test', 'bad version');
    for (let poll = 0; poll < 3; poll++) expect(await holder.check()).toBe(false);
    expect(holder.lastError).toMatch(/has changed since it was recorded/);
    expect((await api.inject({ url: '/readyz' })).json()).toMatchObject({ status: 'ready', last_model_error: expect.stringMatching(/has changed/) });
    expect(failures(lines(), 'loading the model to serve failed')).toHaveLength(1);

    // Withdrawn: the alias points at the served version again.
    await registry.rollback('shop', 'champion', 'test', 'withdraw the bad version');
    expect(await holder.check()).toBe(false);
    expect(holder.lastError).toBeUndefined();
    expect((await api.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', model: true, database: true });
    expect(failures(lines(), 'loading the model to serve succeeded again')).toHaveLength(1);

    // Promoted again and still broken: a new failure, logged again; then repaired in place: swapped, cleared.
    await registry.setAlias('shop', 'champion', second.registered!.version, 'test', 'try again');
    expect(await holder.check()).toBe(false);
    expect(failures(lines(), 'loading the model to serve failed')).toHaveLength(2);
    await fx.store.put(`artifacts/${second.run}/model.pwm`, intact);
    expect(await holder.check()).toBe(true);
    expect(holder.lastError).toBeUndefined();
    expect(holder.current!.version).toBe(second.registered!.version);
    await api.close();
  });

  it('is not ready when the database file is moved away, is ready again when it is back, and not when it is truncated', async () => {
    const { logger, lines } = capturedLogger();
    const { api } = await serve(fx, logger);
    const file = url.slice('sqlite:'.length);
    const ready = async () => (await api.inject({ url: '/readyz' })).json() as { status: string; database: boolean; database_error?: string };
    expect(await ready()).toEqual({ status: 'ready', model: true, database: true });

    renameSync(file, `${file}.moved`);
    for (let poll = 0; poll < 3; poll++) {
      expect(await ready()).toMatchObject({
        status: 'degraded',
        database: false,
        database_error: expect.stringMatching(/^the SQLite database file was moved or deleted since it was opened/),
      });
    }
    expect(failures(lines(), 'database check (readiness) failed')).toHaveLength(1);
    // Another file in its place is not the database the server has open.
    copyFileSync(`${file}.moved`, file);
    expect(await ready()).toMatchObject({ database: false, database_error: expect.stringMatching(/was replaced by another file/) });
    renameSync(`${file}.moved`, file);
    expect(await ready()).toEqual({ status: 'ready', model: true, database: true });
    expect(failures(lines(), 'database check (readiness) succeeded again')).toHaveLength(1);

    truncateSync(file, 0);
    expect(await ready()).toMatchObject({ status: 'degraded', database: false, database_error: expect.stringMatching(/truncated or overwritten/) });
    // Still serving from memory.
    expect((await api.inject({ url: '/v1/users/U0000002/recommendations?k=3' })).statusCode).toBe(200);
    await api.close();
  });
});
