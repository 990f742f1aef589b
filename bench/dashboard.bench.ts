/**
 * Dashboard and monitoring benchmark: a warehouse with `--events` stored feedback events (1 M by default) over
 * `--versions` registered versions of one model (100), spread over the last 30 days on 3 bases, and `--lists` served
 * lists; loaded with the dialect's bulk insert, rollups then built as migration 0011 back-fills them. Then
 * `pickwise serve` (its own process): each dashboard data route once on the fresh server (cold: its reads), then under
 * autocannon (p99 and req/s, target p99 < 200 ms; answers are shared for a few seconds, as the dashboard's viewers share them),
 * the /metrics scrape (time and size, with the warehouse gauges read and from the cache), and one evaluation of the
 * default alert rules against this warehouse. On SQLite and on MariaDB (test/support/mariadb-server.ts).
 *
 *   npm run bench:dashboard -- [--events 1000000] [--versions 100] [--lists 100000] [--seconds 5] [--connections 8] [--backends sqlite,mariadb]
 *
 * Prints a table and writes .bench/dashboard-<time>.json.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { configSchema } from '../src/config/index.ts';
import { AlertDelivery, Alerting, AlertStateFile, routeMetrics, ServingSignals, WarehouseMetricSource } from '../src/monitoring/index.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { Rng } from '../src/shared/rng.ts';
import { toUtcText } from '../src/shared/index.ts';
import { LocalObjectStore } from '../src/storage/index.ts';
import { backfillRollups, openWarehouse, packShownItems, REC_LIST_COLUMNS, type Warehouse } from '../src/warehouse/index.ts';
import { startMariaDb, type MariaDbServer } from '../test/support/mariadb-server.ts';
import { repoRoot } from './ingest-support.ts';
import { ITEMS, saveModel, seedCatalogue, serviceId, startServe, stopChild, userId, USERS } from './serve-support.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    versions: { type: 'string', default: '100' },
    lists: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '8' },
    backends: { type: 'string', default: 'sqlite,mariadb' },
  },
});
const EVENTS = Number(values.events);
const VERSIONS = Number(values.versions);
const LISTS = Number(values.lists);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const BASES = ['model', 'model', 'model', 'popular', 'popular-in-region'];
/** Of every 100 events: 60 impressions, 25 selects, 5 cancels, 7 reserves, 3 completes. */
const TYPE_OF = [
  ...Array(60).fill('impression'),
  ...Array(25).fill('select'),
  ...Array(5).fill('cancel'),
  ...Array(7).fill('reserve'),
  ...Array(3).fill('complete'),
];
const DAY_MS = 86_400_000;
const ROUTES = [
  '/v1/dashboard/summary?window=24h',
  '/v1/dashboard/summary?window=7d',
  '/v1/dashboard/satisfaction?window=7d&bucket=hour',
  '/v1/dashboard/satisfaction?window=30d&bucket=day',
  '/v1/dashboard/funnel?window=7d',
  '/v1/dashboard/pipeline',
  '/v1/dashboard/registry',
  '/v1/dashboard/latency',
];
const FEEDBACK_COLUMNS = [
  'event_id',
  'user_id',
  'service_id',
  'date_key',
  'type',
  'at',
  'received_at',
  'attribution',
  'model_name',
  'model_version',
  'basis',
  'rank',
  'flags',
];

const ms = (t0: number) => performance.now() - t0;

/** Bulk-loads the facts (multi-row inserts of the dialect, one transaction per 50 000 rows) and builds the rollups. */
async function loadWarehouse(w: Warehouse): Promise<{ loadSeconds: number; rollupSeconds: number }> {
  const rng = new Rng(11);
  const now = Date.now();
  const t0 = performance.now();
  await w.db
    .insertInto('registryVersion')
    .values(
      Array.from({ length: VERSIONS }, (_, i) => ({
        modelName: 'shop',
        version: i + 1,
        runId: `run${i + 1}`,
        status: 'active' as const,
        createdAt: toUtcText(new Date(now - (VERSIONS - i) * 3_600_000)),
      })),
    )
    .execute();
  await w.db
    .insertInto('trackMetric')
    .values(
      Array.from({ length: VERSIONS }, (_, i) => [
        { runId: `run${i + 1}`, name: 'holdout.ndcg', step: 0, value: 0.07 + i / 10_000 },
        { runId: `run${i + 1}`, name: 'popularity.ndcg', step: 0, value: 0.06 },
      ]).flat(),
    )
    .execute();
  await w.db
    .insertInto('registryAlias')
    .values({ modelName: 'shop', alias: 'champion', version: VERSIONS, updatedAt: toUtcText(new Date(now)) })
    .execute();
  const bulk = async (table: string, columns: readonly string[], count: number, row: (i: number) => unknown[]) => {
    const per = Math.floor(Math.min(w.dialect.statementParameters, w.dialect.maxParameters) / columns.length);
    for (let start = 0; start < count; start += 50_000) {
      await w.db.transaction().execute(async (trx) => {
        for (let i = start; i < Math.min(count, start + 50_000); i += per) {
          const n = Math.min(per, count - i, start + 50_000 - i);
          const params: unknown[] = [];
          for (let j = 0; j < n; j++) params.push(...row(i + j));
          await w.dialect.execBulk(trx, w.dialect.insertSql(table, columns, n), params);
        }
      });
    }
  };
  // Events: newer versions get more recent events (version v is served from about day 30·(v−1)/V on).
  await bulk('fact_feedback', FEEDBACK_COLUMNS, EVENTS, (i) => {
    const at = new Date(now - rng.next() * 30 * DAY_MS);
    const text = toUtcText(at);
    const v = Math.min(VERSIONS, 1 + Math.floor(((30 * DAY_MS - (now - at.getTime())) / (30 * DAY_MS)) * VERSIONS + rng.uniformInt(3)));
    const unattributed = rng.uniformInt(20) === 0;
    return [
      `e${i}`,
      userId(rng.uniformInt(USERS)),
      serviceId(rng.uniformInt(ITEMS)),
      Number(text.slice(0, 4) + text.slice(5, 7) + text.slice(8, 10)),
      TYPE_OF[i % 100],
      text,
      text,
      unattributed ? 'none' : 'list',
      unattributed ? null : 'shop',
      unattributed ? null : v,
      unattributed ? null : BASES[rng.uniformInt(BASES.length)],
      unattributed ? null : 1 + rng.uniformInt(10),
      '',
    ];
  });
  await bulk('rec_list', REC_LIST_COLUMNS, LISTS, (i) => {
    const at = now - rng.next() * 30 * DAY_MS;
    const first = rng.uniformInt(ITEMS);
    const text = toUtcText(new Date(at));
    return [
      `r${i}`,
      'user',
      null,
      userId(rng.uniformInt(USERS)),
      'shop',
      Math.min(VERSIONS, 1 + Math.floor(((30 * DAY_MS - (now - at)) / (30 * DAY_MS)) * VERSIONS)),
      'als',
      'v1',
      BASES[rng.uniformInt(BASES.length)],
      null,
      null,
      10,
      10,
      text,
      packShownItems(
        Array.from({ length: 10 }, (_, r) => r),
        (r) => [serviceId((first + r * 37) % ITEMS), 1 - r / 20],
      ),
    ];
  });
  const loadSeconds = ms(t0) / 1000;
  const t1 = performance.now();
  await backfillRollups(w.db);
  return { loadSeconds, rollupSeconds: ms(t1) / 1000 };
}

interface RouteFigure {
  readonly route: string;
  /** One request on a fresh server, nothing cached: the reads themselves. */
  readonly coldMs: number;
  readonly p50: number;
  readonly p99: number;
  readonly requestsPerSecond: number;
  readonly non2xx: number;
}

async function measureRoutes(base: string): Promise<RouteFigure[]> {
  const out: RouteFigure[] = [];
  const cold = new Map<string, number>();
  for (const route of ROUTES) {
    const t0 = performance.now();
    const res = await fetch(base + route);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${route} answered ${res.status}`);
    cold.set(route, ms(t0));
  }
  for (const route of ROUTES) {
    await autocannon({ url: base + route, connections: CONNECTIONS, duration: 1 }); // warm-up
    const r = await autocannon({ url: base + route, connections: CONNECTIONS, duration: SECONDS });
    out.push({
      route,
      coldMs: cold.get(route)!,
      p50: r.latency.p50,
      p99: r.latency.p99,
      requestsPerSecond: r.requests.average,
      non2xx: r.non2xx + r.errors + r.timeouts,
    });
  }
  return out;
}

async function scrape(base: string): Promise<{ ms: number; bytes: number; series: number }> {
  const t0 = performance.now();
  const text = await (await fetch(`${base}/metrics`)).text();
  return { ms: ms(t0), bytes: Buffer.byteLength(text), series: text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length };
}

async function alertCycleMs(w: Warehouse, home: string): Promise<number> {
  const config = configSchema.parse({});
  const logger = silentLogger();
  const alerting = new Alerting({
    rules: config.alerts.rules,
    source: routeMetrics({
      warehouse: new WarehouseMetricSource({ warehouse: w, servingModel: async () => ({ name: 'shop', version: VERSIONS }) }),
      serving: new ServingSignals({ clock: () => new Date() }),
    }),
    stateFile: new AlertStateFile(home),
    delivery: new AlertDelivery({ notifiers: [], logger }),
    clock: () => new Date(),
    logger,
  });
  await alerting.evaluateOnce(); // loads the state file
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await alerting.evaluateOnce();
    times.push(ms(t0));
  }
  return times.sort((a, b) => a - b)[1]!;
}

async function runBackend(name: 'sqlite' | 'mariadb'): Promise<object> {
  const home = await mkdtemp(join(tmpdir(), `pickwise-dashboard-bench-${name}-`));
  let mariadb: MariaDbServer | undefined;
  let server: ChildProcess | undefined;
  try {
    mariadb = name === 'mariadb' ? await startMariaDb() : undefined;
    const url = mariadb ? mariadb.url : `sqlite:${join(home, 'pickwise.db')}`;
    const store = new LocalObjectStore(join(home, 'bucket'));
    await saveModel(store, 1, 'v1');
    await seedCatalogue(store, url);
    const w = await openWarehouse({ url });
    let loaded: { loadSeconds: number; rollupSeconds: number };
    let alertMs: number;
    try {
      loaded = await loadWarehouse(w);
      alertMs = await alertCycleMs(w, home);
    } finally {
      await w.close();
    }
    const port = 19_000 + Math.floor(Math.random() * 1000);
    server = await startServe({ home, port, env: { PICKWISE_DATABASE__URL: url, PICKWISE_ALERTS__ENABLED: 'false' } });
    const base = `http://127.0.0.1:${port}`;
    const routes = await measureRoutes(base);
    await new Promise((r) => setTimeout(r, 10_500));
    const cold = await scrape(base);
    const cached = await scrape(base);
    return {
      backend: name,
      ...loaded,
      routes,
      metrics: { readMs: cold.ms, cachedMs: cached.ms, bytes: cold.bytes, series: cold.series },
      alertCycleMs: alertMs,
    };
  } finally {
    if (server) await stopChild(server);
    await mariadb?.stop();
    await rm(home, { recursive: true, force: true });
  }
}

const machine = `${cpus()[0]?.model ?? '?'}, ${availableParallelism()} cores, node ${process.version}`;
console.log(`machine: ${machine}; ${EVENTS} events, ${VERSIONS} versions, ${LISTS} lists; ${CONNECTIONS} connections, ${SECONDS} s per route`);
const results: object[] = [];
for (const backend of values.backends!.split(',') as ('sqlite' | 'mariadb')[]) {
  const r = (await runBackend(backend)) as {
    backend: string;
    loadSeconds: number;
    rollupSeconds: number;
    routes: RouteFigure[];
    metrics: { readMs: number; cachedMs: number; bytes: number; series: number };
    alertCycleMs: number;
  };
  results.push(r);
  console.log(`\n${r.backend}: loaded in ${r.loadSeconds.toFixed(1)} s, rollups built in ${r.rollupSeconds.toFixed(1)} s`);
  console.log('route'.padEnd(52) + 'cold ms'.padStart(8) + 'p50 ms'.padStart(8) + 'p99 ms'.padStart(8) + 'req/s'.padStart(9) + '  p99 < 200 ms');
  for (const f of r.routes)
    console.log(
      f.route.padEnd(52) +
        f.coldMs.toFixed(0).padStart(8) +
        String(f.p50).padStart(8) +
        String(f.p99).padStart(8) +
        f.requestsPerSecond.toFixed(0).padStart(9) +
        (f.p99 < 200 && f.non2xx === 0 && f.requestsPerSecond > 0 ? '  yes' : `  NO${f.non2xx ? ` (${f.non2xx} failed)` : ''}`),
    );
  console.log(
    `/metrics: ${r.metrics.readMs.toFixed(0)} ms reading the warehouse, ${r.metrics.cachedMs.toFixed(1)} ms from the cache, ${(r.metrics.bytes / 1024).toFixed(0)} KiB, ${r.metrics.series} series`,
  );
  console.log(`alert evaluation (default rules): ${r.alertCycleMs.toFixed(1)} ms per cycle`);
}
await mkdir(join(repoRoot, '.bench'), { recursive: true });
const file = join(repoRoot, '.bench', `dashboard-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(
  file,
  JSON.stringify({ machine, events: EVENTS, versions: VERSIONS, lists: LISTS, connections: CONNECTIONS, seconds: SECONDS, results }, null, 2),
);
console.log(`\nwrote ${file}`);
