import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFeatureTables, FEATURE_BUILD_CHANNEL } from '../../src/features/index.ts';
import { openWarehouse, type Warehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { REPO_ROOT, runCli, startCli } from '../support/run-cli.ts';

/** Preload that stops a CLI child at a diagnostics channel's first message (see the file). */
const HOLD_AT_CHANNEL = path.join(REPO_ROOT, 'test', 'support', 'hold-at-channel.mjs');

/** Polls (every 25 ms, at most 30 s) until `file` exists. */
async function waitForFile(file: string): Promise<boolean> {
  for (let i = 0; i < 1200; i++) {
    if (existsSync(file)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/** Polls the ledger (every 25 ms, at most 15 s) until `key` has `status`; returns the last status seen. */
async function waitForLedgerStatus(warehouse: Warehouse, key: string, status: string): Promise<string | undefined> {
  let state: string | undefined;
  for (let i = 0; i < 600 && state !== status; i++) {
    await new Promise((r) => setTimeout(r, 25));
    state = await warehouse.db
      .selectFrom('ingestFile')
      .select('status')
      .where('objectKey', '=', key)
      .executeTakeFirst()
      .then(
        (e) => e?.status,
        () => undefined,
      );
  }
  return state;
}

/** `pickwise` as a user runs it: a child process, its exit code, stdout and stderr. */
describe('pickwise CLI on the embedded defaults', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'pickwise-cli-'));
  });
  afterAll(async () => rm(cwd, { recursive: true, force: true }));

  it('generates into the local bucket, ingests, and reports status (text and --json)', async () => {
    const gen = await runCli(['generate', '--users', '100', '--services', '20', '--reservations', '1500', '--dirty', '0.02'], { cwd });
    expect(gen.code).toBe(0);
    expect(gen.stdout).toMatch(/wrote reservations\.csv: \d+ rows \(\d+ deliberately invalid\)/);
    expect(existsSync(path.join(cwd, '.pickwise/bucket/landing/users.csv'))).toBe(true);

    const ingest = await runCli(['--json', 'ingest'], { cwd });
    expect(ingest.code).toBe(0);
    const summary = JSON.parse(ingest.stdout) as { filesLoaded: number; rowsLoaded: number; rowsRejected: number; files: { status: string }[] };
    expect(summary.filesLoaded).toBe(3);
    expect(summary.rowsRejected).toBeGreaterThan(0);
    expect(existsSync(path.join(cwd, '.pickwise/pickwise.db'))).toBe(true);

    const again = await runCli(['ingest'], { cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/No new landing files/);

    const status = await runCli(['--json', 'status'], { cwd });
    const s = JSON.parse(status.stdout) as { tables: Record<string, number>; ledger: { byStatus: Record<string, number> } };
    expect(s.tables['dim_user']).toBe(100);
    expect(s.ledger.byStatus).toEqual({ loaded: 3 });
  });

  it('refuses bad options with a usage error', async () => {
    const r = await runCli(['generate', '--users', 'many'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--users/);
  });

  it('takes the database URL from PICKWISE_DATABASE__URL', async () => {
    const r = await runCli(['--json', 'db', 'migrate'], { cwd, env: { PICKWISE_DATABASE__URL: `sqlite:${path.join(cwd, 'other.db')}` } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      applied: [
        '0001-star-schema',
        '0002-feature-tables',
        '0003-feature-watermark',
        '0004-tuning',
        '0005-tracking-registry',
        '0006-trial-heartbeat',
        '0007-feedback',
        '0008-run-feedback',
        '0009-ingest-duplicates',
        '0010-packed-impressions',
        '0011-monitoring-rollups',
        '0012-shown-service-latest',
        '0013-orchestration',
        '0014-interaction-scan-index',
      ],
    });
    expect(existsSync(path.join(cwd, 'other.db'))).toBe(true);
  });
});

describe.each(warehouseBackends())('pickwise ingest failure modes on $name', (backend) => {
  describe.skipIf(!backend.available)('failures', () => {
    let cwd: string;
    let url: string;
    beforeAll(async () => {
      cwd = await mkdtemp(path.join(tmpdir(), 'pickwise-cli-'));
      url = await backend.newDatabaseUrl('cli_kill');
    });
    afterAll(async () => {
      await rm(cwd, { recursive: true, force: true });
      await backend.dropDatabase(url);
    });

    it('stops with a clear error when the database is unreachable, moving nothing', async () => {
      await runCli(['generate', '--users', '20', '--services', '5', '--reservations', '100'], { cwd });
      const landing = await readdir(path.join(cwd, '.pickwise/bucket/landing'));
      // SQLite's "unreachable": a database path below a regular file, which can never be opened.
      await writeFile(path.join(cwd, 'not-a-dir'), '');
      const unreachable = backend.name === 'mariadb' ? 'mysql://pickwise:pw@127.0.0.1:1/nowhere' : `sqlite:${path.join(cwd, 'not-a-dir', 'x.db')}`;
      const r = await runCli(['ingest', '--database-url', unreachable], { cwd });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        backend.name === 'mariadb'
          ? /cannot reach the database mysql:\/\/pickwise:\*\*\*@127\.0\.0\.1:1\/nowhere: connection refused/
          : /cannot open SQLite database/,
      );
      expect(r.stderr).not.toMatch(/:pw@/);
      expect(await readdir(path.join(cwd, '.pickwise/bucket'))).toEqual(['landing']);
      expect(await readdir(path.join(cwd, '.pickwise/bucket/landing'))).toEqual(landing);
    });

    it('refuses a second ingest while one is running, with exit code 5 and who holds the lock', async () => {
      const bucket = path.join(cwd, 'busy-bucket');
      const busyUrl = await backend.newDatabaseUrl('cli_busy');
      await runCli(['generate', '--out', path.join(bucket, 'landing'), '--users', '2000', '--services', '100', '--reservations', '200000', '--seed', '9'], {
        cwd,
      });
      const args = ['ingest', '--database-url', busyUrl, '--storage-url', `file:${bucket}`, '--log-level', 'warn'];
      const first = startCli(args, { cwd });
      const warehouse = await openWarehouse({ url: busyUrl });
      try {
        expect(await waitForLedgerStatus(warehouse, 'landing/reservations.csv', 'loading')).toBe('loading');
        const second = await runCli(args, { cwd });
        expect(second.code).toBe(5);
        expect(second.stderr).toMatch(/another pickwise ingest or feature build is running on .* \((process \d+ on |MariaDB connection \d+)/);
        expect((await first.done).code).toBe(0);
        const third = await runCli(args, { cwd });
        expect(third.code).toBe(0);
        expect(third.stdout).toMatch(/No new landing files/);
      } finally {
        await warehouse.close();
        await backend.dropDatabase(busyUrl);
      }
    });

    it('repairs a feature snapshot left missing, then stale, by a kill -9 during the feature update; status shows it', async () => {
      const bucket = path.join(cwd, 'features-bucket');
      const featuresUrl = await backend.newDatabaseUrl('cli_features_kill');
      await runCli(['generate', '--out', path.join(bucket, 'landing'), '--users', '200', '--services', '30', '--reservations', '3000', '--seed', '11'], {
        cwd,
      });
      const args = ['--database-url', featuresUrl, '--storage-url', `file:${bucket}`, '--log-level', 'warn'];
      const marker = path.join(cwd, 'held-at-feature-build.json');
      const killDuringFeatureUpdate = async (): Promise<void> => {
        await rm(marker, { force: true });
        const run = startCli(['ingest', ...args], {
          cwd,
          env: { NODE_OPTIONS: `--import=${HOLD_AT_CHANNEL}`, HOLD_CHANNEL: FEATURE_BUILD_CHANNEL, HOLD_MARKER: marker },
        });
        const held = await waitForFile(marker);
        run.child.kill('SIGKILL');
        const result = await run.done;
        expect(held, `the run never reached the feature update: ${result.stderr}`).toBe(true);
        expect(JSON.parse(await readFile(marker, 'utf8'))).toMatchObject({ phase: 'writing' });
      };
      const status = async () => JSON.parse((await runCli(['--json', 'status', ...args], { cwd })).stdout) as { features: { state: string; reason?: string } };
      const warehouse = await openWarehouse({ url: featuresUrl });
      try {
        await killDuringFeatureUpdate();
        const files = await warehouse.db.selectFrom('ingestFile').select('status').execute();
        expect(files.map((f) => f.status)).toEqual(['loaded', 'loaded', 'loaded']); // the loads committed
        expect(await warehouse.db.selectFrom('featSnapshot').selectAll().execute()).toEqual([]); // the snapshot did not
        expect(await status()).toMatchObject({ features: { state: 'missing' } });
        expect((await runCli(['status', ...args], { cwd })).stdout).toMatch(
          /^features: no snapshot — MISSING: the warehouse holds data but has no feature snapshot/m,
        );

        const repaired = await runCli(['--json', 'ingest', ...args], { cwd });
        expect(repaired.code).toBe(0);
        const summary = JSON.parse(repaired.stdout) as { files: unknown[]; features: { because: string; mode: string; users: number; services: number } };
        expect(summary.files).toEqual([]);
        expect(summary.features).toMatchObject({ mode: 'full', users: 200, services: 30 });
        expect(summary.features.because).toMatch(/^repaired: the warehouse holds data but has no feature snapshot/);
        expect(await status()).toMatchObject({ features: { state: 'fresh' } });

        // A status update of one reservation, loaded; the run is killed again while it updates the snapshot.
        const first = (await readFile(path.join(bucket, 'landing', 'reservations.csv'), 'utf8')).split('\n')[1]!.split(',');
        const status2 = first[3] === 'canceled' ? 'completed' : 'canceled';
        await writeFile(
          path.join(bucket, 'landing', 'reservations_2.csv'),
          `reservation_id,user_id,service_id,status,reserved_at,rating\n${first[0]},${first[1]},${first[2]},${status2},${first[4]},\n`,
        );
        await killDuringFeatureUpdate();
        const stale = await status();
        expect(stale.features.state).toBe('stale');
        expect(stale.features.reason).toMatch(/the warehouse changed at .*, after snapshot #\d+ was built/);
        const again = JSON.parse((await runCli(['--json', 'ingest', ...args], { cwd })).stdout) as {
          features: { snapshotId: number; because: string; mode: string };
        };
        expect(again.features.because).toMatch(/^repaired: the warehouse changed/);
        expect(again.features.mode).toBe('incremental');
        expect(await status()).toMatchObject({ features: { state: 'fresh' } });
        // The repaired snapshot is exactly what a full build gives.
        const full = await buildFeatureTables(warehouse);
        const rows = async (snapshotId: number) => ({
          users: (await warehouse.db.selectFrom('featUser').selectAll().where('snapshotId', '=', snapshotId).orderBy('userKey').execute()).map(
            ({ snapshotId: _s, ...r }) => r,
          ),
          services: (await warehouse.db.selectFrom('featService').selectAll().where('snapshotId', '=', snapshotId).orderBy('serviceKey').execute()).map(
            ({ snapshotId: _s, ...r }) => r,
          ),
        });
        expect(await rows(again.features.snapshotId)).toEqual(await rows(full.snapshotId));
      } finally {
        await warehouse.close();
        await backend.dropDatabase(featuresUrl);
      }
    });

    it('loads a file exactly once after the process is killed in the middle of loading it', async () => {
      const bucket = path.join(cwd, 'kill-bucket');
      await runCli(['generate', '--out', path.join(bucket, 'landing'), '--users', '3000', '--services', '200', '--reservations', '250000', '--seed', '5'], {
        cwd,
      });
      const args = ['ingest', '--database-url', url, '--storage-url', `file:${bucket}`, '--log-level', 'warn'];
      const run = startCli(args, { cwd });
      const warehouse = await openWarehouse({ url });
      try {
        // Wait until the reservations file is being loaded, then kill the process without warning.
        expect(await waitForLedgerStatus(warehouse, 'landing/reservations.csv', 'loading')).toBe('loading');
        await new Promise((r) => setTimeout(r, 400));
        run.child.kill('SIGKILL');
        await run.done;
        const interrupted = await warehouse.db.selectFrom('ingestFile').select(['status']).where('objectKey', '=', 'landing/reservations.csv').execute();
        expect(interrupted).toEqual([{ status: 'loading' }]); // the ledger says it was not completed
        const partial = await warehouse.db
          .selectFrom('factReservation')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        expect(Number(partial.n)).toBe(0); // nothing of the file is in the warehouse

        const rerun = await runCli([...args, '--json'], { cwd });
        expect(rerun.code).toBe(0);
        const summary = JSON.parse(rerun.stdout) as { files: { key: string; status: string; rowsOk: number }[] };
        expect(summary.files.map((f) => [f.key, f.status])).toEqual([['landing/reservations.csv', 'loaded']]);
        const entries = await warehouse.db.selectFrom('ingestFile').select(['objectKey', 'status']).orderBy('fileId').execute();
        expect(entries.map((e) => e.status)).toEqual(['loaded', 'loaded', 'loaded']);
        const facts = await warehouse.db
          .selectFrom('factReservation')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        const distinctIds = new Set(
          (await readFile(path.join(bucket, 'landing/reservations.csv'), 'utf8'))
            .split('\n')
            .slice(1)
            .filter(Boolean)
            .map((l) => l.split(',')[0]),
        );
        expect(Number(facts.n)).toBe(distinctIds.size);
      } finally {
        await warehouse.close();
      }
    });
  });
});
