/**
 * Vitest global set-up: one MariaDB server and one Redis server for the whole run, shared by every test file (each
 * file creates its own database through `backends.ts`, and uses its own queue prefix on Redis). Their URLs reach
 * the workers through `provide`/`inject('mariadbUrl')` and `inject('redisUrl')`.
 */
import type { TestProject } from 'vitest/node';
import { isCi } from './ci.ts';
import { findMariaDb, startMariaDb } from './mariadb-server.ts';
import { findRedisServer, startRedis } from './redis-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `mysql://pickwise:pw@127.0.0.1:PORT/pickwise_test`, or null when MariaDB is not installed locally. */
    mariadbUrl: string | null;
    /** `redis://127.0.0.1:PORT`, or null when redis-server is not installed locally. */
    redisUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stopRedis = await setupRedis(project);
  try {
    const stopMariaDb = await setupMariaDb(project);
    return async () => {
      await Promise.all([stopMariaDb?.(), stopRedis?.()]);
    };
  } catch (error) {
    await stopRedis?.();
    throw error;
  }
}

async function setupRedis(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!findRedisServer()) {
    // CI installs redis-server, so a missing binary there is a broken pipeline, never a reason to skip.
    if (isCi()) throw new Error('redis-server not found, and CI must not skip the Redis (BullMQ) suites. Install: apt-get install -y redis-server');
    process.stderr.write(REDIS_SKIP_WARNING);
    project.provide('redisUrl', null);
    return undefined;
  }
  const server = await startRedis();
  project.provide('redisUrl', server.url);
  return () => server.stop();
}

async function setupMariaDb(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!findMariaDb()) {
    // CI installs mariadb-server, so a missing binary there is a broken pipeline, never a reason to skip.
    if (isCi()) {
      throw new Error(
        'MariaDB binaries (mariadbd, mariadb-install-db, mariadb-admin, mariadb) not found, and CI must not skip the MariaDB suite. Install: apt-get install -y mariadb-server',
      );
    }
    process.stderr.write(SKIP_WARNING);
    project.provide('mariadbUrl', null);
    return undefined;
  }
  const server = await startMariaDb();
  project.provide('mariadbUrl', server.url);
  return async () => {
    await server.stop();
  };
}

const SKIP_WARNING = `
################################################################################
#  WARNING: the MariaDB test suite is SKIPPED.                                 #
#  mariadbd / mariadb-install-db / mariadb-admin / mariadb were not found.     #
#  Only SQLite is being tested; CI runs both and will catch MariaDB failures.  #
#  Install the server (no systemd needed; the tests start it themselves):      #
#      apt-get install -y mariadb-server                                       #
################################################################################

`;

const REDIS_SKIP_WARNING = `
################################################################################
#  WARNING: the Redis (BullMQ executor) test suites are SKIPPED.               #
#  redis-server was not found.                                                 #
#  CI installs it and runs them.                                               #
#  Install the server (no systemd needed; the tests start it themselves):      #
#      apt-get install -y redis-server                                         #
################################################################################

`;
