/**
 * `pickwise up` as a small team runs it on one box: one process serving the API and running the scheduler. A file
 * that lands is found by the on-landing sensor and ingested by exactly one run, with no other run created by
 * surprise (the daily and weekly schedules start at their next fire time), while the API keeps answering; SIGTERM
 * stops both.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warehouseBackends } from '../support/backends.ts';
import { trainChampion } from '../support/champion.ts';
import { freePort } from '../support/free-port.ts';
import { createIngestFixture, RESERVATIONS_HEADER, type IngestFixture } from '../support/ingest-fixture.ts';
import { startServing } from '../support/run-cli.ts';

describe('pickwise up', { timeout: 180_000 }, () => {
  const backend = warehouseBackends()[0]!;
  let fx: IngestFixture;
  let url: string;

  beforeAll(async () => {
    url = await backend.newDatabaseUrl('up');
    fx = await createIngestFixture(url);
    await fx.landGenerated({ users: 40, services: 10, reservations: 400, seed: 5 });
    await fx.ingest();
    await trainChampion(fx, { kind: 'popular' });
  });
  afterAll(async () => {
    await fx.close();
    await backend.dropDatabase(url);
  });

  it('serves the API and runs the on-landing DAG once for a file that lands, then stops on SIGTERM', async () => {
    const port = await freePort();
    const { run: up, base } = await startServing(['up', '--port', String(port), '--model-name', 'shop'], {
      cwd: fx.dir,
      port,
      env: {
        PICKWISE_HOME: path.join(fx.dir, 'home'),
        PICKWISE_DATABASE__URL: url,
        PICKWISE_STORAGE__URL: `file:${fx.bucketDir}`,
        PICKWISE_ORCHESTRATION__TICK_SECONDS: '1',
        PICKWISE_LOG__LEVEL: 'warn',
      },
    });
    try {
      await fx.land('reservations-late.csv', `${RESERVATIONS_HEADER}\nR-late-1,U0000001,S000001,completed,2026-01-05 10:00:00,5\n`);
      let runs: { dagId: string; runKey: string; state: string }[] = [];
      for (let i = 0; i < 600; i++) {
        runs = (await fx.warehouse.db.selectFrom('orchDagRun').select(['dagId', 'runKey', 'state']).execute()).map((r) => ({ ...r }));
        if (runs.some((r) => r.state === 'success')) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(runs).toEqual([{ dagId: 'on-landing', runKey: expect.stringMatching(/^file@landing\/reservations-late\.csv#[0-9a-f]{64}$/), state: 'success' }]);
      expect(await fx.count('fact_reservation')).toBeGreaterThan(0);
      const stored = await fx.warehouse.db.selectFrom('factReservation').select('reservationId').where('reservationId', '=', 'R-late-1').execute();
      expect(stored).toHaveLength(1);

      const list = await fetch(`${base}/v1/users/U0000001/recommendations?k=3`);
      expect(list.status).toBe(200);
      // A few more ticks create nothing else: the file is ingested, and the schedules wait for their next time.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(await fx.count('orch_dag_run')).toBe(1);
    } finally {
      up.child.kill('SIGTERM');
    }
    const done = await up.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/^stopped http:\/\/127\.0\.0\.1:\d+ and the scheduler \(SIGTERM\)$/m);
  });
});
