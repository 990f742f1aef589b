/**
 * Feedback benchmark (issue 13's figures), every part a real process on loopback 127.0.0.1:
 * 1. Ingest through the batch route: `pickwise serve` on SQLite and on a real MariaDB, autocannon posting
 *    `--events` events in `POST /v1/feedback` batches of `--batch` over `--connections` connections (a bounded
 *    amount of requests, bodies prepared beforehand). Then the counts: events sent = answered stored = rows in
 *    fact_feedback (SQL) = documents in a loopback fake Elasticsearch after `pickwise feedback ship` (its wall time
 *    is the shipper's throughput): lost and doubled events are counted by id.
 * 2. Serving with `feedback.recordServed` off and on, on each backend: `--serving-rounds` rounds, each with a fresh
 *    pair of servers on the same database (one recording, one not), GET recommendations for `--seconds` on each in
 *    turn (the order alternating from round to round), and the lists recorded against the lists served.
 *    `--serving-control` runs the same rounds with neither server recording: how far apart two equal servers come
 *    out, the method's own error.
 * 3. Catch-up after an Elasticsearch outage: the issue's 10 min at 1 000 events/s by default (`--outage-seconds`
 *    and `--rate` scale it down), on SQLite: `pickwise feedback ship --follow` runs throughout with its default
 *    back-off; events keep arriving at the rate after the fake recovers; catch-up time = from recovery until every
 *    event posted so far is in the fake.
 * `--parts` picks the parts to run (default all three); serving and catch-up alone start from a fresh database with
 * the catalogue.
 * Model and catalogue: the serving bench's shape (50 000 users × 3 000 services × 64 factors, bench/serve-support.ts).
 *
 *   npm run bench:feedback -- [--events 200000] [--batch 1000] [--connections 32] [--seconds 5]
 *                             [--outage-seconds 600] [--rate 1000] [--backends sqlite,mariadb]
 *                             [--parts ingest,serving,catchup] [--serving-rounds 10] [--serving-control]
 *                             [--cpu-prof-dir DIR]
 * `--cpu-prof-dir` profiles the servers of the ingest part (one folder per backend) and the serving servers
 * (serving-off/round-N, serving-on/round-N) with node --cpu-prof.
 *
 * No anchor in ../shared/anchors records or ships feedback (the seed's Elasticsearch writer is not among them):
 * recording off is the yardstick for recording on. Raw results go to `.bench/feedback-<timestamp>.json`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { Rng } from '../src/shared/rng.ts';
import { LocalObjectStore } from '../src/storage/index.ts';
import { openWarehouse } from '../src/warehouse/index.ts';
import { startFakeElasticsearch, type FakeElasticsearch } from '../test/support/fake-elasticsearch.ts';
import { freePort } from '../test/support/free-port.ts';
import { startMariaDb, type MariaDbServer } from '../test/support/mariadb-server.ts';
import { log, measure, n0, repoRoot, table } from './ingest-support.ts';
import { cpuSeconds, ITEMS, load, saveModel, seedCatalogue, serviceId, startServe, stopChild, userId, USERS, type Load } from './serve-support.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '5' },
    'outage-seconds': { type: 'string', default: '600' },
    rate: { type: 'string', default: '1000' },
    backends: { type: 'string', default: 'sqlite,mariadb' },
    parts: { type: 'string', default: 'ingest,serving,catchup' },
    'serving-rounds': { type: 'string', default: '10' },
    'serving-control': { type: 'boolean', default: false },
    'cpu-prof-dir': { type: 'string' },
  },
  strict: true,
});
const opts = {
  events: Number(values.events),
  batch: Number(values.batch),
  connections: Number(values.connections),
  seconds: Number(values.seconds),
  outageSeconds: Number(values['outage-seconds']),
  rate: Number(values.rate),
  backends: values.backends.split(',').map((b) => b.trim()),
  parts: values.parts.split(',').map((p) => p.trim()),
  servingRounds: Number(values['serving-rounds']),
};
for (const [k, v] of Object.entries(opts)) if (typeof v === 'number' && !(Number.isInteger(v) && v > 0)) throw new Error(`--${k} must be a positive integer`);
for (const b of opts.backends) if (b !== 'sqlite' && b !== 'mariadb') throw new Error(`unknown backend ${JSON.stringify(b)}: use sqlite, mariadb`);
for (const p of opts.parts)
  if (!['ingest', 'serving', 'catchup'].includes(p)) throw new Error(`unknown part ${JSON.stringify(p)}: use ingest, serving, catchup`);
if (opts.batch > 1000) throw new Error('--batch: the route takes at most 1 000 events');

const cliPath = join(repoRoot, 'bin', 'pickwise.js');
const tsxCli = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
/** The event mix: most reactions are impressions and selects; some cancels (each looks for the select it undoes). */
const TYPES = [...Array<string>(12).fill('impression'), ...Array<string>(5).fill('select'), 'cancel', 'reserve', 'complete'];

/** Request bodies of `batch` events each, ids `<prefix>-<n>`, random users and services of the model. */
function feedbackBodies(prefix: string, events: number, batch: number, seed: number): string[] {
  const rng = new Rng(seed);
  const bodies: string[] = [];
  for (let start = 0; start < events; start += batch) {
    const list = [];
    for (let n = start; n < Math.min(events, start + batch); n++)
      list.push({
        event_id: `${prefix}-${n}`,
        user_id: userId(rng.uniformInt(USERS)),
        service_id: serviceId(rng.uniformInt(ITEMS)),
        type: TYPES[n % TYPES.length],
      });
    bodies.push(JSON.stringify({ events: list }));
  }
  return bodies;
}

interface Answered {
  stored: number;
  duplicates: number;
  rejected: number;
}

interface IngestResult {
  backend: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  requests: number;
  p50: number;
  p99: number;
  failedRequests: number;
  answered: Answered;
  factFeedbackRows: number;
  distinctEventIds: number;
  ship: { seconds: number; eventsPerSecond: number; runs: number; exitCode: number | null };
  inElasticsearch: number;
  lost: number;
  doubled: number;
}

async function postBodies(
  base: string,
  bodies: readonly string[],
  connections: number,
): Promise<{ load: autocannon.Result; answered: Answered; seconds: number }> {
  const answered: Answered = { stored: 0, duplicates: 0, rejected: 0 };
  let next = 0;
  const started = process.hrtime.bigint();
  const result = await autocannon({
    url: base,
    connections: Math.min(connections, bodies.length),
    amount: bodies.length,
    timeout: 120,
    requests: [
      {
        method: 'POST',
        path: '/v1/feedback',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
        onResponse: (status, body) => {
          if (status !== 200) return;
          const r = JSON.parse(body) as Answered;
          answered.stored += r.stored;
          answered.duplicates += r.duplicates;
          answered.rejected += r.rejected;
        },
      },
    ],
  });
  return { load: result, answered, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function feedbackCounts(url: string): Promise<{ rows: number; distinct: number; lists: number }> {
  const warehouse = await openWarehouse({ url });
  try {
    const r = await sql<{ n: number; d: number }>`select count(*) as n, count(distinct event_id) as d from fact_feedback`.execute(warehouse.db);
    const l = await sql<{ n: number }>`select count(*) as n from rec_list`.execute(warehouse.db);
    return { rows: Number(r.rows[0]?.n), distinct: Number(r.rows[0]?.d), lists: Number(l.rows[0]?.n) };
  } finally {
    await warehouse.close();
  }
}

/** Events of `prefix` the fake holds (lost = sent − held) and ids it stored more than once. */
function esCheck(es: FakeElasticsearch, prefix: string, sent: number): { held: number; doubled: number } {
  let held = 0;
  for (let n = 0; n < sent; n++) if (es.storedCount.has(`${prefix}-${n}`)) held++;
  let doubled = 0;
  for (const count of es.storedCount.values()) if (count > 1) doubled++;
  return { held, doubled };
}

/** Every backend has its own home (database, cursor, served-list files); the model bucket is shared beside them. */
const storageEnv = (home: string) => ({ PICKWISE_STORAGE__URL: `file:${join(home, '..', 'bucket')}` });

function shipEnv(home: string, url: string, es: FakeElasticsearch): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PICKWISE_HOME: home,
    ...storageEnv(home),
    PICKWISE_DATABASE__URL: url,
    PICKWISE_LOG__LEVEL: 'warn',
    PICKWISE_FEEDBACK__ELASTICSEARCH__URL: es.url,
  };
}

interface Floor {
  backend: string;
  /** The rows alone, written by the route's multi-row insert, a transaction per batch. */
  floorEventsPerSecond: number;
  /** The route's store path (recordFeedback) without HTTP, one batch at a time. */
  recordEventsPerSecond: number;
}

/** bench/feedback-floor.ts on a fresh database with the same catalogue, as its own process. */
async function floorRun(o: { backend: string; url: string; home: string }): Promise<Floor | undefined> {
  await seedCatalogue(new LocalObjectStore(join(o.home, '..', 'bucket')), o.url);
  log(`${o.backend}: the database's floor and the store path without HTTP`);
  const m = await measure(
    process.execPath,
    [tsxCli, join(repoRoot, 'bench', 'feedback-floor.ts'), '--url', o.url, '--events', String(opts.events), '--batch', String(opts.batch)],
    {
      cwd: repoRoot,
      env: process.env,
      timeFile: join(o.home, 'floor.time'),
    },
  );
  if (m.exitCode !== 0) {
    log(`${o.backend}: floor failed: ${m.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    return undefined;
  }
  const r = JSON.parse(m.stdout.trim().split('\n').pop()!) as { floor: { seconds: number }; record: { seconds: number } };
  return { backend: o.backend, floorEventsPerSecond: opts.events / r.floor.seconds, recordEventsPerSecond: opts.events / r.record.seconds };
}

/** CPU µs per list committing served lists without serving, by round of 40 000 as rec_list grows (bench/served-list-floor.ts). */
interface ServedListFloor {
  readonly lists: number;
  readonly rows: number[];
  readonly commit: number[];
}

async function servedListFloorRun(work: string): Promise<ServedListFloor | undefined> {
  log('served lists: the database floor and the commit path without serving');
  const dir = join(work, 'served-list-floor');
  const m = await measure(process.execPath, [tsxCli, join(repoRoot, 'bench', 'served-list-floor.ts'), '--dir', dir, '--lists', '40000', '--rounds', '8'], {
    cwd: repoRoot,
    env: process.env,
    timeFile: join(work, 'served-list-floor.time'),
  });
  if (m.exitCode !== 0) {
    log(`served-list floor failed: ${m.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    return undefined;
  }
  return JSON.parse(m.stdout.trim().split('\n').pop()!) as ServedListFloor;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ingestRun(o: { backend: string; url: string; home: string; es: FakeElasticsearch }): Promise<IngestResult> {
  const { backend, url, home, es } = o;
  const store = new LocalObjectStore(join(home, '..', 'bucket'));
  await seedCatalogue(store, url);
  const port = await freePort();
  const prefix = `bench-${backend}`;
  const bodies = feedbackBodies(prefix, opts.events, opts.batch, 11);
  const env = shipEnv(home, url, es);
  delete env.PICKWISE_FEEDBACK__ELASTICSEARCH__URL; // the server does not ship in-process: the shipper is measured alone
  const cpuProf = values['cpu-prof-dir'];
  const server = await startServe({ home, port, env, nodeArgs: cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(cpuProf, backend)}`] : [] });
  let posted: Awaited<ReturnType<typeof postBodies>>;
  try {
    // Warm-up: 1 % of the events (at least one batch), not counted in the rate but in the totals.
    const warm = feedbackBodies(`${prefix}-warm`, Math.max(opts.batch, Math.floor(opts.events / 100)), opts.batch, 12);
    await postBodies(`http://127.0.0.1:${port}`, warm, opts.connections);
    log(
      `${backend}: posting ${n0(opts.events)} events in ${n0(bodies.length)} batches over ${opts.connections} connections (load avg ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')})`,
    );
    posted = await postBodies(`http://127.0.0.1:${port}`, bodies, opts.connections);
  } finally {
    await stopChild(server);
  }
  const warmEvents = Math.max(opts.batch, Math.floor(opts.events / 100));
  const counts = await feedbackCounts(url);
  log(`${backend}: shipping ${n0(counts.rows)} stored events to the fake Elasticsearch`);
  const endedAt = Date.now();
  let shipSeconds = 0;
  let runs = 0;
  let exitCode: number | null;
  // A drain stops before a gap in feedback_id younger than 30 s (a writer may still commit it): once past 30 s, again.
  for (;;) {
    runs++;
    const m = await measure(process.execPath, [cliPath, 'feedback', 'ship'], {
      cwd: home,
      env: shipEnv(home, url, es),
      timeFile: join(home, `ship-${runs}.time`),
    });
    shipSeconds += m.seconds;
    exitCode = m.exitCode;
    if (m.exitCode !== 0) log(`${backend}: feedback ship failed: ${m.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    const held = esCheck(es, prefix, opts.events).held + esCheck(es, `${prefix}-warm`, warmEvents).held;
    if (held >= counts.rows || runs >= 2 || m.exitCode !== 0) break;
    log(`${backend}: the drain stopped at ${n0(held)} of ${n0(counts.rows)} (a young gap in feedback_id); again after 30 s`);
    await sleep(Math.max(0, endedAt + 31_000 - Date.now()));
  }
  const main = esCheck(es, prefix, opts.events);
  const r = posted.load;
  return {
    backend,
    events: opts.events,
    seconds: posted.seconds,
    eventsPerSecond: opts.events / posted.seconds,
    requests: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    failedRequests: r.errors + r.timeouts + r.non2xx,
    answered: posted.answered,
    factFeedbackRows: counts.rows,
    distinctEventIds: counts.distinct,
    ship: { seconds: shipSeconds, eventsPerSecond: counts.rows / shipSeconds, runs, exitCode },
    inElasticsearch: main.held,
    lost: opts.events - main.held,
    doubled: main.doubled,
  };
}

/**
 * A serving run: the load; the server's CPU milliseconds per answered request (its serving thread during the run, and
 * all its threads until the lists of the run were committed; a database server's, MariaDB, over the same span); the
 * lists not yet committed when the load stopped and the seconds until they were.
 */
type ServingLoad = Load & { cpuMsPerRequest: { main: number; total: number; database?: number }; backlogAtEnd: number; drainSeconds: number };

/** Lists the server has taken but not yet committed (its /metrics counters). */
async function listBacklog(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const counter = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return counter('pickwise_served_lists_recorded_total') - counter('pickwise_served_lists_written_total') - counter('pickwise_served_lists_dropped_total');
}

/** One round: a run with recording off and one with it on, each on its server. */
interface ServingRound {
  readonly off: ServingLoad;
  readonly on: ServingLoad;
}

/**
 * Two servers on the same database, one recording and one not (with `--serving-control`, neither: an A/A run that
 * shows what the method itself can tell apart). Each of `--serving-rounds` rounds starts a fresh pair, warms both,
 * runs each once, and stops them; the order alternates from round to round (off started, warmed and run first, then
 * on first, …), and a run on one starts only when the other has committed its lists. A fresh pair per round because
 * a server process keeps its speed for its life, and the one started second has run up to 8 % faster than the first
 * (measured with neither recording); alternating the order weighs that, and drift in the machine's speed, on both
 * alike. The throughput ratio is reported per round, as the median of the rounds and as the ratio of all requests
 * answered on to off.
 */
async function servingRuns(o: {
  url: string;
  home: string;
  databasePid?: number;
}): Promise<{ rounds: ServingRound[]; listsRecorded: number; listsServed: number; control: boolean }> {
  let served = 0;
  const cpuProf = values['cpu-prof-dir'];
  const control = values['serving-control'] === true;
  const path = (u: string) => `/v1/users/${u}/recommendations?k=10`;
  const start = async (record: boolean, round: number) => {
    const port = await freePort();
    // Homes side by side (the model bucket is their parent's): the server recording off keeps no batch files.
    const home = record ? o.home : `${o.home}-off`;
    await mkdir(home, { recursive: true });
    const server = await startServe({
      home,
      port,
      env: { ...storageEnv(o.home), PICKWISE_DATABASE__URL: o.url, PICKWISE_FEEDBACK__RECORD_SERVED: String(record && !control) },
      nodeArgs: cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(cpuProf, `serving-${record ? 'on' : 'off'}`, `round-${round + 1}`)}`] : [],
    });
    return { server, base: `http://127.0.0.1:${port}` };
  };
  type Started = Awaited<ReturnType<typeof start>>;
  const drain = async (s: Started) => {
    for (let polls = 0; polls < 3000 && (await listBacklog(s.base)) > 0; polls++) await sleep(100);
  };
  const run = async (s: Started, record: boolean): Promise<ServingLoad> => {
    const { server, base } = s;
    const before = await cpuSeconds(server.pid!);
    const databaseBefore = o.databasePid === undefined ? undefined : await cpuSeconds(o.databasePid);
    const measured = await load(base, path, { connections: opts.connections, seconds: opts.seconds });
    const after = await cpuSeconds(server.pid!);
    // The lists taken but not yet in the database when the load stops, and how long the commits take to catch up
    // (they run at a lower priority than serving); the CPU they take meanwhile counts towards the run's.
    const backlogAtEnd = await listBacklog(base);
    const drainStarted = performance.now();
    await drain(s);
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    const drained = await cpuSeconds(server.pid!);
    const databaseDrained = o.databasePid === undefined ? undefined : await cpuSeconds(o.databasePid);
    const answered = measured.requests - measured.errors - measured.non2xx;
    if (record) served += answered;
    const perRequest = (seconds: number) => (seconds * 1000) / answered;
    return {
      ...measured,
      cpuMsPerRequest: {
        main: perRequest(after.main - before.main),
        total: perRequest(drained.total - before.total),
        ...(databaseBefore && databaseDrained ? { database: perRequest(databaseDrained.total - databaseBefore.total) } : {}),
      },
      backlogAtEnd,
      drainSeconds,
    };
  };
  const rounds: ServingRound[] = [];
  let recorded = 0;
  let outside = 0;
  const counted = async (s: Started, record: boolean): Promise<ServingLoad> => {
    const before = (await feedbackCounts(o.url)).lists;
    const l = await run(s, record);
    const added = (await feedbackCounts(o.url)).lists - before;
    if (!record && added !== 0) log(`recordServed off recorded ${added} list(s)`);
    if (record) recorded += added;
    return l;
  };
  for (let r = 0; r < opts.servingRounds; r++) {
    const order = r % 2 === 0 ? [false, true] : [true, false];
    log(`round ${r + 1} of ${opts.servingRounds}: recording ${order[0] ? 'on, then off' : 'off, then on'}${control ? ' (control: neither records)' : ''}`);
    const started: Started[] = [];
    try {
      for (const record of order) started.push(await start(record, r));
      // Warm-up in the same order; its lists are committed before the measured runs and not counted.
      for (const s of started) await load(s.base, path, { connections: opts.connections, seconds: 5 });
      for (const s of started) await drain(s);
      const warmLists = (await feedbackCounts(o.url)).lists;
      const loads = new Map<boolean, ServingLoad>();
      let measuredLists = 0;
      for (const [i, record] of order.entries()) {
        const before = recorded;
        loads.set(record, await counted(started[i]!, record));
        measuredLists += recorded - before;
      }
      outside += (await feedbackCounts(o.url)).lists - warmLists - measuredLists;
      rounds.push({ off: loads.get(false)!, on: loads.get(true)! });
    } finally {
      for (const s of started) await stopChild(s.server);
    }
  }
  if (outside !== 0) log(`${outside} list(s) appeared outside the measured runs`);
  return { rounds, listsRecorded: recorded, listsServed: served, control };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const onShare = (r: ServingRound): number => r.on.requestsPerSecond / r.off.requestsPerSecond;
/** Requests answered with recording on over those with it off, all rounds together (runs of equal length). */
const pooledShare = (rounds: readonly ServingRound[]): number =>
  rounds.reduce((sum, r) => sum + r.on.requestsPerSecond, 0) / rounds.reduce((sum, r) => sum + r.off.requestsPerSecond, 0);

interface CatchUp {
  outageSeconds: number;
  rate: number;
  postedDuringOutage: number;
  postedTotal: number;
  catchUpSeconds: number | null;
  inElasticsearch: number;
  doubled: number;
}

/** Posts `rate` events/s in 10 batches a second until `until()` says stop; returns the events answered 200. */
async function pacedWriter(base: string, prefix: string, rate: number, counter: { posted: number }, stop: AbortSignal): Promise<void> {
  const perTick = Math.max(1, Math.round(rate / 10));
  const rng = new Rng(21);
  const started = Date.now();
  for (let tick = 0; !stop.aborted; tick++) {
    const events = Array.from({ length: perTick }, (_, i) => ({
      event_id: `${prefix}-${counter.posted + i}`,
      user_id: userId(rng.uniformInt(USERS)),
      service_id: serviceId(rng.uniformInt(ITEMS)),
      type: TYPES[(counter.posted + i) % TYPES.length],
    }));
    const res = await fetch(`${base}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    if (res.status !== 200) throw new Error(`paced writer: POST /v1/feedback answered ${res.status}: ${await res.text()}`);
    counter.posted += perTick;
    await sleep(Math.max(0, started + (tick + 1) * 100 - Date.now()));
  }
}

async function catchUpRun(o: { url: string; home: string }): Promise<CatchUp> {
  const es = await startFakeElasticsearch();
  const children: ChildProcess[] = [];
  const stop = new AbortController();
  const counter = { posted: 0 };
  const prefix = 'bench-outage';
  try {
    const port = await freePort();
    const server = await startServe({ home: o.home, port, env: { ...storageEnv(o.home), PICKWISE_DATABASE__URL: o.url } });
    children.push(server);
    // The cursor stays where the ingest run's shipping left it (the end of what is stored): only new events ship.
    es.outage('unavailable');
    const shipper = spawn(process.execPath, [cliPath, 'feedback', 'ship', '--follow'], {
      env: shipEnv(o.home, o.url, es),
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    children.push(shipper);
    log(`outage: Elasticsearch down for ${opts.outageSeconds} s while ${opts.rate} events/s arrive`);
    const writing = pacedWriter(`http://127.0.0.1:${port}`, prefix, opts.rate, counter, stop.signal);
    const writerFailed = writing.then(
      () => false,
      (e: unknown) => {
        log((e as Error).message);
        return true;
      },
    );
    for (let left = opts.outageSeconds; left > 0; left -= 60) {
      await sleep(Math.min(60, left) * 1000);
      if (left > 60) log(`outage: ${n0(counter.posted)} events waiting, ${left - 60} s to go`);
    }
    const postedDuringOutage = counter.posted;
    es.recover();
    const recoveredAt = Date.now();
    log(`outage over with ${n0(postedDuringOutage)} events waiting; events keep arriving at ${opts.rate}/s`);
    let catchUpSeconds: number | null = null;
    const deadline = recoveredAt + Math.max(120_000, opts.outageSeconds * 2000);
    let delivered = 0; // events 0 … delivered − 1 are all in the fake (the shipper delivers in the order they were stored)
    while (Date.now() < deadline) {
      const target = counter.posted;
      while (delivered < target && es.storedCount.has(`${prefix}-${delivered}`)) delivered++;
      // Everything posted before this moment: the events of the outage and those since (the shipper is behind).
      if (target > 0 && delivered >= target - Math.round(opts.rate / 10)) {
        catchUpSeconds = (Date.now() - recoveredAt) / 1000;
        break;
      }
      await sleep(100);
    }
    stop.abort();
    await writing.catch(() => undefined);
    if (await writerFailed) throw new Error('the paced writer failed');
    // Let the follower ship the last events, then check every one arrived once.
    const settle = Date.now() + 15_000;
    while (Date.now() < settle && esCheck(es, prefix, counter.posted).held < counter.posted) await sleep(200);
    const check = esCheck(es, prefix, counter.posted);
    return {
      outageSeconds: opts.outageSeconds,
      rate: opts.rate,
      postedDuringOutage,
      postedTotal: counter.posted,
      catchUpSeconds,
      inElasticsearch: check.held,
      doubled: check.doubled,
    };
  } finally {
    stop.abort();
    for (const c of children.reverse()) await stopChild(c);
    await es.close();
  }
}

/** The ingest part's tables: through the route, the floors without HTTP, shipping. */
function printIngest(results: readonly IngestResult[], floors: readonly Floor[]): void {
  console.log('\nFeedback ingest, POST /v1/feedback batches');
  console.log(
    table(
      ['backend', 'events', 'seconds', 'events/s', 'req p50 ms', 'req p99 ms', 'failed req', 'stored', 'dup', 'rej', 'SQL rows', 'in ES', 'lost', 'doubled'],
      results.map((r) => [
        r.backend,
        n0(r.events),
        r.seconds.toFixed(1),
        n0(r.eventsPerSecond),
        String(r.p50),
        String(r.p99),
        n0(r.failedRequests),
        n0(r.answered.stored),
        n0(r.answered.duplicates),
        n0(r.answered.rejected),
        n0(r.factFeedbackRows),
        n0(r.inElasticsearch),
        n0(r.lost),
        n0(r.doubled),
      ]),
      [false, true, true, true, true, true, true, true, true, true, true, true, true, true],
    ),
  );
  console.log('(stored and SQL rows include the warm-up: 1 % of the events, at least one batch)');
  if (floors.length > 0) {
    console.log('\nWithout HTTP, one batch at a time on one connection (bench/feedback-floor.ts)');
    console.log(
      table(
        ['backend', 'rows alone events/s', 'store path events/s', 'route events/s', 'route / rows alone'],
        floors.map((f) => {
          const route = results.find((r) => r.backend === f.backend)?.eventsPerSecond ?? Number.NaN;
          return [f.backend, n0(f.floorEventsPerSecond), n0(f.recordEventsPerSecond), n0(route), `${((route / f.floorEventsPerSecond) * 100).toFixed(0)} %`];
        }),
        [false, true, true, true, true],
      ),
    );
  }
  console.log('\nShipping, `pickwise feedback ship` (process wall time, start-up included)');
  console.log(
    table(
      ['backend', 'events', 'seconds', 'events/s', 'drains'],
      results.map((r) => [r.backend, n0(r.factFeedbackRows), r.ship.seconds.toFixed(1), n0(r.ship.eventsPerSecond), String(r.ship.runs)]),
      [false, true, true, true, true],
    ),
  );
}

const startedAt = new Date();
const machine = {
  cpuModel: cpus()[0]?.model ?? 'unknown',
  cores: availableParallelism(),
  node: process.version,
  totalMemGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  loadAvgAtStart: loadavg(),
};
console.log(
  `machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemGb} GB, node ${machine.node}, load avg ${machine.loadAvgAtStart.map((x) => x.toFixed(2)).join(' ')}`,
);
console.log(
  `load: ${n0(opts.events)} events in batches of ${opts.batch} over ${opts.connections} connections per backend; serving ${opts.seconds} s per run; outage ${opts.outageSeconds} s at ${opts.rate} events/s`,
);
const work = await mkdtemp(join(tmpdir(), 'pickwise-feedback-bench-'));
let mariadb: MariaDbServer | undefined;
try {
  const store = new LocalObjectStore(join(work, 'bucket'));
  log('saving the model');
  await saveModel(store, 1, 'v1');
  const ingest: IngestResult[] = [];
  const floors: Floor[] = [];
  let sqliteHome: { url: string; home: string } | undefined;
  for (const backend of opts.parts.includes('ingest') ? opts.backends : []) {
    const home = join(work, backend);
    await mkdir(home, { recursive: true });
    if (backend === 'mariadb') mariadb ??= await startMariaDb();
    const url = backend === 'sqlite' ? `sqlite:${join(home, 'pickwise.db')}` : await mariadb!.createDatabase('pickwise_feedback_bench');
    if (backend === 'sqlite') sqliteHome = { url, home };
    const es = await startFakeElasticsearch();
    try {
      ingest.push(await ingestRun({ backend, url, home, es }));
    } finally {
      await es.close();
    }
    const floorUrl = backend === 'sqlite' ? `sqlite:${join(home, 'floor.db')}` : await mariadb!.createDatabase('pickwise_feedback_floor');
    const floor = await floorRun({ backend, url: floorUrl, home });
    if (floor) floors.push(floor);
  }
  // Stopped between parts: a server busy flushing after the ingest must not weigh on the serving runs.
  await mariadb?.stop();
  mariadb = undefined;

  const serving: (Awaited<ReturnType<typeof servingRuns>> & { backend: string })[] = [];
  let catchUp: CatchUp | undefined;
  if (!sqliteHome && (opts.parts.includes('serving') || opts.parts.includes('catchup'))) {
    // Without the ingest part: a fresh SQLite database with the catalogue (the shipper's cursor starts at 0).
    const home = join(work, 'sqlite');
    await mkdir(home, { recursive: true });
    sqliteHome = { url: `sqlite:${join(home, 'pickwise.db')}`, home };
    await seedCatalogue(store, sqliteHome.url);
  }
  let servedFloor: ServedListFloor | undefined;
  for (const backend of opts.parts.includes('serving') ? opts.backends : []) {
    if (backend === 'sqlite') serving.push({ backend, ...(await servingRuns(sqliteHome!)) });
    else {
      // MariaDB: a fresh database with the catalogue; its server's CPU is counted beside the pickwise process's.
      mariadb ??= await startMariaDb();
      const home = join(work, 'mariadb-serving');
      await mkdir(home, { recursive: true });
      const url = await mariadb.createDatabase('pickwise_serving_bench');
      await seedCatalogue(store, url);
      serving.push({ backend, ...(await servingRuns({ url, home, databasePid: mariadb.pid })) });
    }
  }
  await mariadb?.stop();
  mariadb = undefined;
  if (opts.parts.includes('serving') && opts.backends.includes('sqlite')) servedFloor = await servedListFloorRun(work);
  if (sqliteHome && opts.parts.includes('catchup')) catchUp = await catchUpRun(sqliteHome);

  if (ingest.length > 0) printIngest(ingest, floors);
  for (const servingOn of serving) {
    console.log(
      `\nServing GET recommendations (${servingOn.backend === 'sqlite' ? 'SQLite' : 'MariaDB'}), feedback.recordServed${servingOn.control ? ': CONTROL, neither server records ("on" is the second server of each pair)' : ''}`,
    );
    const row = (name: string, l: ServingLoad) => [
      name,
      n0(l.requestsPerSecond),
      String(l.p50),
      String(l.p99),
      n0(l.errors + l.non2xx),
      l.cpuMsPerRequest.main.toFixed(3),
      l.cpuMsPerRequest.total.toFixed(3),
      l.cpuMsPerRequest.database === undefined ? '-' : l.cpuMsPerRequest.database.toFixed(3),
      n0(l.backlogAtEnd),
      l.drainSeconds.toFixed(1),
    ];
    console.log(
      table(
        [
          'recording',
          'req/s',
          'p50 ms',
          'p99 ms',
          'failed',
          'CPU ms/req, serving thread',
          'CPU ms/req, all threads',
          'CPU ms/req, database server',
          'lists uncommitted at end',
          'committed after, s',
        ],
        servingOn.rounds.flatMap((r, i) => [row(`off #${i + 1}`, r.off), row(`on #${i + 1}`, r.on)]),
        [false, true, true, true, true, true, true, true, true, true],
      ),
    );
    console.log(
      `recording on: ${(median(servingOn.rounds.map(onShare)) * 100).toFixed(1)} % of the throughput off (median of ${servingOn.rounds.length} rounds: ${servingOn.rounds.map((r) => `${(onShare(r) * 100).toFixed(1)} %`).join(', ')}); all requests on / off ${(pooledShare(servingOn.rounds) * 100).toFixed(1)} %; p99 on at most ${Math.max(...servingOn.rounds.map((r) => r.on.p99))} ms; lists recorded ${n0(servingOn.listsRecorded)} of ${n0(servingOn.listsServed)} answered (autocannon does not count the requests in flight when a run ends, up to one per connection)`,
    );
  }
  if (servedFloor) {
    const fmt = (xs: readonly number[]) => xs.map((x) => x.toFixed(1)).join(' ');
    console.log(
      `committing served lists without serving (SQLite, CPU µs per list, rounds of ${n0(servedFloor.lists)} as rec_list grows): rows alone ${fmt(servedFloor.rows)}; commit path (batch files read, decoded, committed) ${fmt(servedFloor.commit)}`,
    );
  }
  if (catchUp) {
    console.log(
      `\nCatch-up (SQLite): Elasticsearch down ${catchUp.outageSeconds} s at ${catchUp.rate} events/s (${n0(catchUp.postedDuringOutage)} events waiting); ` +
        `caught up ${catchUp.catchUpSeconds === null ? 'NOT within the deadline' : `${catchUp.catchUpSeconds.toFixed(1)} s after recovery`}; ` +
        `${n0(catchUp.inElasticsearch)} of ${n0(catchUp.postedTotal)} posted in the fake, ${catchUp.doubled} doubled`,
    );
  }
  console.log(
    `load avg at end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const outDir = join(repoRoot, '.bench');
  await mkdir(outDir, { recursive: true });
  const outFile = join(outDir, `feedback-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(
    outFile,
    `${JSON.stringify({ startedAt, machine: { ...machine, loadAvgAtEnd: loadavg() }, options: opts, ingest, floors, serving, servedFloor, catchUp }, null, 2)}\n`,
  );
  console.log(`raw results: ${outFile}`);
} finally {
  await mariadb?.stop();
  await rm(work, { recursive: true, force: true });
}
