import { connect } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/index.ts';
import { promoteVersion, runTrainJob } from '../../src/pipeline/index.ts';
import { buildApp, createServeMetrics, ModelHolder, type AccessConfig } from '../../src/serve/index.ts';
import { installAccessGuard } from '../../src/serve/access.ts';
import { silentLogger, type Logger } from '../../src/shared/logger.ts';
import { capturedLogger } from '../support/captured-logger.ts';
import { createIngestFixture, type IngestFixture } from '../support/ingest-fixture.ts';
import { warehouseBackends } from '../support/backends.ts';

const KEY = 'k'.repeat(12) + 'secret-1';
const OTHER_KEY = 'other-key-0123456789';
const WRONG = 'wrong-key-of-some-length';
const OPEN: AccessConfig = { apiKeys: [], keysForReads: false, keysForMetrics: false, keysForDocs: false };
type Problem = { type: string; title: string; status: number; detail: string; code: string };

/** The API's edges: problem documents for every error (Fastify's own included), API keys, and its log lines. */
describe('recommendation API edges', () => {
  let fx: IngestFixture;
  let url: string;
  let holder: ModelHolder;
  const backend = warehouseBackends()[0]!;

  beforeAll(async () => {
    url = await backend.newDatabaseUrl('serve_http');
    fx = await createIngestFixture(url);
    await fx.landGenerated({ users: 60, services: 12, reservations: 600, seed: 3 });
    await fx.ingest();
    const logger = silentLogger();
    await runTrainJob({ warehouse: fx.warehouse, store: fx.store, kind: 'popular', params: {}, logger, save: true, threads: 1, registerAs: 'web', holdout: 0 });
    await promoteVersion({ warehouse: fx.warehouse, store: fx.store, logger, name: 'web', version: 1, alias: 'champion', actor: 'test' });
    holder = new ModelHolder({ warehouse: fx.warehouse, store: fx.store, choice: { name: 'web', alias: 'champion' }, logger });
    await holder.start();
  });
  afterAll(async () => {
    await fx.close();
    await backend.dropDatabase(url);
  });

  const app = (config: Partial<AccessConfig> = {}, logger: Logger = silentLogger(), model = holder) =>
    buildApp({ holder: model, warehouse: fx.warehouse, metrics: createServeMetrics(), config: { ...OPEN, ...config, maxBatchUsers: 10 }, logger });

  /** A problem document whose detail quotes at most a short prefix of the input. */
  const expectProblem = (r: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, detail: RegExp) => {
    expect(r.statusCode, r.body).toBe(status);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    const p = JSON.parse(r.body) as Problem;
    expect(p).toMatchObject({ type: 'about:blank', status, code: expect.stringMatching(/^[A-Z_]+$/) });
    expect(p.title.length).toBeGreaterThan(0);
    expect(p.detail).toMatch(detail);
    expect(r.body.length).toBeLessThan(400);
    expect(r.body).not.toMatch(/(.)\1{60}/); // no long run of echoed input
  };

  it("answers Fastify's own errors with problem documents that never echo the input", async () => {
    const api = await app();
    const post = (payload: string, contentType = 'application/json') =>
      api.inject({ method: 'POST', url: '/v1/recommendations', headers: { 'content-type': contentType }, payload });
    expectProblem(await post('{"interactions": ['), 400, /^the request body is not valid JSON$/);
    expectProblem(await post(`{"interactions": [${'x'.repeat(5000)}`), 400, /^the request body is not valid JSON$/);
    expectProblem(await post(''), 400, /^the request body is empty, but its content-type says JSON$/);
    expectProblem(await post('hello', 'text/plain'), 415, /^content-type 'text\/plain' is not supported: send application\/json$/);
    expectProblem(await post('hello', `application/${'y'.repeat(3000)}`), 415, /is not supported/);
    expectProblem(
      await post(JSON.stringify({ interactions: [], pad: 'x'.repeat(300_000) })),
      413,
      /^the request body is larger than the limit of 262144 bytes$/,
    );
    expectProblem(await api.inject({ url: `/v1/users/${'u'.repeat(10_000)}/recommendations` }), 414, /is longer than 200 characters$/);
    expectProblem(await api.inject({ url: '/v1/users/%E0%A4%A/recommendations' }), 400, /^the URL is not valid/);
    expectProblem(await api.inject({ url: `/v1/${'n'.repeat(10_000)}` }), 404, /^no route GET '\/v1\/n{36}…'$/);
    expectProblem(await api.inject({ method: 'DELETE', url: '/v1/models/current' }), 404, /^no route DELETE '\/v1\/models\/current'$/);
    expectProblem(await api.inject({ url: `/v1/models/current?${'q'.repeat(10_000)}=1` }), 400, /^unknown query parameter 'q{40}…': this route takes none$/);
    expectProblem(
      await api.inject({ method: 'POST', url: '/v1/recommendations', payload: { interactions: [{ service_id: 'S1', [`z${'z'.repeat(500)}`]: 1 }] } }),
      400,
      /^unknown field 'z{40}…' in the body at \/interactions\/0$/,
    );
    await api.close();
  });

  it('refuses unknown query parameters on every route, the operational and documentation ones included', async () => {
    const api = await app();
    for (const path of [
      '/healthz',
      '/readyz',
      '/metrics',
      '/openapi.json',
      '/docs',
      '/docs/json',
      '/docs/static/index.html',
      '/v1/models/current',
      '/v1/services/S000001/similar',
      '/v1/users/U0000001/recommendations',
    ]) {
      expectProblem(await api.inject({ url: `${path}?debug=1` }), 400, /^unknown query parameter 'debug'/);
    }
    expectProblem(
      await api.inject({ method: 'POST', url: '/v1/recommendations?debug=1', payload: { interactions: [] } }),
      400,
      /^unknown query parameter 'debug'/,
    );
    await api.close();
  });

  it('answers what the HTTP parser refuses (headers or URL over 16 KB, bytes that are not HTTP) with problem documents too', async () => {
    const api = await app();
    const address = await api.listen({ host: '127.0.0.1', port: 0 });
    try {
      const longUrl = await fetch(`${address}/v1/users/${'u'.repeat(20_000)}/recommendations`);
      expect(longUrl.status).toBe(431);
      expect(longUrl.headers.get('content-type')).toBe('application/problem+json');
      expect(((await longUrl.json()) as Problem).detail).toMatch(/larger than the server accepts \(16 KB\)/);
      const bigHeader = await fetch(`${address}/healthz`, { headers: { 'x-pad': 'h'.repeat(20_000) } });
      expect(bigHeader.status).toBe(431);
      expect(((await bigHeader.json()) as Problem).code).toBe('VALIDATION_FAILED');
      const raw = await rawExchange(address, 'NOT HTTP AT ALL\r\n\r\n');
      expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(raw).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/);
      expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, detail: 'the request is not valid HTTP' });
    } finally {
      await api.close();
    }
  });

  it('needs a key on the write routes once keys are set, and on reads, metrics and docs when configured; probes never', async () => {
    const writes = await app({ apiKeys: [KEY, OTHER_KEY] });
    const foldIn = (headers: Record<string, string> = {}) =>
      writes.inject({ method: 'POST', url: '/v1/recommendations', headers, payload: { interactions: [] } });
    expectProblem(await foldIn(), 401, /^this route needs an API key in the x-api-key header$/);
    expectProblem(await foldIn({ 'x-api-key': WRONG }), 401, /^the API key is not valid$/);
    expect((await foldIn({ 'x-api-key': KEY })).statusCode).toBe(200);
    expect((await foldIn({ 'x-api-key': OTHER_KEY })).statusCode).toBe(200);
    expectProblem(await writes.inject({ method: 'POST', url: '/v1/recommendations/batch', payload: { user_ids: ['U0000001'] } }), 401, /needs an API key/);
    for (const path of ['/v1/models/current', '/v1/users/U0000001/recommendations', '/metrics', '/openapi.json', '/docs/json', '/healthz', '/readyz']) {
      expect((await writes.inject({ url: path })).statusCode, path).toBe(200);
    }
    const spec = (await writes.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { security?: unknown }>> };
    expect(spec.paths['/v1/recommendations']!['post']!.security).toEqual([{ apiKey: [] }]);
    expect(spec.paths['/v1/models/current']!['get']!.security).toBeUndefined();
    await writes.close();

    const all = await app({ apiKeys: [KEY], keysForReads: true, keysForMetrics: true, keysForDocs: true });
    for (const path of [
      '/v1/models/current',
      '/v1/users/U0000001/recommendations',
      '/v1/services/S000001/similar',
      '/metrics',
      '/openapi.json',
      '/docs',
      '/docs/json',
      '/docs/static/index.html',
    ]) {
      expectProblem(await all.inject({ url: path }), 401, /needs an API key/);
      expect((await all.inject({ url: path, headers: { 'x-api-key': KEY } })).statusCode, path).not.toBe(401);
    }
    for (const path of ['/healthz', '/readyz']) expect((await all.inject({ url: path })).statusCode, path).toBe(200);
    await all.close();
    expect(configSchema.safeParse({ serve: { keysForMetrics: true } }).error?.issues[0]?.message).toBe(
      'serve.keysForMetrics needs at least one key in serve.apiKeys (PICKWISE_SERVE__API_KEYS)',
    );
  });

  it('never logs a key, says at start-up what keys protect, and warns when keys protect nothing', async () => {
    const { logger, lines, text } = capturedLogger('trace');
    const api = await app({ apiKeys: [KEY], keysForMetrics: true }, logger);
    await api.ready();
    for (const key of [KEY, WRONG]) {
      await api.inject({ method: 'POST', url: '/v1/recommendations', headers: { 'x-api-key': key }, payload: { interactions: [] } });
      await api.inject({ url: '/metrics', headers: { 'x-api-key': key } });
    }
    expect(text()).not.toContain(KEY);
    expect(text()).not.toContain(WRONG);
    expect(lines().find((l) => l.msg === 'routes that need an API key')?.routes).toEqual([
      'GET /metrics',
      'POST /v1/recommendations',
      'POST /v1/recommendations/batch',
    ]);
    await api.close();

    const open = capturedLogger();
    await (await app({}, open.logger)).ready();
    expect(open.lines().find((l) => l.msg === 'no API keys configured (serve.apiKeys): every route is open')?.openWriteRoutes).toEqual([
      'POST /v1/recommendations',
      'POST /v1/recommendations/batch',
    ]);

    // The guard is what every plugin gets: on a server whose plugins have no write route, keys alone protect nothing.
    const bare = capturedLogger();
    const readOnly = Fastify();
    installAccessGuard(readOnly, { ...OPEN, apiKeys: [KEY] }, bare.logger);
    readOnly.get('/dashboard', { config: { access: 'read' } }, async () => 'ok');
    await readOnly.ready();
    expect(
      bare
        .lines()
        .filter((l) => l.level === 40)
        .map((l) => l.msg),
    ).toEqual([expect.stringMatching(/^serve\.apiKeys is set but protects no route/)]);
    expect((await readOnly.inject({ url: '/dashboard' })).statusCode).toBe(200);
    await readOnly.close();

    // A route that declares no access level stops the server at start-up instead of being open by omission.
    const careless = Fastify();
    installAccessGuard(careless, OPEN, bare.logger);
    careless.post('/v1/feedback', async () => 'ok');
    await expect(careless.ready()).rejects.toThrow(/routes without an access level \(config\.access\): POST \/v1\/feedback/);
  });

  it('logs one line per request, and every failure with its cause', async () => {
    const { logger, lines } = capturedLogger();
    const idle = new ModelHolder({ warehouse: fx.warehouse, store: fx.store, choice: { name: 'web', alias: 'champion' }, logger: silentLogger() });
    const api = await app({}, logger, idle); // never started: no model loaded
    api.get('/v1/boom', { config: { access: 'read' } }, async () => {
      throw new Error('scoring failed', { cause: new Error('disk on fire') });
    });
    expectProblem(await api.inject({ url: '/v1/users/U0000001/recommendations' }), 503, /^no model is loaded yet/);
    const boom = await api.inject({ url: '/v1/boom' });
    expectProblem(boom, 500, /^internal error; the server log has the cause under request id req-\w+$/);
    await api.inject({ url: '/healthz' });
    await api.inject({ url: '/v1/nothing' });
    const requests = lines().filter((l) => l.msg.startsWith('request'));
    expect(requests.map((l) => [l.level, l.msg, l.route, l.status])).toEqual([
      [40, 'request failed', '/v1/users/:userId/recommendations', 503],
      [50, 'request failed', '/v1/boom', 500],
      [20, 'request', '/healthz', 200],
      [30, 'request', 'unmatched', 404],
    ]);
    expect(requests[0]!.error).toEqual({ code: 'BACKEND_UNAVAILABLE', message: expect.stringMatching(/^no model is loaded yet/) });
    const err = requests[1]!.err as { message: string; stack: string };
    expect(err.message).toBe('scoring failed: disk on fire');
    expect(err.stack).toMatch(/caused by: Error: disk on fire/);
    expect((boom.json() as Problem).detail).toContain(String(requests[1]!.reqId));
    expect(requests.every((l) => typeof l.ms === 'number')).toBe(true);
    await api.close();
  });
});

/** Sends raw bytes to a server and returns everything it answers before closing the connection. */
function rawExchange(address: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(address);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(bytes));
    let answer = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (d) => (answer += String(d)));
    socket.on('close', () => resolve(answer));
    socket.on('error', (e) => (answer ? resolve(answer) : reject(e)));
  });
}
