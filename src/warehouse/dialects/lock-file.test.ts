import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLockFile } from './lock-file.ts';

describe('acquireLockFile', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pickwise-lock-'));
    file = path.join(dir, 'w.db.ingest.lock');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('is exclusive while held, and free again after release', async () => {
    const first = await acquireLockFile(file);
    expect('release' in first).toBe(true);
    const second = await acquireLockFile(file);
    expect(second).toMatchObject({ pid: process.pid, host: hostname() });
    if ('release' in first) await first.release();
    const third = await acquireLockFile(file);
    expect('release' in third).toBe(true);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('takes over a lock whose process on this host is gone', async () => {
    await writeFile(file, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    const lock = await acquireLockFile(file);
    expect('release' in lock).toBe(true);
  });

  it('respects a lock held from another host (it cannot check that process)', async () => {
    await writeFile(file, JSON.stringify({ pid: 1, host: 'elsewhere.example', since: '2026-01-01T00:00:00Z' }));
    expect(await acquireLockFile(file)).toMatchObject({ host: 'elsewhere.example' });
  });
});
