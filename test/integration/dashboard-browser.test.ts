import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/index.ts';
import { startDashboardServer, startServer, type RunningServer } from '../../src/serve/index.ts';
import { silentLogger } from '../../src/shared/io.ts';
import { toUtcText } from '../../src/shared/index.ts';
import { FeedbackStatsRepo, migrateToLatest, openWarehouse, type FeedbackStatsRow } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { trainChampion } from '../support/champion.ts';
import { CHROMIUM, CHROMIUM_ARGS, sendDashboardTraffic, type TrafficGroup } from '../support/dashboard-traffic.ts';
import { createIngestFixture, feedbackConfig, type IngestFixture } from '../support/ingest-fixture.ts';
import { REPO_ROOT } from '../support/run-cli.ts';

const OUTPUT = path.join(REPO_ROOT, '.test-output');
const KEY = 'dashboard-test-key-0123456789';
const serveConfig = (o: Record<string, unknown> = {}) => configSchema.parse({ serve: { port: 0, ...o } }).serve;

const GROUPS: readonly TrafficGroup[] = [
  { model: 'shop', version: 1, basis: 'model', lists: 40, select: 0.5, cancel: 0.2, reserve: 0.5, complete: 0.5 },
  { model: 'shop', version: 2, basis: 'model', lists: 60, select: 0.35, cancel: 0.25, reserve: 0.5, complete: 0.4 },
  { model: 'shop', version: 2, basis: 'popular', lists: 24, select: 0.25, cancel: 0.5, reserve: 0.4, complete: 0.5 },
];

const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const signed = (v: number | null) => (v === null ? '—' : `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v).toFixed(3)}`);
const label = (r: Pick<FeedbackStatsRow, 'group' | 'modelVersion'>) => (r.group === null ? 'unattributed' : `${r.group} v${r.modelVersion}`);

/** Opens the dashboard at `url` and collects every console error and uncaught exception of the page. */
async function open(browser: Browser, url: string, o: { waitLoaded?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/dashboard`);
  if (o.waitLoaded !== false) await page.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 });
  return { page, errors };
}

const legend = (page: Page, chart: string) => page.locator(`#${chart} .u-legend .u-series .u-label`).allInnerTexts();

describe('the dashboard in a real browser (Chromium through playwright-core)', () => {
  const backend = warehouseBackends()[0]!;
  let browser: Browser;
  let fx: IngestFixture;
  let url: string;
  let server: RunningServer;
  let posted: Record<string, number>;
  const now = new Date();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does when it is missing). The dashboard's browser test drives Debian's chromium through playwright-core; never \`npx playwright install\`.`,
      );
    mkdirSync(OUTPUT, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    url = await backend.newDatabaseUrl('dashboard_browser');
    fx = await createIngestFixture(url);
    await fx.landGenerated({ users: 40, services: 12, reservations: 400, seed: 14 });
    await fx.ingest();
    await trainChampion(fx, { kind: 'popular' });
    await trainChampion(fx, { kind: 'popular' });
    server = await startServer({
      warehouse: fx.warehouse,
      store: fx.store,
      config: serveConfig({ modelName: 'shop' }),
      logger: silentLogger(),
      feedback: { config: { ...feedbackConfig, recordServed: false }, home: path.join(fx.dir, 'home') },
    });
    const users = (await fx.warehouse.db.selectFrom('dimUser').select('userId').orderBy('userId').execute()).map((r) => r.userId);
    const services = (await fx.warehouse.db.selectFrom('dimService').select('serviceId').orderBy('serviceId').execute()).map((r) => r.serviceId);
    posted = await sendDashboardTraffic({ warehouse: fx.warehouse, api: server.url, users, services, groups: GROUPS, unattributed: 5, now, hours: 12 });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fx?.close();
    if (url) await backend.dropDatabase(url);
  });

  it('draws every section from the data routes, with the numbers of the SQL definitions, and no console error', async () => {
    const { page, errors } = await open(browser, server.url);
    const since = toUtcText(new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 - 23 * 3_600_000));
    const stats = new FeedbackStatsRepo(fx.warehouse);
    const byModel = await stats.stats({ since, by: 'model' });
    const [overall] = await stats.stats({ since });

    // Satisfaction: one line per model version in both charts, named `model vN`.
    const versions = byModel.map(label);
    expect(versions).toEqual(expect.arrayContaining(['shop v1', 'shop v2']));
    expect((await legend(page, 'chart-select-rate')).sort()).toEqual([...versions].sort());
    expect((await legend(page, 'chart-net-satisfaction')).sort()).toEqual([...versions].sort());
    expect(await page.locator('#satisfaction canvas').count()).toBe(2);

    // Funnel (24 h): counts as stored, overall and per version.
    const step = (funnel: string, type: string) => page.locator(`[data-funnel="${funnel}"] [data-step="${type}"]`).getAttribute('data-events');
    expect(Number(await step('all events', 'impression'))).toBe(overall!.impressions);
    expect(Number(await step('all events', 'select'))).toBe(overall!.selects);
    expect(Number(await step('all events', 'cancel'))).toBe(overall!.cancels);
    expect(Number(await step('all events', 'reserve'))).toBe(posted['reserve']);
    expect(Number(await step('all events', 'complete'))).toBe(posted['complete']);
    for (const row of byModel.filter((r) => r.group !== null)) {
      expect(Number(await step(label(row), 'impression')), label(row)).toBe(row.impressions);
      expect(Number(await step(label(row), 'select')), label(row)).toBe(row.selects);
      expect(Number(await step(label(row), 'cancel')), label(row)).toBe(row.cancels);
    }

    // Summary table (24 h): shop v1 served under one basis only, so its row is its version's figures.
    const v1 = byModel.find((r) => r.group === 'shop' && r.modelVersion === 1)!;
    const v1Row = page.locator('#summary tbody tr', { has: page.locator('th', { hasText: /^shop v1/ }) });
    await expect.poll(() => v1Row.count()).toBe(1);
    const cells = await v1Row.locator('td').allInnerTexts();
    expect(cells[0]).toBe('model');
    expect(cells[1]).toBe(String(v1.impressions));
    expect(cells[2]).toBe(percent(v1.selectRate));
    expect(cells[3]).toBe(percent(v1.cancelRate));
    expect(await page.locator('#summary tbody tr').count()).toBe(4); // v1 model, v2 model, v2 popular, unattributed
    // shop v2 alone served under basis popular, so that row is the basis's figures.
    const popular = (await stats.stats({ since, by: 'basis' })).find((r) => r.group === 'popular')!;
    const popularRow = page.locator('#summary tbody tr', { has: page.locator('th', { hasText: /^shop v2/ }), hasText: 'popular' });
    const popularCells = await popularRow.locator('td').allInnerTexts();
    expect(popularCells.slice(0, 5)).toEqual([
      'popular',
      String(popular.impressions),
      percent(popular.selectRate),
      percent(popular.cancelRate),
      signed(popular.netSatisfaction),
    ]);
    expect(await popularRow.locator('th').innerText()).toBe('shop v2 ●'); // the version being served
    // Another window: the table follows it.
    await page.selectOption('#window', '1h');
    await expect.poll(() => page.locator('#summary .note').innerText()).toContain('Window 1h');

    // Registry: both versions, the champion alias, who promoted.
    const model = page.locator('[data-model="shop"]');
    await expect.poll(() => model.locator('.aliases').innerText()).toBe('champion → v2');
    expect(await model.locator('tbody th').allInnerTexts()).toEqual(expect.arrayContaining(['v1', 'v2']));

    // Latency: measured by this pickwise serve.
    expect(await page.locator('#latency').getAttribute('data-state')).toBe('filled');

    await page.screenshot({ path: path.join(OUTPUT, 'dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows every empty state on an empty warehouse, served by pickwise dashboard', async () => {
    const emptyUrl = await backend.newDatabaseUrl('dashboard_empty');
    const warehouse = await openWarehouse({ url: emptyUrl });
    await migrateToLatest(warehouse);
    const dashboard = await startDashboardServer({ warehouse, config: serveConfig(), logger: silentLogger() });
    try {
      const { page, errors } = await open(browser, dashboard.url);
      for (const id of ['satisfaction', 'funnel', 'summary', 'pipeline', 'registry', 'latency'])
        expect(await page.locator(`#${id}`).getAttribute('data-state'), id).toBe('empty');
      await expect.poll(() => page.locator('#satisfaction [data-empty]').innerText()).toContain('No feedback yet: POST /v1/feedback');
      expect(await page.locator('#registry [data-empty]').innerText()).toContain('No registered model yet');
      expect(await page.locator('#latency [data-empty]').innerText()).toContain('pickwise serve');
      expect(await page.locator('canvas').count()).toBe(0);
      await page.screenshot({ path: path.join(OUTPUT, 'dashboard-empty.png'), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await dashboard.close();
      await warehouse.close();
      await backend.dropDatabase(emptyUrl);
    }
  });

  it('asks for the key when serve.keysForReads is on, keeps it for the tab, and says when it is refused', async () => {
    const dashboard = await startDashboardServer({
      warehouse: fx.warehouse,
      config: serveConfig({ apiKeys: [KEY], keysForReads: true }),
      logger: silentLogger(),
    });
    try {
      const { page, errors } = await open(browser, dashboard.url, { waitLoaded: false });
      await expect.poll(() => page.locator('#key-form').isVisible()).toBe(true);
      expect(await page.locator('#status').innerText()).toBe('Waiting for an API key');
      // Nothing was fetched without a key: no 401 in the console.
      expect(errors).toEqual([]);
      await page.fill('#key-input', 'not-the-key-but-long-enough');
      await page.click('#key-form button');
      await expect.poll(() => page.locator('#key-error').innerText()).toContain('The key was refused');
      await page.fill('#key-input', KEY);
      await page.click('#key-form button');
      await page.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 });
      expect(await page.locator('#key-form').isVisible()).toBe(false);
      expect(await page.evaluate("sessionStorage.getItem('pickwise.apiKey')")).toBe(KEY);
      expect(await page.locator('#satisfaction').getAttribute('data-state')).toBe('filled');
      await page.close();
    } finally {
      await dashboard.close();
    }
  });
});
