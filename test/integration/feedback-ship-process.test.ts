/**
 * The shipper as a real process stopped by real signals, against a loopback fake of Elasticsearch
 * (test/support/fake-elasticsearch.ts): no Elasticsearch server can be installed on this machine, so this proves
 * the shipper's behaviour around the client, not compatibility with a real cluster.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeElasticsearch, type FakeElasticsearch } from '../support/fake-elasticsearch.ts';
import { REPO_ROOT } from '../support/run-cli.ts';

const SCRIPT = path.join(REPO_ROOT, 'test', 'support', 'ship-process.ts');

describe('the feedback shipper as a process', () => {
  let fake: FakeElasticsearch;
  let dir: string;
  let cursorFile: string;
  beforeEach(async () => {
    fake = await startFakeElasticsearch();
    dir = await mkdtemp(path.join(tmpdir(), 'pickwise-ship-process-'));
    cursorFile = path.join(dir, 'feedback', 'elasticsearch.cursor.json');
  });
  afterEach(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = (mode: 'drain' | 'follow', events: number, batch: number) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
      cwd: REPO_ROOT,
      env: { ...process.env, SHIP_ES_URL: fake.url, SHIP_CURSOR_FILE: cursorFile, SHIP_EVENTS: String(events), SHIP_BATCH: String(batch), SHIP_MODE: mode },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
    return { child, done, stderrSoFar: () => stderr };
  };
  const cursor = async () => (JSON.parse(await readFile(cursorFile, 'utf8')) as { feedbackId: number }).feedbackId;

  it('on SIGTERM during a bulk request, finishes that batch, records it in the cursor and exits 0', async () => {
    const run = start('follow', 50, 10);
    const stderr = () => run.stderrSoFar();
    let bulks = 0;
    fake.onBulk(async () => {
      if (++bulks !== 2) return;
      run.child.kill('SIGTERM');
      // Answer only once the process has taken the signal in, so it arrives while the request is in flight.
      for (let i = 0; i < 500 && !stderr().includes('stop requested'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    });
    const result = await run.done;
    expect(result.stderr).not.toMatch(/"level":50/);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ batches: 2, created: 20, cursor: 20 });
    expect(await cursor()).toBe(20);
    expect(fake.storedCount.size).toBe(20);
    expect(result.stderr).toContain('feedback shipper stopped');
  });

  it('killed with SIGKILL mid-batch (the batch stored, the cursor not moved), a restart delivers every event exactly once by id', async () => {
    const first = start('drain', 30, 10);
    let bulks = 0;
    fake.onBulk(() => {
      // The fake stores this batch after the hook; the process dies before it hears the answer.
      if (++bulks === 2) first.child.kill('SIGKILL');
    });
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(await cursor()).toBe(10);
    expect(fake.storedCount.size).toBe(20);

    fake.onBulk(undefined);
    const again = await start('drain', 30, 10).done;
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ batches: 2, created: 10, duplicates: 10, failed: 0, cursor: 30 });
    expect(await cursor()).toBe(30);
    expect(fake.storedCount.size).toBe(30);
    expect([...fake.storedCount.values()].every((n) => n === 1)).toBe(true);
  });
});
