import { existsSync } from 'node:fs';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { warehouseBackends } from './backends.ts';
import { findMariaDb } from './mariadb-server.ts';

const mariadbUrl = inject('mariadbUrl');

describe('findMariaDb', () => {
  it('agrees with the global set-up about whether MariaDB is installed', () => {
    expect(findMariaDb() !== undefined).toBe(mariadbUrl !== null);
  });
});

describe.skipIf(mariadbUrl === null)('MariaDB test server', () => {
  let conn: Connection;

  beforeAll(async () => {
    conn = await createConnection(mariadbUrl ?? '');
  });
  afterAll(async () => {
    await conn?.end();
  });

  it('is a MariaDB 10.x server on loopback, logged in as pickwise', async () => {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS version, CURRENT_USER() AS who, DATABASE() AS db');
    expect(rows[0]?.version).toMatch(/^10\.\d+\.\d+-MariaDB/);
    expect(rows[0]?.who).toBe('pickwise@127.0.0.1');
    expect(rows[0]?.db).toBe('pickwise_test');
  });

  it('uses utf8mb4 and stores and reads back rows', async () => {
    await conn.query('CREATE TABLE smoke (id INT PRIMARY KEY, label VARCHAR(50) NOT NULL)');
    await conn.query('INSERT INTO smoke (id, label) VALUES (?, ?), (?, ?)', [1, 'ünïcödé 🚀', 2, 'plain']);
    const [rows] = await conn.query<RowDataPacket[]>('SELECT id, label FROM smoke ORDER BY id');
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { id: 1, label: 'ünïcödé 🚀' },
      { id: 2, label: 'plain' },
    ]);
    await conn.query('DROP TABLE smoke');
  });
});

describe.each(warehouseBackends())('warehouseBackends: $name', (backend) => {
  describe.skipIf(!backend.available)('database per call', () => {
    it('hands out distinct databases and drops them', async () => {
      const first = await backend.newDatabaseUrl('smoke');
      const second = await backend.newDatabaseUrl('smoke');
      expect(first).not.toBe(second);
      if (backend.name === 'sqlite') {
        expect(first).toMatch(/^sqlite:\/.*\/smoke\.db$/);
      } else {
        expect(first).toMatch(/^mysql:\/\/pickwise:pw@127\.0\.0\.1:\d+\/t_smoke_[0-9a-f]{8}$/);
        expect(await mariadbDatabaseExists(first)).toBe(true);
      }
      await backend.dropDatabase(first);
      await backend.dropDatabase(second);
      if (backend.name === 'sqlite') {
        expect(existsSync(first.slice('sqlite:'.length))).toBe(false);
      } else {
        expect(await mariadbDatabaseExists(first)).toBe(false);
      }
    });
  });
});

async function mariadbDatabaseExists(url: string): Promise<boolean> {
  const name = new URL(url).pathname.slice(1);
  const conn = await createConnection(mariadbUrl ?? '');
  try {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
    return rows.length === 1;
  } finally {
    await conn.end();
  }
}
