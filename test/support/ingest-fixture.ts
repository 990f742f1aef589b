import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateLanding, StoreSink } from '../../src/generator/index.ts';
import { runIngestJob, type IngestJobOptions, type IngestSummary } from '../../src/pipeline/index.ts';
import { configSchema } from '../../src/config/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { LocalObjectStore } from '../../src/storage/index.ts';
import { migrateToLatest, openWarehouse, type Warehouse } from '../../src/warehouse/index.ts';

/** A real local bucket in a temp folder plus a migrated warehouse at `databaseUrl`. */
export interface IngestFixture {
  readonly dir: string;
  readonly bucketDir: string;
  readonly store: LocalObjectStore;
  readonly warehouse: Warehouse;
  /** Uploads a landing file (`landing/<name>`). */
  land(name: string, content: string | Uint8Array): Promise<void>;
  /** Runs the ingest job on the fixture's bucket (or `store`) and warehouse; options as runIngestJob's. */
  ingest(options?: Partial<Pick<IngestJobOptions, 'retryQuarantine' | 'refreshFeatures' | 'clock' | 'store' | 'config' | 'feedback'>>): Promise<IngestSummary>;
  /** Generated landing files (users, services, reservations) written into `landing/`. */
  landGenerated(options: { users: number; services: number; reservations: number; seed?: number; dirty?: number }): Promise<void>;
  count(table: string): Promise<number>;
  /** Text of an object in the bucket. */
  read(key: string): Promise<string>;
  keys(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

export const ingestConfig = configSchema.parse({}).ingest;
export const feedbackConfig = configSchema.parse({}).feedback;

export async function createIngestFixture(databaseUrl: string): Promise<IngestFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pickwise-ingest-'));
  const bucketDir = path.join(dir, 'bucket');
  const store = new LocalObjectStore(bucketDir);
  const warehouse = await openWarehouse({ url: databaseUrl });
  await migrateToLatest(warehouse);
  return {
    dir,
    bucketDir,
    store,
    warehouse,
    land: (name, content) => store.put(`landing/${name}`, content),
    ingest: (options = {}) => runIngestJob({ store, warehouse, config: ingestConfig, feedback: feedbackConfig, logger: silentLogger(), ...options }),
    async landGenerated(o) {
      await generateLanding(
        { users: o.users, services: o.services, reservations: o.reservations, seed: o.seed ?? 1, dirty: o.dirty ?? 0 },
        new StoreSink(store, 'landing/'),
      );
    },
    async count(table) {
      const { sql } = await import('kysely');
      const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(warehouse.db);
      return Number(r.rows[0]?.n ?? 0);
    },
    async read(key) {
      const chunks: Buffer[] = [];
      for await (const c of await store.get(key)) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    async keys(prefix) {
      const out: string[] = [];
      for await (const o of store.list(prefix)) out.push(o.key);
      return out;
    },
    async close() {
      await warehouse.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const USERS_HEADER = 'user_id,signup_at,gender,birth_year,region';
export const SERVICES_HEADER = 'service_id,name,category,region,price,created_at';
export const RESERVATIONS_HEADER = 'reservation_id,user_id,service_id,status,reserved_at,rating';

/** Small valid dimension files: users u1..uN, services s1..sM. */
export function usersCsv(n: number): string {
  const lines = [USERS_HEADER];
  for (let i = 1; i <= n; i++) lines.push(`u${i},2023-01-0${1 + (i % 9)}T10:00:00Z,${i % 2 ? 'F' : 'M'},${1970 + (i % 40)},Seoul-Gangnam`);
  return lines.join('\n') + '\n';
}

export function servicesCsv(n: number): string {
  const lines = [SERVICES_HEADER];
  for (let i = 1; i <= n; i++) lines.push(`s${i},Service ${i},beauty,Busan,${10000 + i},2023-01-01T00:00:00Z`);
  return lines.join('\n') + '\n';
}
