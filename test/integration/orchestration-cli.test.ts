/**
 * The orchestration as a user drives it from the command line, on the embedded defaults (SQLite, local folder,
 * local executor): DAGs from the config beside the built-ins, runs that wait and show their progress, run keys,
 * failures that are not retried, task logs, backfills with a dry run, pause and unpause, cancel, and the errors a
 * user meets (an unknown DAG, a worker without Redis, a DAG that does not check).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

const CONFIG = `
orchestration:
  dags:
    - id: diamond
      description: a diamond of small jobs
      tasks:
        - { id: start, job: NOOP }
        - { id: left, job: SLEEP, params: { seconds: 0.2 }, deps: [start] }
        - { id: right, job: NOOP, deps: [start] }
        - { id: join, job: NOOP, deps: [left, right] }
    - id: needs-data
      tasks:
        - { id: train, job: TRAIN, params: { kind: popular }, retry: { retries: 3, delay: 1 } }
`;

interface RunJson {
  run: { id: string; dagId: string; runKey: string; state: string };
  tasks: { taskId: string; state: string; try: number; maxTries: number; error?: string }[];
  created: boolean;
}

describe('pickwise dags, run, backfill and dag-runs', { timeout: 180_000 }, () => {
  let cwd: string;
  const cli = (...args: string[]) => runCli(args, { cwd });
  const json = async <T>(...args: string[]): Promise<T> => {
    const r = await cli('--json', ...args);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  };

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'pickwise-orch-'));
    await writeFile(path.join(cwd, 'pickwise.config.yaml'), CONFIG);
  });
  afterAll(async () => rm(cwd, { recursive: true, force: true }));

  it('lists the built-in DAGs beside the configured ones, and shows one', async () => {
    const { dags } = await json<{ dags: { id: string; paused: boolean; schedule: string | null; sensors: string[] }[] }>('dags', 'list');
    expect(dags.map((d) => d.id)).toEqual(['daily', 'on-landing', 'tune-weekly', 'diamond', 'needs-data']);
    expect(dags.find((d) => d.id === 'on-landing')?.sensors).toEqual(['landing']);
    const shown = await cli('dags', 'show', 'diamond');
    expect(shown.stdout).toMatch(/join\s+NOOP\s+left,right/);
  });

  it('runs a diamond to the end with --wait, showing each task, and creates no other run', async () => {
    const r = await cli('run', 'diamond', '--wait');
    expect(r.code, r.stderr).toBe(0);
    for (const task of ['start', 'left', 'right', 'join']) expect(r.stdout).toMatch(new RegExp(`${task}\\s+success`));
    expect(r.stdout).toMatch(/diamond manual@\S+: success/);
    const { runs } = await json<{ runs: { dagId: string }[] }>('dag-runs', 'list');
    // The waiting command drives its own run: no cron run of daily or tune-weekly appears by surprise.
    expect(runs.map((x) => x.dagId)).toEqual(['diamond']);
  });

  it('gives the same run to a repeated request with the same key', async () => {
    const first = await json<RunJson>('run', 'diamond', '--key', 'nightly-7');
    const again = await json<RunJson>('run', 'diamond', '--key', 'nightly-7');
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.run.id).toBe(first.run.id);
    expect(first.run.runKey).toBe('manual@nightly-7');
    await cli('dag-runs', 'cancel', first.run.id);
  });

  it('fails a run at once on an error no retry can fix, and keeps the task log', async () => {
    const r = await cli('--json', 'run', 'needs-data', '--wait');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as RunJson;
    expect(out.run.state).toBe('failed');
    expect(out.tasks).toMatchObject([{ taskId: 'train', state: 'failed', try: 1, maxTries: 4 }]);
    expect(out.tasks[0]!.error).toMatch(/no reservations to learn from/);
    // The failed run is an alert through the notifiers (the log here; Slack when alerts.slack.webhookUrl is set).
    expect(r.stderr).toMatch(/\[EVENT\] run failed: needs-data: /);
    const logs = await cli('dag-runs', 'logs', out.run.id, 'train');
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/no reservations to learn from/);
    const missing = await cli('dag-runs', 'logs', out.run.id, 'nope');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/has no task nope: its tasks are train/);
  });

  it('plans a 10-day backfill with --dry-run, creates it once, and a repeat adds nothing', async () => {
    const plan = await json<{ days: { date: string; created: boolean; runId: string | null }[] }>(
      'backfill',
      'diamond',
      '--from',
      '2026-01-01',
      '--to',
      '2026-01-10',
      '--max-active',
      '3',
      '--dry-run',
    );
    expect(plan.days.map((d) => d.date)).toHaveLength(10);
    expect(plan.days.every((d) => !d.created && d.runId === null)).toBe(true);
    const made = await json<typeof plan>('backfill', 'diamond', '--from', '2026-01-01', '--to', '2026-01-10', '--max-active', '3');
    expect(made.days.filter((d) => d.created)).toHaveLength(10);
    const again = await json<typeof plan>('backfill', 'diamond', '--from', '2026-01-01', '--to', '2026-01-10');
    expect(again.days.filter((d) => d.created)).toHaveLength(0);
    const { runs } = await json<{ runs: { runKey: string; state: string }[] }>('dag-runs', 'list', '--dag', 'diamond', '--state', 'queued', '--limit', '50');
    expect(runs.map((x) => x.runKey).sort()).toEqual(made.days.map((d) => `backfill@${d.date}`).sort());
    const bad = await cli('backfill', 'diamond', '--from', '2026-01-10', '--to', '2026-01-01');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--from 2026-01-10 is after --to 2026-01-01/);
  });

  it('pauses and unpauses a DAG', async () => {
    expect((await cli('dags', 'pause', 'diamond')).code).toBe(0);
    const paused = await json<{ dags: { id: string; paused: boolean }[] }>('dags', 'list');
    expect(paused.dags.find((d) => d.id === 'diamond')?.paused).toBe(true);
    expect((await cli('dags', 'unpause', 'diamond')).code).toBe(0);
    const active = await json<{ dags: { id: string; paused: boolean }[] }>('dags', 'list');
    expect(active.dags.find((d) => d.id === 'diamond')?.paused).toBe(false);
  });

  it('says what is wrong: an unknown DAG, a worker without Redis, a bad --conf', async () => {
    const unknown = await cli('run', 'nope');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no DAG nope \(DAGs: daily, on-landing, tune-weekly, diamond, needs-data\)/);
    const worker = await cli('worker');
    expect(worker.code).toBe(2);
    expect(worker.stderr).toMatch(/orchestration\.executor\.url to redis:\/\//);
    const conf = await cli('run', 'diamond', '--conf', '[1]');
    expect(conf.code).toBe(2);
    expect(conf.stderr).toMatch(/--conf must be a JSON object/);
  });

  it('refuses a DAG that does not check, naming where', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pickwise-orch-bad-'));
    try {
      await writeFile(
        path.join(dir, 'pickwise.config.yaml'),
        'orchestration:\n  dags:\n    - id: loop\n      tasks:\n        - { id: a, job: NOOP, deps: [b] }\n        - { id: b, job: NOOP, deps: [a] }\n',
      );
      const r = await runCli(['dags', 'list'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/orchestration\.dags\.0\.tasks\.0\.deps: dependency cycle: a → b → a/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
