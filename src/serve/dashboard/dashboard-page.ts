import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { AppError, ErrorCode } from '../../shared/index.ts';
import { needsKey, type AccessConfig } from '../access.ts';
import { RoutePath } from '../route-paths.ts';
import { renderPage } from './page-html.ts';

/** Seconds between the page's live refreshes when `monitoring.dashboardRefreshSeconds` is not given. */
export const DEFAULT_DASHBOARD_REFRESH_SECONDS = 30;

export interface DashboardPageOptions {
  /** Whether the data routes need a key (the page then asks for one). */
  readonly access: AccessConfig;
  /** Seconds between live refreshes (default 30). */
  readonly refreshSeconds?: number | undefined;
  /** Served by `pickwise serve`, which measures API latency (not by `pickwise dashboard`). */
  readonly withApi: boolean;
}

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/**
 * The files the page loads, by name under /dashboard/assets/: uPlot (from node_modules, resolved like an import,
 * so it works from a clean clone and nothing comes from a CDN) and the page's own script and style (assets/, copied
 * beside the compiled code by scripts/build.mjs).
 */
function assetSources(): Record<string, { path: string; type: string }> {
  const require = createRequire(import.meta.url);
  const own = (name: string) => fileURLToPath(new URL(`./assets/${name}`, import.meta.url));
  return {
    'uPlot.iife.min.js': { path: require.resolve('uplot/dist/uPlot.iife.min.js'), type: JS },
    'uPlot.min.css': { path: require.resolve('uplot/dist/uPlot.min.css'), type: CSS },
    'dashboard.js': { path: own('dashboard.js'), type: JS },
    'dashboard-sections.js': { path: own('dashboard-sections.js'), type: JS },
    'dashboard-view.js': { path: own('dashboard-view.js'), type: JS },
    'dashboard.css': { path: own('dashboard.css'), type: CSS },
  };
}

/** Reads every asset once, at start-up: a missing file stops the server with what to do, not a broken page later. */
function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [name, source] of Object.entries(assetSources())) {
    let body: Buffer;
    try {
      body = readFileSync(source.path);
    } catch (error) {
      throw new AppError(
        { code: ErrorCode.INTERNAL, httpStatus: 500, expected: false },
        `the dashboard asset ${name} cannot be read at ${source.path}: reinstall (npm ci) or rebuild (npm run build)`,
        { cause: error },
      );
    }
    assets.set(name, { body, type: source.type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}

/** The page's policy: its own files and data only (no CDN, no inline script), icons as data: URLs. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * GET /dashboard, the built-in dashboard (server-rendered shell, see page-html.ts), and its assets under
 * /dashboard/assets/. Both are `public`: they hold no data. The data comes from the routes under /v1/dashboard/,
 * which are reads (behind serve.apiKeys when serve.keysForReads is on): the page then asks for a key once and
 * sends it with each of its requests.
 */
export const dashboardPage: FastifyPluginAsync<DashboardPageOptions> = async (app, o) => {
  const assets = loadAssets();
  const html = renderPage({
    refreshSeconds: o.refreshSeconds ?? DEFAULT_DASHBOARD_REFRESH_SECONDS,
    keyRequired: needsKey('read', o.access),
    withApi: o.withApi,
  });
  const schema = { hide: true };

  app.get(RoutePath.dashboard, { config: { access: 'public' }, schema }, async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(html),
  );
  app.get(`${RoutePath.dashboard}/`, { config: { access: 'public' }, schema }, async (_req, reply) => reply.redirect('../dashboard'));

  for (const [name, asset] of assets) {
    app.get(`${RoutePath.dashboardAssets}/${name}`, { config: { access: 'public' }, schema }, async (req, reply) => {
      reply.type(asset.type).header('cache-control', 'no-cache').header('etag', asset.etag).header('x-content-type-options', 'nosniff');
      if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.send(asset.body);
    });
  }
};
