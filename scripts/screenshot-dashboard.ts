// `npm run screenshot:dashboard`: docs/dashboard.png, the dashboard over the demo's data. In a temporary folder it
// runs `pickwise demo` (sample data, ingest, ALS v1 as champion), trains and promotes ALS v2, starts the API
// in-process, sends two days of known traffic (lists served by both versions, reactions posted to POST
// /v1/feedback) and photographs /dashboard in Debian's Chromium at 1280 px wide.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { configSchema } from '../src/config/index.ts';
import { startServer } from '../src/serve/index.ts';
import { silentLogger } from '../src/shared/io.ts';
import { LocalObjectStore } from '../src/storage/index.ts';
import { openWarehouse } from '../src/warehouse/index.ts';
import { CHROMIUM, CHROMIUM_ARGS, sendDashboardTraffic } from '../test/support/dashboard-traffic.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = path.join(root, 'docs', 'dashboard.png');
const dir = mkdtempSync(path.join(tmpdir(), 'pickwise-screenshot-'));
const home = path.join(dir, 'home');
const env = { ...process.env, PICKWISE_HOME: home, PICKWISE_LOG__LEVEL: 'warn' };

function pickwise(...args: string[]): void {
  process.stderr.write(`$ pickwise ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'pickwise.js'), ...args], { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`pickwise ${args.join(' ')} exited with ${r.status}`);
}

try {
  pickwise('demo');
  pickwise('train', '--algo', 'als', '--factors', '48');
  pickwise('models', 'promote', 'als', '2', '--alias', 'champion', '--force', '--reason', 'weekly retrain, 48 factors');
  const warehouse = await openWarehouse({ url: `sqlite:${path.join(home, 'pickwise.db')}` });
  const store = new LocalObjectStore(path.join(home, 'bucket'));
  const server = await startServer({
    warehouse,
    store,
    config: configSchema.parse({ serve: { port: 0, modelName: 'als' } }).serve,
    logger: silentLogger(),
    feedback: { config: { ...configSchema.parse({}).feedback, recordServed: false }, home },
  });
  try {
    const users = (await warehouse.db.selectFrom('dimUser').select('userId').orderBy('userId').limit(500).execute()).map((r) => r.userId);
    const services = (await warehouse.db.selectFrom('dimService').select('serviceId').orderBy('serviceId').execute()).map((r) => r.serviceId);
    await sendDashboardTraffic({
      warehouse,
      api: server.url,
      users,
      services,
      groups: [
        { model: 'als', version: 1, basis: 'model', lists: 1800, select: 0.2, cancel: 0.16, reserve: 0.5, complete: 0.6 },
        { model: 'als', version: 1, basis: 'popular', lists: 500, select: 0.12, cancel: 0.25, reserve: 0.45, complete: 0.6 },
        { model: 'als', version: 2, basis: 'model', hours: 20, lists: 2000, select: 0.25, cancel: 0.11, reserve: 0.55, complete: 0.6 },
        { model: 'als', version: 2, basis: 'popular', hours: 20, lists: 400, select: 0.13, cancel: 0.2, reserve: 0.45, complete: 0.6 },
      ],
      unattributed: 40,
      now: new Date(),
      hours: 48,
    });
    // Some requests, so the latency section has figures.
    for (const user of users.slice(0, 200)) await fetch(`${server.url}/v1/users/${user}/recommendations?k=5`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${server.url}/dashboard`);
      await page.waitForSelector('body[data-loaded="true"]', { timeout: 30_000 });
      await page.screenshot({ path: out, fullPage: true });
      process.stderr.write(`wrote ${path.relative(root, out)}\n`);
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
    await warehouse.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
