import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small in-memory fake of the Google Cloud Storage JSON API, for tests only.
 *
 * No GCS emulator installs from npm or Debian on this machine (fake-gcs-server is a Go binary, the Firebase
 * emulator downloads a JAR), so this implements just the subset `GcsObjectStore` drives through the real
 * `@google-cloud/storage` client, following the public API reference:
 * - `GET  /storage/v1/b/{bucket}/o?prefix&pageToken&maxResults` (objects.list, byte-ordered, paginated)
 * - `GET  /storage/v1/b/{bucket}/o/{object}` (objects.get) and `?alt=media` (download, with `x-goog-hash`)
 * - `POST /upload/storage/v1/b/{bucket}/o?uploadType=multipart|media&name=` (simple uploads)
 * - `POST /storage/v1/b/{bucket}/o/{object}/rewriteTo|copyTo/b/{bucket}/o/{object}` (server-side copy)
 * - `DELETE /storage/v1/b/{bucket}/o/{object}` (objects.delete)
 * Errors use the JSON API's `{ error: { code, message, errors } }` shape. Resumable uploads, ACLs, preconditions,
 * versioning and authentication are not implemented.
 */
export interface FakeGcsServer {
  /** Base URL to pass as `apiEndpoint`, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  close(): Promise<void>;
}

interface StoredObject {
  readonly data: Buffer;
  readonly resource: Record<string, string>;
}

/** Starts the fake on 127.0.0.1 on a free port with the given (empty) buckets. */
export async function startFakeGcsServer(options: { buckets: readonly string[] }): Promise<FakeGcsServer> {
  const buckets = new Map(options.buckets.map((name) => [name, new Map<string, StoredObject>()]));
  let generation = Date.now() * 1000;

  const store = (bucket: string, name: string, data: Buffer, contentType: string): Record<string, string> => {
    const objects = buckets.get(bucket);
    if (!objects) throw new HttpError(404, `The specified bucket does not exist: ${bucket}`);
    const gen = String(++generation);
    const now = new Date().toISOString();
    const resource = {
      kind: 'storage#object',
      id: `${bucket}/${name}/${gen}`,
      name,
      bucket,
      generation: gen,
      metageneration: '1',
      contentType,
      size: String(data.length),
      md5Hash: createHash('md5').update(data).digest('base64'),
      crc32c: crc32cBase64(data),
      etag: createHash('md5').update(gen).digest('base64'),
      timeCreated: now,
      updated: now,
    };
    objects.set(name, { data, resource });
    return resource;
  };

  const find = (bucket: string, name: string): StoredObject => {
    const found = buckets.get(bucket)?.get(name);
    if (!found) throw new HttpError(404, `No such object: ${bucket}/${name}`);
    return found;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    // Object names arrive percent-encoded as one segment (slashes included), so split before decoding.
    const seg = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const q = url.searchParams;
    const method = req.method ?? 'GET';

    if (method === 'POST' && seg[0] === 'upload' && seg[3] === 'b' && seg[5] === 'o' && seg.length === 6) {
      const body = await readBody(req);
      const type = q.get('uploadType');
      if (type === 'media') {
        const name = q.get('name') ?? '';
        return sendJson(res, 200, store(seg[4]!, name, body, req.headers['content-type'] ?? 'application/octet-stream'));
      }
      if (type === 'multipart') {
        const boundary = /boundary=("?)([^";]+)\1/.exec(req.headers['content-type'] ?? '')?.[2];
        if (!boundary) throw new HttpError(400, 'multipart upload without boundary');
        const [meta, media] = parseMultipartRelated(body, boundary);
        if (!meta || !media) throw new HttpError(400, 'multipart upload needs a metadata and a media part');
        const metadata = JSON.parse(meta.data.toString('utf8')) as { name?: string; contentType?: string };
        const name = q.get('name') ?? metadata.name ?? '';
        const contentType = metadata.contentType ?? /content-type:\s*(.+)/i.exec(media.headers)?.[1] ?? 'application/octet-stream';
        return sendJson(res, 200, store(seg[4]!, name, media.data, contentType));
      }
      throw new HttpError(400, `uploadType ${String(type)} is not supported by the fake`);
    }

    if (seg[0] !== 'storage' || seg[1] !== 'v1' || seg[2] !== 'b' || seg[4] !== 'o') throw new HttpError(404, 'Not Found');
    const bucket = seg[3]!;
    const objects = buckets.get(bucket);
    if (!objects) throw new HttpError(404, `The specified bucket does not exist: ${bucket}`);

    if (seg.length === 5 && method === 'GET') {
      const prefix = q.get('prefix') ?? '';
      const max = Math.min(Number(q.get('maxResults') ?? 1000) || 1000, 1000);
      const after = q.get('pageToken') ? Buffer.from(q.get('pageToken')!, 'base64url').toString('utf8') : undefined;
      const names = [...objects.keys()]
        .filter((n) => n.startsWith(prefix) && (after === undefined || Buffer.compare(Buffer.from(n), Buffer.from(after)) > 0))
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      const page = names.slice(0, max);
      const body: Record<string, unknown> = { kind: 'storage#objects' };
      if (page.length > 0) body.items = page.map((n) => objects.get(n)!.resource);
      if (names.length > max) body.nextPageToken = Buffer.from(page[page.length - 1]!).toString('base64url');
      return sendJson(res, 200, body);
    }

    const name = seg[5] ?? '';
    if (seg.length === 6 && method === 'GET') {
      const found = find(bucket, name);
      if (q.get('alt') !== 'media') return sendJson(res, 200, found.resource);
      res.writeHead(200, {
        'content-type': found.resource.contentType,
        'content-length': found.data.length,
        'x-goog-generation': found.resource.generation,
        'x-goog-hash': `crc32c=${found.resource.crc32c},md5=${found.resource.md5Hash}`,
        'x-goog-stored-content-encoding': 'identity',
        'x-goog-stored-content-length': found.data.length,
      });
      res.end(found.data);
      return;
    }
    if (seg.length === 6 && method === 'DELETE') {
      find(bucket, name);
      objects.delete(name);
      res.writeHead(204).end();
      return;
    }
    if (seg.length === 11 && method === 'POST' && (seg[6] === 'rewriteTo' || seg[6] === 'copyTo') && seg[7] === 'b' && seg[9] === 'o') {
      await readBody(req);
      const source = find(bucket, name);
      const resource = store(seg[8]!, seg[10]!, source.data, source.resource.contentType ?? 'application/octet-stream');
      if (seg[6] === 'copyTo') return sendJson(res, 200, resource);
      const size = String(source.data.length);
      return sendJson(res, 200, { kind: 'storage#rewriteResponse', totalBytesRewritten: size, objectSize: size, done: true, resource });
    }
    throw new HttpError(404, 'Not Found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      sendJson(res, status, { error: { code: status, message, errors: [{ reason: status === 404 ? 'notFound' : 'invalid', message }] } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Splits a `multipart/related` body (RFC 2387) into its parts' header blocks and raw bytes. */
function parseMultipartRelated(body: Buffer, boundary: string): { headers: string; data: Buffer }[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { headers: string; data: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const part = body.subarray(start + 2, next - 2); // drop the CRLF after the delimiter and before the next one
    const split = part.indexOf('\r\n\r\n');
    parts.push({ headers: part.subarray(0, split).toString('utf8'), data: part.subarray(split + 4) });
    at = next;
  }
  return parts;
}

/** CRC32C (Castagnoli, reflected polynomial 0x82F63B78) as GCS reports it: big-endian, base64. */
const CRC32C_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  return c >>> 0;
});

function crc32cBase64(data: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}
