/**
 * The database's floor for an ingest: how long the warehouse takes to store `--rows` reservations that are already
 * parsed, validated and resolved, with the loader's own writer (the same columns, indexes, statements and one
 * transaction, secondary indexes rebuilt after a large load where the backend does that), and nothing else: no
 * file, no parsing, no ledger, no features. Run by `npm run bench:ingest` as a child process on a fresh database;
 * prints one JSON line `{ rows, seconds }` (seconds from the transaction's start to its commit).
 *
 *   tsx bench/ingest-floor.ts --url sqlite:/tmp/x.db --rows 1000000 --users 50000 --services 3000
 */
import { parseArgs } from 'node:util';
import { RESERVATION_INTS, toUtcText, type ReservationColumns } from '../src/shared/index.ts';
import { migrateToLatest, openWarehouse, StarWriter } from '../src/warehouse/index.ts';
import { ledgerRow } from '../test/support/ledger-row.ts';

const { values } = parseArgs({ options: { url: { type: 'string' }, rows: { type: 'string' }, users: { type: 'string' }, services: { type: 'string' } } });
const rows = Number(values.rows);
const users = Number(values.users);
const services = Number(values.services);
if (!values.url || !(rows > 0) || !(users > 0) || !(services > 0)) throw new Error('usage: ingest-floor.ts --url URL --rows N --users N --services N');

/** The loader's batch size (csv-records delivers 2 000 records at a time). */
const BATCH = 2000;
const start = Date.UTC(2024, 0, 1);
const YEAR_MS = 366 * 86_400_000;

/** Batches of prepared reservations, shaped like a generated file: ids in order, times spread over a year. */
function prepare(): ReservationColumns[] {
  const batches: ReservationColumns[] = [];
  let x = 42;
  const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let from = 0; from < rows; from += BATCH) {
    const n = Math.min(BATCH, rows - from);
    const strings = new Array<string>(n * 2);
    const ints = new Int32Array(n * RESERVATION_INTS);
    for (let i = 0; i < n; i++) {
      const at = new Date(start + Math.floor(next() * YEAR_MS));
      strings[i * 2] = `R${String(from + i + 1).padStart(9, '0')}`;
      strings[i * 2 + 1] = toUtcText(at);
      const k = i * RESERVATION_INTS;
      ints[k] = 1 + Math.floor(next() * users);
      ints[k + 1] = 1 + Math.floor(next() * services);
      ints[k + 2] = at.getUTCFullYear() * 10000 + (at.getUTCMonth() + 1) * 100 + at.getUTCDate();
      ints[k + 3] = Math.floor(next() * 3);
      ints[k + 4] = next() < 0.3 ? 1 + Math.floor(next() * 5) : 0;
    }
    batches.push({ n, strings, ints });
  }
  return batches;
}

const warehouse = await openWarehouse({ url: values.url });
try {
  await migrateToLatest(warehouse);
  await warehouse.db
    .insertInto('ingestFile')
    .values(ledgerRow({ objectKey: 'floor', sha256: 'floor', status: 'loading', detectedAt: toUtcText(new Date()) }))
    .execute();
  const batches = prepare();
  const started = performance.now();
  await warehouse.db.transaction().execute(async (trx) => {
    const finishBulkLoad = await warehouse.dialect.beginBulkLoad(trx, 'fact_reservation');
    const writer = new StarWriter({ db: trx, dialect: warehouse.dialect, fileId: 1, now: toUtcText(new Date()) });
    for (const batch of batches) await writer.writeReservations(batch);
    await writer.finish();
    await finishBulkLoad();
  });
  process.stdout.write(`${JSON.stringify({ rows, seconds: (performance.now() - started) / 1000 })}\n`);
} finally {
  await warehouse.close();
}
