import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warehouseBackends } from '../support/backends.ts';
import { runCli } from '../support/run-cli.ts';

const HEADER = 'event_id,recommendation_id,user_id,service_id,type,at';

/** `pickwise ingest` with a feedback file in the landing folder, as a real process, on SQLite and MariaDB. */
describe.each(warehouseBackends())('pickwise ingest of feedback files on $name', (backend) => {
  describe.skipIf(!backend.available)('cli', () => {
    let cwd: string;
    let url: string;
    let landing: string;
    const cli = (...args: string[]) => runCli([...args, '--database-url', url, '--log-level', 'warn'], { cwd });
    const stats = async () => {
      const r = await cli('feedback', 'stats', '--since', '2026-01-01', '--json');
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { groups: { events: number; impressions: number; selects: number; cancels: number }[] }).groups;
    };

    beforeAll(async () => {
      cwd = await mkdtemp(path.join(tmpdir(), 'pickwise-feedback-cli-'));
      url = await backend.newDatabaseUrl('feedback_cli');
      landing = path.join(cwd, '.pickwise/bucket/landing');
      expect((await runCli(['generate', '--users', '20', '--services', '5', '--reservations', '100', '--log-level', 'warn'], { cwd })).code).toBe(0);
      const events = [
        'f1,,U0000001,S000001,impression,2026-11-30T09:00:00Z',
        'f2,,U0000001,S000001,select,2026-11-30T09:00:10Z',
        'f3,,U0000002,S000002,impression,2026-11-30T09:01:00Z',
        'f4,,U0000002,S000003,impression,2026-11-30T09:01:00Z',
        'f5,,U0000001,S000001,cancel,2026-11-30T09:05:00Z',
        'f6,,U9999999,S000002,select,2026-11-30T09:06:00Z',
      ];
      await writeFile(path.join(landing, 'feedback_2026-11-30.csv'), `${[HEADER, ...events].join('\n')}\n`);
    });
    afterAll(async () => {
      await rm(cwd, { recursive: true, force: true });
      await backend.dropDatabase(url);
    });

    it('loads the feedback file after the other kinds, and feedback stats shows its events', async () => {
      const r = await cli('ingest');
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines.findIndex((l) => l.includes('landing/feedback_2026-11-30.csv'))).toBeGreaterThan(lines.findIndex((l) => l.includes('landing/reservations')));
      expect(r.stdout).toContain('loaded    landing/feedback_2026-11-30.csv 6 rows: 6 loaded (6 new, 0 updates), 0 quarantined');
      expect(await stats()).toEqual([expect.objectContaining({ events: 6, impressions: 3, selects: 2, cancels: 1 })]);
    });

    it('loads nothing the second time', async () => {
      const r = await cli('ingest', '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ files: [], rowsIn: 0, rowsDuplicate: 0 });
    });

    it('quarantines bad rows with their reasons, counts events stored before as duplicates, and loses no row', async () => {
      const rows = [
        'f2,,U0000001,S000001,select,2026-11-30T09:00:10Z', // stored by the first file: a duplicate
        'f3,,U0000002,S000002,select,2026-11-30T09:01:00Z', // the id of an impression, now a select: reused
        'g1,,U0000003,S000004,like,2026-11-30T10:00:00Z',
        'g2,,,S000004,select,2026-11-30T10:00:00Z',
        'g3,,U0000003,S000004,select,30.11.2026',
        'g4,,U0000003,S000004,reserve,2026-11-30T10:02:00Z',
      ];
      await writeFile(path.join(landing, 'feedback_2026-12-01.csv'), `${[HEADER, ...rows].join('\n')}\n`);
      const r = await cli('ingest', '--json');
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout) as {
        rowsIn: number;
        rowsLoaded: number;
        rowsDuplicate: number;
        rowsRejected: number;
        files: { key: string; quarantineKey: string; rejectsByCode: Record<string, number> }[];
      };
      expect(summary).toMatchObject({ rowsIn: 6, rowsLoaded: 1, rowsDuplicate: 1, rowsRejected: 4 });
      expect(summary.files[0]!.rejectsByCode).toEqual({ BAD_TIMESTAMP: 1, BAD_TYPE: 1, EVENT_ID_REUSED: 1, MISSING_VALUE: 1 });
      const rejects = await readFile(path.join(cwd, '.pickwise/bucket', summary.files[0]!.quarantineKey), 'utf8');
      expect(rejects.trim().split('\n')).toEqual([
        `line,code,reason,${HEADER}`,
        `3,EVENT_ID_REUSED,"event_id 'f3' is stored already for another event (user, service, type or recommendation_id differ): use a new id",f3,,U0000002,S000002,select,2026-11-30T09:01:00Z`,
        `4,BAD_TYPE,"type 'like' is not one of impression, select, cancel, reserve, complete",g1,,U0000003,S000004,like,2026-11-30T10:00:00Z`,
        '5,MISSING_VALUE,user_id is empty,g2,,,S000004,select,2026-11-30T10:00:00Z',
        "6,BAD_TIMESTAMP,at: '30.11.2026' is not an ISO-8601 timestamp (expected e.g. 2024-03-05T14:22:10Z),g3,,U0000003,S000004,select,30.11.2026",
      ]);
      // 6 from the first file (none doubled by the second run) + 1.
      expect(await stats()).toEqual([expect.objectContaining({ events: 7 })]);
      const status = await cli('status');
      expect(status.stdout).toMatch(/fact_feedback\s+7/);
      expect(status.stdout).toMatch(/loaded\s+feedback\s+landing\/feedback_2026-12-01\.csv {2}ok 1, duplicate 1, rejected 4/);
      expect(status.stdout).toMatch(/loaded\s+feedback\s+landing\/feedback_2026-11-30\.csv {2}ok 6, rejected 0/);
    });
  });
});
