import { hostname } from 'node:os';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { RunLock } from './warehouse-dialect.ts';

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

/**
 * An exclusive lock held as a file created with O_EXCL, owned by a pid on a host. A lock whose owner
 * process is gone (killed, crashed) on this host is taken over, so a `kill -9` never blocks the next run.
 * Returns the current owner instead when the lock is held by a live process.
 */
export async function acquireLockFile(file: string): Promise<RunLock | LockOwner> {
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, JSON.stringify(me), { flag: 'wx' });
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(file);
    if (owner !== undefined && (owner.host !== me.host || isAlive(owner.pid))) return owner;
    await rm(file, { force: true }); // stale: its process is gone
  }
  return (await readOwner(file)) ?? me;
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}
