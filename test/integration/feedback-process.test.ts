import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warehouseBackends } from '../support/backends.ts';
import { freePort } from '../support/free-port.ts';
import { trainChampion } from '../support/champion.ts';
import { createIngestFixture, type IngestFixture } from '../support/ingest-fixture.ts';
import { startFakeElasticsearch } from '../support/fake-elasticsearch.ts';
import { startServing } from '../support/run-cli.ts';

/**
 * `pickwise serve` records the lists it serves, as a real process: a SIGTERM commits everything; a kill -9 loses
 * at most the lists of the last group commit interval (the recorder's own tests cover a database outage).
 */
describe('served lists across a SIGTERM and a kill -9 of pickwise serve', () => {
  const backend = warehouseBackends()[0]!;
  let fx: IngestFixture;
  let url: string;

  beforeAll(async () => {
    url = await backend.newDatabaseUrl('feedback_process');
    fx = await createIngestFixture(url);
    await fx.landGenerated({ users: 40, services: 10, reservations: 400, seed: 5 });
    await fx.ingest();
    await trainChampion(fx, { kind: 'popular' });
  });
  afterAll(async () => {
    await fx.close();
    await backend.dropDatabase(url);
  });

  const home = () => path.join(fx.dir, 'home');

  /** Starts `pickwise serve` on a free port and waits (bounded) until it answers. */
  async function serve(env: Record<string, string> = {}) {
    const port = await freePort();
    return startServing(['serve', '--port', String(port), '--model-name', 'shop'], {
      cwd: fx.dir,
      port,
      env: { PICKWISE_HOME: home(), PICKWISE_DATABASE__URL: url, PICKWISE_STORAGE__URL: `file:${fx.bucketDir}`, PICKWISE_LOG__LEVEL: 'warn', ...env },
    });
  }

  const list = async (base: string, user: string) =>
    ((await (await fetch(`${base}/v1/users/${user}/recommendations?k=3`)).json()) as { recommendation_id: string }).recommendation_id;
  const recorded = async (ids: string[]) =>
    (await fx.warehouse.db.selectFrom('recList').select('recommendationId').where('recommendationId', 'in', ids).execute()).map((r) => r.recommendationId);
  const written = async (base: string) => Number(/^pickwise_served_lists_written_total (\d+)/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1] ?? 0);

  it('commits every list served before a SIGTERM', async () => {
    const { run, base } = await serve();
    const ids = [];
    for (let i = 1; i <= 5; i++) ids.push(await list(base, `U000000${i}`));
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
    expect((await recorded(ids)).sort()).toEqual([...ids].sort());
  });

  it('loses at most the last interval to a kill -9, and the next start leaves nothing waiting on disk', async () => {
    const first = await serve();
    const committed = [await list(first.base, 'U0000006'), await list(first.base, 'U0000007')];
    // A group commit runs every flushMs (250 ms) by itself: wait (bounded) until it has taken these two.
    for (let attempt = 0; attempt < 200 && (await written(first.base)) < 2; attempt++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(await written(first.base)).toBe(2);
    const last = await list(first.base, 'U0000008');
    first.run.child.kill('SIGKILL');
    await first.run.done;
    const second = await serve();
    second.run.child.kill('SIGTERM');
    expect((await second.run.done).code).toBe(0);
    const after = await recorded([...committed, last]);
    expect(after).toEqual(expect.arrayContaining(committed));
    expect(after.length).toBeGreaterThanOrEqual(2); // the list served in the last interval may be lost, nothing older
    const dir = path.join(home(), 'served-lists');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('ships reactions to Elasticsearch as they come when feedback.elasticsearch.url is set, and stops cleanly', async () => {
    const es = await startFakeElasticsearch();
    try {
      const { run, base } = await serve({ PICKWISE_FEEDBACK__ELASTICSEARCH__URL: es.url, PICKWISE_FEEDBACK__ELASTICSEARCH__POLL_SECONDS: '0.05' });
      const events = Array.from({ length: 7 }, (_, i) => ({ event_id: `ship-${i}`, user_id: 'U0000003', service_id: 'S000001', type: 'impression' }));
      const posted = await fetch(`${base}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
      expect(posted.status).toBe(200);
      const shipped = () => [...es.indices.values()].flatMap((docs) => [...docs.keys()]).filter((id) => id.startsWith('ship-'));
      for (let attempt = 0; attempt < 200 && shipped().length < 7; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(shipped().sort()).toEqual(events.map((e) => e.event_id).sort());
      run.child.kill('SIGTERM');
      expect((await run.done).code).toBe(0);
      expect(existsSync(path.join(home(), 'feedback', 'elasticsearch.cursor.json'))).toBe(true);
    } finally {
      await es.close();
    }
  });
});
