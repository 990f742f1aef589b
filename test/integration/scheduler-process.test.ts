/**
 * `kill -9` of `pickwise scheduler` (the local executor: tries run in its process) in the middle of a task: a new
 * scheduler resumes the run without redoing what finished, the killed try's lease lapses and the task gets a new
 * try, and the run completes with each effect once (the landing file ingested once, by the first try).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warehouseBackends } from '../support/backends.ts';
import { createIngestFixture, type IngestFixture } from '../support/ingest-fixture.ts';
import { runCli, startCli } from '../support/run-cli.ts';

const CONFIG = `
orchestration:
  tickSeconds: 1
  leaseSeconds: 3
  # The landing files are this DAG's to ingest: the built-in on-landing DAG would race it for the run lock.
  builtins: { onLanding: { enabled: false } }
  dags:
    - id: resumable
      tasks:
        - { id: ingest, job: INGEST, pool: io }
        - { id: wait, job: SLEEP, params: { seconds: 6 }, deps: [ingest], retry: { retries: 2, delay: 1 } }
        - { id: after, job: NOOP, deps: [wait] }
`;

describe.each(warehouseBackends())('kill -9 of pickwise scheduler on $name', (backend) => {
  describe.skipIf(!backend.available)('', () => {
    let fx: IngestFixture;
    let url: string;
    let env: Record<string, string>;

    beforeAll(async () => {
      url = await backend.newDatabaseUrl('scheduler_kill');
      fx = await createIngestFixture(url);
      await fx.landGenerated({ users: 20, services: 5, reservations: 100, seed: 3 });
      await writeFile(path.join(fx.dir, 'pickwise.config.yaml'), CONFIG);
      env = {
        PICKWISE_HOME: path.join(fx.dir, 'home'),
        PICKWISE_DATABASE__URL: url,
        PICKWISE_STORAGE__URL: `file:${fx.bucketDir}`,
        PICKWISE_LOG__LEVEL: 'warn',
      };
    });
    afterAll(async () => {
      await fx.close();
      await backend.dropDatabase(url);
    });

    const task = async (runId: string, taskId: string) =>
      fx.warehouse.db.selectFrom('orchTaskInstance').select(['state', 'tryNumber']).where('runId', '=', runId).where('taskId', '=', taskId).executeTakeFirst();
    async function until(what: string, check: () => Promise<boolean>): Promise<void> {
      for (let i = 0; i < 1200; i++) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`gave up waiting for ${what}`);
    }

    it('resumes the run after the kill: finished tasks are not redone, the killed task runs again, the run succeeds', async () => {
      const trigger = await runCli(['--json', 'run', 'resumable'], { cwd: fx.dir, env });
      expect(trigger.code, trigger.stderr).toBe(0);
      const runId = (JSON.parse(trigger.stdout) as { run: { id: string } }).run.id;

      const first = startCli(['scheduler'], { cwd: fx.dir, env });
      let stderr = '';
      first.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      await until('the sleep to start', async () => (await task(runId, 'wait'))?.state === 'running').catch(async (error: unknown) => {
        const tasks = await fx.warehouse.db
          .selectFrom('orchTaskInstance')
          .select(['taskId', 'state', 'tryNumber', 'error'])
          .where('runId', '=', runId)
          .execute();
        throw new Error(`${(error as Error).message}; tasks ${JSON.stringify(tasks)}; scheduler stderr:\n${stderr.slice(-3000)}`);
      });
      first.child.kill('SIGKILL');
      await first.done;
      expect(await task(runId, 'ingest')).toMatchObject({ state: 'success', tryNumber: 1 });

      const second = startCli(['scheduler'], { cwd: fx.dir, env });
      try {
        await until('the run to end', async () => {
          const run = await fx.warehouse.db.selectFrom('orchDagRun').select('state').where('runId', '=', runId).executeTakeFirst();
          return run?.state === 'success' || run?.state === 'failed';
        });
      } finally {
        second.child.kill('SIGTERM');
        await second.done;
      }
      const run = await fx.warehouse.db.selectFrom('orchDagRun').select('state').where('runId', '=', runId).executeTakeFirstOrThrow();
      expect(run.state).toBe('success');
      expect(await task(runId, 'ingest')).toMatchObject({ state: 'success', tryNumber: 1 });
      expect(await task(runId, 'wait')).toMatchObject({ state: 'success', tryNumber: 2 });
      const tries = await fx.warehouse.db
        .selectFrom('orchTaskTry')
        .select(['taskId', 'tryNumber', 'state'])
        .where('runId', '=', runId)
        .orderBy('taskId')
        .orderBy('tryNumber')
        .execute();
      expect(tries.map((t) => `${t.taskId}#${t.tryNumber}:${t.state}`)).toEqual(['after#1:success', 'ingest#1:success', 'wait#1:failed', 'wait#2:success']);
      // The landing files were loaded once, by the first scheduler's ingest.
      const files = await fx.warehouse.db.selectFrom('ingestFile').select(['objectKey', 'status']).execute();
      expect(files.filter((f) => f.status === 'loaded')).toHaveLength(3);
      expect(new Set(files.map((f) => f.objectKey)).size).toBe(files.length);
    }, 240_000);
  });
});
