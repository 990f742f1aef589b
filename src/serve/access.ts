import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { ServeConfig } from '../config/index.ts';
import { AppError, ErrorCode, UnauthorizedError } from '../shared/index.ts';
import type { Logger } from '../shared/io.ts';

/**
 * What a route is, for the API-key check. Every route declares one in its config (`{ config: { access } }`),
 * and a route without one stops the server at start-up, so a new plugin cannot be open by omission.
 * - `public`: health and readiness probes; never need a key.
 * - `read`: recommendations for known users, similar services, the current model; need a key with `serve.keysForReads`.
 * - `write`: changes data or computes for arbitrary input (fold-in, batch; feedback); need a key whenever keys are set.
 * - `metrics`: `/metrics`; needs a key with `serve.keysForMetrics`.
 * - `docs`: `/openapi.json` and `/docs`; need a key with `serve.keysForDocs`.
 */
export type RouteAccess = 'public' | 'read' | 'write' | 'metrics' | 'docs';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/** The header a key travels in. */
export const API_KEY_HEADER = 'x-api-key';
/** The OpenAPI security scheme of protected routes. */
export const API_KEY_SCHEME = 'apiKey';

/** The `serve` keys the guard reads (see the config schema). */
export type AccessConfig = Readonly<Pick<ServeConfig, 'keysForReads' | 'keysForMetrics' | 'keysForDocs'>> & { readonly apiKeys: readonly string[] };

/** Whether a route of this access class needs a key under `config`. */
export function needsKey(access: RouteAccess, config: AccessConfig): boolean {
  if (config.apiKeys.length === 0 || access === 'public') return false;
  if (access === 'write') return true;
  if (access === 'read') return config.keysForReads;
  return access === 'metrics' ? config.keysForMetrics : config.keysForDocs;
}

/**
 * Installs the API-key check on `app` (before any route is registered, so that every plugin's routes get it):
 * each request to a route that needs a key must carry one of `config.apiKeys` in the `x-api-key` header, else
 * it is answered 401. Keys are compared as SHA-256 digests in constant time against every configured key, and
 * are never logged. At start-up it logs which routes need a key, and warns when keys are set but protect nothing.
 */
export function installAccessGuard(app: FastifyInstance, config: AccessConfig, logger: Logger): void {
  const digests = config.apiKeys.map(digest);
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
    // Protected routes say so in the OpenAPI document (the docs plugin lets its own routes be assigned later).
    const access = route.config?.access;
    if (access !== undefined && needsKey(access, config) && route.schema) route.schema = { ...route.schema, security: [{ [API_KEY_SCHEME]: [] }] };
  });
  // A callback hook, not an async one: it runs on every request, and most need no key.
  app.addHook('onRequest', (req: FastifyRequest, _reply, done) => {
    const access = req.routeOptions.config.access;
    if (access === undefined || !needsKey(access, config)) return done();
    const given = req.headers[API_KEY_HEADER];
    if (typeof given !== 'string' || given === '') return done(new UnauthorizedError(`this route needs an API key in the ${API_KEY_HEADER} header`));
    const d = digest(given);
    let ok = false;
    for (const known of digests) ok = timingSafeEqual(known, d) || ok;
    done(ok ? undefined : new UnauthorizedError('the API key is not valid'));
  });
  app.addHook('onReady', async () => {
    const undeclared = routes.filter((r) => r.config?.access === undefined).map(describe);
    if (undeclared.length > 0)
      throw new AppError(
        { code: ErrorCode.INTERNAL, httpStatus: 500, expected: false },
        `routes without an access level (config.access): ${undeclared.join(', ')}`,
      );
    const open = routes.filter((r) => r.method !== 'HEAD');
    const protectedRoutes = open.filter((r) => needsKey(r.config!.access!, config)).map(describe);
    const writes = open.filter((r) => r.config!.access === 'write').map(describe);
    if (config.apiKeys.length > 0 && protectedRoutes.length === 0) {
      logger.warn('serve.apiKeys is set but protects no route: no write route exists, and serve.keysForReads, keysForMetrics and keysForDocs are off');
    } else if (config.apiKeys.length === 0) {
      logger.info({ openWriteRoutes: writes }, 'no API keys configured (serve.apiKeys): every route is open');
    } else {
      logger.info({ routes: protectedRoutes }, 'routes that need an API key');
    }
  });
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

function describe(r: RouteOptions): string {
  return `${Array.isArray(r.method) ? r.method.join('|') : r.method} ${r.url}`;
}
