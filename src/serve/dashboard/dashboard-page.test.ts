import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/io.ts';
import type { AccessConfig } from '../access.ts';
import { createHttpApp } from '../http-app.ts';
import { createServeMetrics } from '../metrics.ts';
import { dashboardPage } from './dashboard-page.ts';
import { EMPTY_STATES } from './page-html.ts';

const OPEN: AccessConfig = { apiKeys: [], keysForReads: false, keysForMetrics: false, keysForDocs: false };
const KEY = 'k'.repeat(24);
const apps: FastifyInstance[] = [];

async function pageApp(o: { access?: AccessConfig; refreshSeconds?: number; withApi?: boolean } = {}) {
  const access = o.access ?? OPEN;
  const app = await createHttpApp({ access, metrics: createServeMetrics(), logger: silentLogger() });
  await app.register(dashboardPage, { access, refreshSeconds: o.refreshSeconds, withApi: o.withApi ?? true });
  apps.push(app);
  return app;
}

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

describe('GET /dashboard', () => {
  it('renders every section with its heading and its empty state in the HTML, without the script', async () => {
    const res = await (await pageApp()).inject({ url: '/dashboard' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const title of ['Satisfaction over time', 'Funnel', 'API latency', 'Model versions by basis', 'Pipeline health', 'Model registry'])
      expect(res.body).toContain(`>${title}</h2>`);
    for (const text of [EMPTY_STATES.feedback, EMPTY_STATES.summary, EMPTY_STATES.pipeline, EMPTY_STATES.registry, EMPTY_STATES.latency])
      expect(res.body).toContain(text);
    expect(res.body).toContain('data-refresh-seconds="30"');
    expect(res.body).toContain('data-key-required="false"');
    // Its own files only: no CDN, no inline script.
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).not.toMatch(/https?:\/\//);
    expect(res.body).not.toMatch(/<script>(?!<\/script>)/);
  });

  it('takes the refresh interval, and says where latency comes from when served without the API', async () => {
    const res = await (await pageApp({ refreshSeconds: 7, withApi: false })).inject({ url: '/dashboard' });
    expect(res.body).toContain('data-refresh-seconds="7"');
    expect(res.body).toContain('Refreshes every 7 s');
    expect(res.body).toContain(EMPTY_STATES.latencyDashboard);
  });

  it('is served without a key when keys guard the reads, and then asks for one (the data routes need it)', async () => {
    const access = { ...OPEN, apiKeys: [KEY], keysForReads: true };
    const res = await (await pageApp({ access })).inject({ url: '/dashboard' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-key-required="true"');
    expect(res.body).toMatch(/<form id="key-form" class="notice key" >/);
  });

  it('redirects /dashboard/ to the page, so relative asset URLs resolve', async () => {
    const res = await (await pageApp()).inject({ url: '/dashboard/' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('../dashboard');
  });
});

describe('GET /dashboard/assets/', () => {
  it('serves uPlot from node_modules and the page’s own script and style, with ETags', async () => {
    const app = await pageApp();
    const uplot = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    const js = await app.inject({ url: '/dashboard/assets/uPlot.iife.min.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe(uplot);
    const again = await app.inject({ url: '/dashboard/assets/uPlot.iife.min.js', headers: { 'if-none-match': String(js.headers.etag) } });
    expect(again.statusCode).toBe(304);
    for (const [name, type] of [
      ['uPlot.min.css', 'text/css'],
      ['dashboard.js', 'text/javascript'],
      ['dashboard-sections.js', 'text/javascript'],
      ['dashboard-view.js', 'text/javascript'],
      ['dashboard.css', 'text/css'],
    ]) {
      const res = await app.inject({ url: `/dashboard/assets/${name}` });
      expect(res.statusCode, name).toBe(200);
      expect(res.headers['content-type']).toBe(`${type}; charset=utf-8`);
    }
  });

  it('answers anything else with a 404 problem document', async () => {
    const app = await pageApp();
    for (const url of ['/dashboard/assets/secret.js', '/dashboard/assets/..%2F..%2Fpackage.json', '/dashboard/assets/']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
});
