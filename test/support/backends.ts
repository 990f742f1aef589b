/**
 * Every warehouse backend a contract suite must pass on, each able to hand out a fresh, empty database.
 *
 * ```ts
 * describe.each(warehouseBackends())('dim_user repo on $name', (backend) => {
 *   describe.skipIf(!backend.available)('contract', () => {
 *     let url: string;
 *     beforeAll(async () => { url = await backend.newDatabaseUrl('dim_user_repo'); });
 *     afterAll(() => backend.dropDatabase(url));
 *     it('…', async () => { ... });
 *   });
 * });
 * ```
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inject } from 'vitest';
import { createDatabaseAt, databaseNameOf, dropDatabaseAt } from './mariadb-server.ts';

export type WarehouseBackendName = 'sqlite' | 'mariadb';

export interface WarehouseBackend {
  readonly name: WarehouseBackendName;
  /** False only for MariaDB on a machine without the binaries (the global set-up has warned loudly). */
  readonly available: boolean;
  /** A URL for a new, empty database; `tag` (letters, digits, `_`) makes it recognisable when debugging. */
  newDatabaseUrl(tag: string): Promise<string>;
  /** Deletes a database that `newDatabaseUrl` of this backend returned. */
  dropDatabase(url: string): Promise<void>;
}

/** Prefix of every MariaDB database this helper creates; dropDatabase refuses anything else. */
const MARIADB_PREFIX = 't_';

export function warehouseBackends(): WarehouseBackend[] {
  return [sqliteBackend(), mariadbBackend(inject('mariadbUrl'))];
}

function sqliteBackend(): WarehouseBackend {
  let dir: string | undefined;
  // Files appear only when a test opens them, so handed-out names are remembered to keep each call's database fresh.
  const issued = new Set<string>();
  return {
    name: 'sqlite',
    available: true,
    async newDatabaseUrl(tag) {
      dir ??= mkdtempSync(join(tmpdir(), 'pickwise-sqlite-'));
      const base = safeTag(tag);
      let file = join(dir, `${base}.db`);
      for (let n = 2; issued.has(file); n++) file = join(dir, `${base}_${n}.db`);
      issued.add(file);
      return `sqlite:${file}`;
    },
    async dropDatabase(url) {
      if (!url.startsWith('sqlite:')) throw new Error(`not a sqlite URL: ${url}`);
      const file = url.slice('sqlite:'.length);
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
      try {
        rmdirSync(dirname(file));
      } catch {
        // other databases of this suite still live there
      }
    },
  };
}

function mariadbBackend(serverUrl: string | null): WarehouseBackend {
  const unavailable = (): never => {
    throw new Error('MariaDB is not available in this run (see the warning printed by the global set-up)');
  };
  return {
    name: 'mariadb',
    available: serverUrl !== null,
    async newDatabaseUrl(tag) {
      if (serverUrl === null) return unavailable();
      // 64 chars is MariaDB's identifier limit: prefix (2) + tag (≤ 40) + '_' + 8 hex chars.
      const name = `${MARIADB_PREFIX}${safeTag(tag).slice(0, 40)}_${randomBytes(4).toString('hex')}`;
      return createDatabaseAt(serverUrl, name);
    },
    async dropDatabase(url) {
      if (serverUrl === null) return unavailable();
      const name = databaseNameOf(url);
      if (name === undefined || !name.startsWith(MARIADB_PREFIX)) {
        throw new Error(`refusing to drop ${JSON.stringify(name)}: only databases from newDatabaseUrl (${MARIADB_PREFIX}*) are dropped`);
      }
      await dropDatabaseAt(serverUrl, name);
    },
  };
}

function safeTag(tag: string): string {
  const cleaned = tag.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
  return cleaned === '' ? 'db' : cleaned;
}
