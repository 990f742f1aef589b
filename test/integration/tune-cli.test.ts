import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { runCli, startCli } from '../support/run-cli.ts';

interface TuneJson {
  study: string;
  trials: { complete: number; pruned: number; failed: number; studyTotal: number };
  best?: { number: number; params: Record<string, unknown>; validationNdcg: number };
  importance: Record<string, number>;
  final?: {
    params: Record<string, unknown>;
    holdout: { metrics: { ndcg: number }; popularity: { ndcg: number } };
    saved: { prefix: string };
    registered: { name: string; version: number };
  };
}

describe.each(warehouseBackends())('pickwise tune on $name', (backend) => {
  describe.skipIf(!backend.available)('search', () => {
    let cwd: string;
    let url: string;
    let env: Record<string, string>;
    beforeAll(async () => {
      cwd = await mkdtemp(path.join(tmpdir(), 'pickwise-tune-'));
      url = await backend.newDatabaseUrl('tune');
      env = { PICKWISE_DATABASE__URL: url };
      expect((await runCli(['generate', '--users', '300', '--services', '40', '--reservations', '6000'], { cwd, env })).code).toBe(0);
      expect((await runCli(['ingest'], { cwd, env })).code).toBe(0);
    });
    afterAll(async () => {
      await rm(cwd, { recursive: true, force: true });
      await backend.dropDatabase(url);
    });

    const trialNumbers = async (study: string): Promise<number[]> => {
      const warehouse = await openWarehouse({ url });
      try {
        const rows = await warehouse.db
          .selectFrom('tuneTrial as t')
          .innerJoin('tuneStudy as s', 's.studyId', 't.studyId')
          .select('t.trialNumber')
          .where('s.name', '=', study)
          .orderBy('t.trialNumber')
          .execute();
        return rows.map((r) => Number(r.trialNumber));
      } finally {
        await warehouse.close();
      }
    };

    it('searches, reports the best trial and what mattered, trains and saves the best parameters; recommend uses them', async () => {
      const r = await runCli(['--json', 'tune', '--algo', 'als', '--trials', '8', '--threads', '1'], { cwd, env });
      expect(r.code, r.stderr).toBe(0);
      const s = JSON.parse(r.stdout) as TuneJson;
      expect(s.study).toBe('als');
      expect(s.trials.complete + s.trials.pruned + s.trials.failed).toBe(8);
      expect(s.trials.studyTotal).toBe(8);
      expect(s.best!.validationNdcg).toBeGreaterThan(0);
      expect(s.final!.params).toMatchObject(s.best!.params);
      expect(s.final!.holdout.metrics.ndcg).toBeGreaterThan(s.final!.holdout.popularity.ndcg);
      expect(Object.keys(s.importance).sort()).toEqual(['alpha', 'factors', 'iterations', 'regularization']);
      // The registry says where the version came from, and the run is listed as a training of the tune experiment.
      const shown = await runCli(['models', 'show', 'als'], { cwd, env });
      expect(shown.stdout).toMatch(
        new RegExp(
          `register v${s.final!.registered.version} {2}by .+: tuned by pickwise tune \\(study 'als', best of 8 trials: #${s.best!.number}, validation NDCG@10 0\\.\\d{4}\\)`,
        ),
      );
      const text = await runCli(['tune', '--algo', 'als', '--study', 'progress', '--trials', '2', '--threads', '1', '--dry-run'], { cwd, env });
      expect(text.code, text.stderr).toBe(0);
      // A line per trial on stderr for people, then the result on stdout.
      expect(text.stderr.split('\n').filter((l) => /^trial \d+ \(\d\/2\) (complete|pruned|failed) /.test(l))).toHaveLength(2);
      expect(text.stdout).toMatch(/^study 'progress' \(als\): /m);
      const rec = await runCli(['--json', 'recommend', '--user', 'U0000002', '--k', '3'], { cwd, env });
      expect(JSON.parse(rec.stdout)).toMatchObject({ model: { kind: 'als', version: s.final!.saved.prefix.split('/')[1] } });
    });

    it('continues a study by name, and two processes add trials to one study without clashing', async () => {
      const again = await runCli(['--json', 'tune', '--algo', 'als', '--trials', '3', '--dry-run', '--threads', '1', '--pruner', 'halving'], { cwd, env });
      expect(again.code, again.stderr).toBe(0);
      const s = JSON.parse(again.stdout) as TuneJson;
      expect(s.trials.studyTotal).toBe(11);
      expect(s).not.toHaveProperty('final');
      expect(await trialNumbers('als')).toEqual(Array.from({ length: 11 }, (_, i) => i));

      const args = ['--json', 'tune', '--algo', 'item-knn', '--study', 'shared', '--trials', '6', '--dry-run', '--threads', '1'];
      const [a, b] = await Promise.all([runCli(args, { cwd, env }), runCli([...args.slice(0, -2), '--seed', '7', '--threads', '1'], { cwd, env })]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      expect(await trialNumbers('shared')).toEqual(Array.from({ length: 12 }, (_, i) => i));
    });

    it('resumes a study after its process was killed mid-search', async () => {
      const args = ['tune', '--algo', 'item-knn', '--study', 'killed', '--trials', '500', '--dry-run', '--threads', '1'];
      const { child, done } = startCli(args, { cwd, env });
      const deadline = Date.now() + 60_000;
      while ((await trialNumbers('killed')).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      child.kill('SIGKILL');
      await done;
      const before = (await trialNumbers('killed')).length;
      expect(before).toBeGreaterThanOrEqual(3);
      expect(before).toBeLessThan(500);
      const resumed = await runCli(['--json', ...args.slice(0, 6), '2', '--dry-run', '--threads', '1'], { cwd, env });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect((JSON.parse(resumed.stdout) as TuneJson).trials.studyTotal).toBe(before + 2);
      expect(await trialNumbers('killed')).toEqual(Array.from({ length: before + 2 }, (_, i) => i));
    });

    it('refuses a bad duration with a clear message', async () => {
      const bad = await runCli(['tune', '--timeout', '10x'], { cwd, env });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/'10x' is not a duration \(e\.g\. 90s, 10m, 1h\)/);
      const pruner = await runCli(['tune', '--pruner', 'sometimes'], { cwd, env });
      expect(pruner.code).toBe(2);
      expect(pruner.stderr).toMatch(/pruner/);
    });
  });
});

describe('pickwise tune on an empty warehouse', () => {
  it('says there is nothing to learn from', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'pickwise-tune-empty-'));
    try {
      const r = await runCli(['tune', '--trials', '2'], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no reservations to learn from/);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
