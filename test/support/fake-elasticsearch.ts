import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A small in-memory fake of the Elasticsearch REST API, for tests only.
 *
 * No Elasticsearch server can be installed on this machine (it is neither a Debian package nor on npm, and only
 * those registries are reachable), so the shipper's tests drive the real `@elastic/elasticsearch` 8.x client
 * against this loopback server. It implements the subset the client and `ElasticsearchSink` use, after the public
 * REST reference:
 * - every response carries `x-elastic-product: Elasticsearch` (the client refuses a server without it), unless
 *   started with `productHeader: false`;
 * - `GET /` (cluster info);
 * - `PUT /_index_template/{name}` (stored; every PUT is counted) and `GET /_index_template/{name}`;
 * - `POST /_bulk` and `POST /{index}/_bulk`: NDJSON in; `create` (201, or 409 `version_conflict_engine_exception`
 *   when the `_id` exists in that index) and `index` actions; per-item results out, `errors: true` when any failed.
 * Scriptable: per-document failures (`failItem`: 429, 500, 400 … for the next N attempts at an `_id`), whole-request
 * failures (`failRequests`: the next N requests answer a status), outages (`outage`: every request answers 503, or
 * its connection is reset, until `recover`), and required credentials (`requireAuthorization`).
 * It proves how pickwise drives the client, not compatibility with every Elasticsearch version.
 */
export interface FakeElasticsearch {
  /** Base URL, e.g. `http://127.0.0.1:40123` (`https://` when started with a TLS key and certificate). */
  readonly url: string;
  /** Stored documents: index name → `_id` → source. */
  readonly indices: ReadonlyMap<string, ReadonlyMap<string, Record<string, unknown>>>;
  /** Index templates stored, by name (writable, to start from a template some other process installed). */
  readonly templates: Map<string, Record<string, unknown>>;
  /** Every request received (outage and failure answers included). */
  readonly requests: readonly RecordedRequest[];
  /** How many times each `_id` was stored by a `create` or `index` action (1 for exactly-once). */
  readonly storedCount: ReadonlyMap<string, number>;
  /** The next `times` bulk items for this `_id` answer `status` instead of being stored. */
  failItem(id: string, status: number, times?: number): void;
  /** The next `times` requests (of any kind) answer `status` with an error body. */
  failRequests(status: number, times?: number): void;
  /** Until {@link recover}: every request answers 503 (`'unavailable'`) or has its connection reset (`'reset'`). */
  outage(kind: 'unavailable' | 'reset'): void;
  recover(): void;
  /** Requests without this exact `authorization` header answer 401. */
  requireAuthorization(value: string | undefined): void;
  /** Called for every bulk request before it is handled; the answer waits for a returned promise (to act "mid-batch"). */
  onBulk(hook: ((items: number) => void | Promise<void>) | undefined): void;
  close(): Promise<void>;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Number of actions in a bulk request; 0 otherwise. */
  readonly bulkItems: number;
}

interface BulkAction {
  readonly op: string;
  readonly index: string;
  readonly id: string;
  readonly source: Record<string, unknown>;
}

const ITEM_ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'document_parsing_exception',
  429: 'es_rejected_execution_exception',
  500: 'internal_server_error',
  503: 'unavailable_shards_exception',
};

/** Starts the fake on 127.0.0.1 on a free port (HTTPS when `tls` is given). */
export async function startFakeElasticsearch(
  options: {
    tls?: { key: string | Buffer; cert: string | Buffer };
    /** `false`: answer without `x-elastic-product`, as a server that is not Elasticsearch would. */
    productHeader?: boolean;
  } = {},
): Promise<FakeElasticsearch> {
  const indices = new Map<string, Map<string, Record<string, unknown>>>();
  const templates = new Map<string, Record<string, unknown>>();
  const requests: RecordedRequest[] = [];
  const storedCount = new Map<string, number>();
  const itemFailures = new Map<string, number[]>();
  const requestFailures: number[] = [];
  let down: 'unavailable' | 'reset' | undefined;
  let authorization: string | undefined;
  let bulkHook: ((items: number) => void | Promise<void>) | undefined;
  const sockets = new Set<Socket>();

  const productHeader = options.productHeader ?? true;
  const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...(productHeader ? { 'x-elastic-product': 'Elasticsearch' } : {}),
    });
    res.end(text);
  };
  const sendError = (res: ServerResponse, status: number, type: string, reason: string): void => {
    sendJson(res, status, { error: { root_cause: [{ type, reason }], type, reason }, status });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const isBulk = method === 'POST' && segments[segments.length - 1] === '_bulk';
    const actions = isBulk ? parseBulk(body, segments.length === 2 ? segments[0] : undefined) : [];
    requests.push({ method, path: url.pathname, headers: { ...req.headers }, bulkItems: actions.length });

    if (down === 'reset') {
      req.socket.destroy();
      return;
    }
    if (down === 'unavailable') return sendError(res, 503, 'cluster_block_exception', 'the fake is in an outage');
    const forced = requestFailures.shift();
    if (forced !== undefined) return sendError(res, forced, forced === 429 ? 'es_rejected_execution_exception' : 'fake_failure', `scripted ${forced}`);
    if (authorization !== undefined && req.headers.authorization !== authorization) {
      return sendError(res, 401, 'security_exception', 'missing authentication credentials for REST request');
    }

    if (method === 'GET' && segments.length === 0) {
      return sendJson(res, 200, {
        name: 'fake-node',
        cluster_name: 'fake',
        cluster_uuid: 'fake-uuid',
        version: { number: '8.19.0', build_flavor: 'default', lucene_version: '9.12.0', minimum_wire_compatibility_version: '7.17.0' },
        tagline: 'You Know, for Search',
      });
    }
    if (segments[0] === '_index_template' && segments.length === 2) {
      const name = segments[1]!;
      if (method === 'PUT') {
        templates.set(name, JSON.parse(body.toString('utf8')) as Record<string, unknown>);
        return sendJson(res, 200, { acknowledged: true });
      }
      if (method === 'GET') {
        const found = templates.get(name);
        if (!found) return sendError(res, 404, 'resource_not_found_exception', `index template matching [${name}] not found`);
        return sendJson(res, 200, { index_templates: [{ name, index_template: found }] });
      }
    }
    if (isBulk) {
      await bulkHook?.(actions.length);
      const started = Date.now();
      const items = actions.map((action) => {
        const failure = itemFailures.get(action.id)?.shift();
        if (failure !== undefined) {
          const type = ITEM_ERROR_TYPES[failure] ?? 'fake_failure';
          return { [action.op]: { _index: action.index, _id: action.id, status: failure, error: { type, reason: `scripted ${failure} for [${action.id}]` } } };
        }
        const docs = indices.get(action.index) ?? new Map<string, Record<string, unknown>>();
        indices.set(action.index, docs);
        if (action.op === 'create' && docs.has(action.id)) {
          return {
            create: {
              _index: action.index,
              _id: action.id,
              status: 409,
              error: { type: 'version_conflict_engine_exception', reason: `[${action.id}]: version conflict, document already exists (current version [1])` },
            },
          };
        }
        const existed = docs.has(action.id);
        docs.set(action.id, action.source);
        storedCount.set(action.id, (storedCount.get(action.id) ?? 0) + 1);
        return { [action.op]: { _index: action.index, _id: action.id, _version: 1, result: existed ? 'updated' : 'created', status: existed ? 200 : 201 } };
      });
      const errors = items.some((item) => Object.values(item)[0]!.status >= 300);
      return sendJson(res, 200, { took: Date.now() - started, errors, items });
    }
    return sendError(res, 404, 'fake_unsupported', `the fake does not implement ${method} ${url.pathname}`);
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 400, 'parse_exception', (error as Error).message);
    });
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener) : createHttpServer(listener);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    indices,
    templates,
    requests,
    storedCount,
    failItem(id, status, times = 1) {
      itemFailures.set(id, [...(itemFailures.get(id) ?? []), ...Array<number>(times).fill(status)]);
    },
    failRequests(status, times = 1) {
      requestFailures.push(...Array<number>(times).fill(status));
    },
    outage(kind) {
      down = kind;
    },
    recover() {
      down = undefined;
    },
    requireAuthorization(value) {
      authorization = value;
    },
    onBulk(hook) {
      bulkHook = hook;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function parseBulk(body: Buffer, pathIndex: string | undefined): BulkAction[] {
  const lines = body
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const actions: BulkAction[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const header = JSON.parse(lines[i]!) as Record<string, { _index?: string; _id?: string }>;
    const [op, meta] = Object.entries(header)[0] ?? [];
    if (op !== 'create' && op !== 'index') throw new Error(`the fake supports only create and index bulk actions, got ${String(op)}`);
    const index = meta?._index ?? pathIndex;
    if (!index || !meta?._id) throw new Error('bulk action without _index or _id');
    if (lines[i + 1] === undefined) throw new Error('bulk action without a source line');
    actions.push({ op, index, id: meta._id, source: JSON.parse(lines[i + 1]!) as Record<string, unknown> });
  }
  return actions;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
