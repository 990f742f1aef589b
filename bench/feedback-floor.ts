/**
 * Where the feedback route's time goes, without HTTP: on a fresh, migrated database with the bench's users and
 * services, `--events` events in batches of `--batch`, one batch at a time on one connection, each batch its own
 * transaction (as a request is), twice on fresh ids:
 * - `floor`: the rows fact_feedback receives, already resolved (user and service keys, date, attribution none),
 *   written by the route's own multi-row insert (`FeedbackRepo.insertEvents`) and nothing else: the database's
 *   floor for storing those rows;
 * - `record`: the route's store path (`recordFeedback`: look-ups of stored ids, users, services, lists in the
 *   window, the select a cancel undoes, then the same inserts), without HTTP, JSON or the served-list recorder.
 * Run by `npm run bench:feedback` as a child process; prints one JSON line `{ floor: {seconds}, record: {seconds} }`.
 *
 *   tsx bench/feedback-floor.ts --url sqlite:/tmp/x.db --events 200000 --batch 1000
 */
import { parseArgs } from 'node:util';
import { recordFeedback, type FeedbackInput } from '../src/feedback/index.ts';
import { Rng } from '../src/shared/rng.ts';
import { toUtcText } from '../src/shared/index.ts';
import { FeedbackRepo, openWarehouse } from '../src/warehouse/index.ts';
import { ITEMS, serviceId, userId, USERS } from './serve-support.ts';
import { storedFeedbackRow } from '../test/support/feedback-events.ts';

const { values } = parseArgs({ options: { url: { type: 'string' }, events: { type: 'string' }, batch: { type: 'string' } } });
const events = Number(values.events);
const batch = Number(values.batch);
if (!values.url || !(events > 0) || !(batch > 0)) throw new Error('usage: feedback-floor.ts --url URL --events N --batch N');

/** The bench's event mix (bench/feedback.bench.ts). */
const TYPES = [...Array<string>(12).fill('impression'), ...Array<string>(5).fill('select'), 'cancel', 'reserve', 'complete'];

function inputs(prefix: string, seed: number): FeedbackInput[][] {
  const rng = new Rng(seed);
  const batches: FeedbackInput[][] = [];
  for (let start = 0; start < events; start += batch) {
    const list: FeedbackInput[] = [];
    for (let n = start; n < Math.min(events, start + batch); n++)
      list.push({
        event_id: `${prefix}-${n}`,
        user_id: userId(rng.uniformInt(USERS)),
        service_id: serviceId(rng.uniformInt(ITEMS)),
        type: TYPES[n % TYPES.length]!,
      } as FeedbackInput);
    batches.push(list);
  }
  return batches;
}

const warehouse = await openWarehouse({ url: values.url });
try {
  const repo = new FeedbackRepo(warehouse);
  const now = new Date();
  const text = toUtcText(now);
  const dateKey = now.getUTCFullYear() * 10000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate();
  const users = await repo.userKeys(Array.from({ length: USERS }, (_, u) => userId(u)));
  const services = await repo.serviceKeys(Array.from({ length: ITEMS }, (_, i) => serviceId(i)));
  await repo.ensureDates([dateKey]);

  const rows = inputs('floor', 31).map((list) =>
    list.map((e) =>
      storedFeedbackRow({
        eventId: e.event_id,
        userId: e.user_id,
        serviceId: e.service_id,
        userKey: users.get(e.user_id) ?? null,
        serviceKey: services.get(e.service_id) ?? null,
        dateKey,
        type: e.type,
        at: text,
        receivedAt: text,
      }),
    ),
  );
  let started = performance.now();
  for (const b of rows) await repo.inTransaction((trx) => trx.insertEvents(b));
  const floor = (performance.now() - started) / 1000;

  const batches = inputs('record', 32);
  started = performance.now();
  for (const b of batches) await recordFeedback({ repo, events: b, now: new Date(), attributionWindow: 86_400, maxClockSkew: 300 });
  const record = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ events, batch, floor: { seconds: floor }, record: { seconds: record } })}\n`);
} finally {
  await warehouse.close();
}
