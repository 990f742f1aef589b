import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type {
  CompletedPart,
  CreateMultipartUploadCommandOutput,
  GetObjectCommandOutput,
  HeadObjectCommandOutput,
  ListObjectsV2CommandOutput,
  UploadPartCommandOutput,
} from '@aws-sdk/client-s3';
import { PassThrough, Readable } from 'node:stream';
import { AppError, BackendUnavailableError, NotFoundError, toAppError } from '../shared/index.ts';
import type { ObjectInfo, ObjectStore } from './object-store.ts';

/** The S3 commands this adapter sends; a test double only has to accept these. */
export type S3Command =
  | AbortMultipartUploadCommand
  | CompleteMultipartUploadCommand
  | CopyObjectCommand
  | CreateMultipartUploadCommand
  | DeleteObjectCommand
  | GetObjectCommand
  | HeadObjectCommand
  | ListObjectsV2Command
  | PutObjectCommand
  | UploadPartCommand;

/** The smallest slice of `S3Client` the adapter needs, so tests can inject a double and callers a shared client. */
export interface S3ClientLike {
  send(command: S3Command): Promise<unknown>;
  destroy?(): void;
}

/** How to reach one S3 (or S3-compatible: MinIO, Ceph, R2, s3rver) bucket. */
export interface S3ObjectStoreOptions {
  readonly bucket: string;
  /** Folder inside the bucket that acts as the store's root; `''` for the whole bucket. */
  readonly prefix: string;
  /** A ready client, or a factory called on first use. When omitted, one is built from the fields below. */
  readonly client?: S3ClientLike | (() => S3ClientLike);
  /** S3-compatible endpoint URL; omit for AWS. */
  readonly endpoint?: string;
  /** Defaults to `us-east-1` when an endpoint is given, else to the SDK's environment/profile lookup. */
  readonly region?: string;
  /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible servers need. */
  readonly forcePathStyle?: boolean;
  /** Static credentials; when omitted the SDK's default provider chain is used. */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** Attempts per request including the first (SDK default 3). */
  readonly maxAttempts?: number;
  /** Milliseconds to wait for a TCP connection before failing with BackendUnavailableError. */
  readonly connectTimeoutMs?: number;
  /** Keys per ListObjectsV2 page (S3 maximum and default: 1000). */
  readonly listPageSize?: number;
}

/**
 * Streams are uploaded in parts of at least this size (bytes): S3 needs ≥ 5 MiB for every part but the last, and
 * about one part is all a stream upload holds in memory.
 */
export const S3_PART_SIZE = 8 * 1024 * 1024;

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * {@link ObjectStore} on an S3 bucket (`s3://bucket/prefix`). Keys are relative to `prefix`.
 * Uploads are atomic on S3's side: PutObject for bytes and small streams, a multipart upload (aborted on failure)
 * for streams larger than {@link S3_PART_SIZE}. `copy` is a server-side CopyObject, so it is limited to 5 GiB objects.
 */
export class S3ObjectStore implements ObjectStore {
  readonly url: string;
  readonly #bucket: string;
  readonly #root: string;
  readonly #options: S3ObjectStoreOptions;
  readonly #where: string;
  #client: S3ClientLike | undefined;
  /** Only clients this store built (or got from a factory) are destroyed by `close`; an injected instance is the caller's. */
  #ownsClient = false;

  constructor(options: S3ObjectStoreOptions) {
    const prefix = options.prefix.replace(/^\/+|\/+$/g, '');
    this.#options = options;
    this.#bucket = options.bucket;
    this.#root = prefix === '' ? '' : `${prefix}/`;
    this.url = prefix === '' ? `s3://${options.bucket}` : `s3://${options.bucket}/${prefix}`;
    this.#where = `S3 bucket '${options.bucket}' at ${describeEndpoint(options)}`;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.#send<ListObjectsV2CommandOutput>(
        new ListObjectsV2Command({
          Bucket: this.#bucket,
          Prefix: this.#root + prefix,
          ContinuationToken: token,
          MaxKeys: this.#options.listPageSize,
        }),
        `list '${prefix}'`,
      );
      for (const o of page.Contents ?? []) {
        // Zero-byte `folder/` markers made by consoles are not objects for our purposes.
        if (o.Key === undefined || o.Key.endsWith('/')) continue;
        yield {
          key: o.Key.slice(this.#root.length),
          size: o.Size ?? 0,
          modifiedAt: o.LastModified ?? new Date(0),
          etag: unquote(o.ETag),
        };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const head = await this.#send<HeadObjectCommandOutput>(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#root + key }), `stat '${key}'`);
      return {
        key,
        size: head.ContentLength ?? 0,
        modifiedAt: head.LastModified ?? new Date(0),
        etag: unquote(head.ETag),
      };
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async get(key: string): Promise<Readable> {
    const out = await this.#send<GetObjectCommandOutput>(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#root + key }), `get '${key}'`);
    const body = out.Body;
    if (body === undefined) return Readable.from([]);
    if (!(body instanceof Readable)) {
      throw new BackendUnavailableError(`${this.#where} returned a non-stream body for '${key}'`);
    }
    // Re-emit mid-download failures (socket reset, timeout) as AppErrors like every other failure of this port.
    const mapped = new PassThrough({ highWaterMark: 1 << 20 });
    body.once('error', (error) => mapped.destroy(this.#mapError(error, `get '${key}'`)));
    mapped.once('close', () => body.destroy());
    body.pipe(mapped);
    return mapped;
  }

  async put(key: string, body: Readable | Uint8Array | string): Promise<void> {
    if (!(body instanceof Readable)) {
      await this.#send(new PutObjectCommand({ Bucket: this.#bucket, Key: this.#root + key, Body: body }), `put '${key}'`);
      return;
    }
    await this.#putStream(key, body);
  }

  async #putStream(key: string, body: Readable): Promise<void> {
    const Key = this.#root + key;
    const what = `put '${key}'`;
    let uploadId: string | undefined;
    const parts: CompletedPart[] = [];
    let pending: Buffer[] = [];
    let pendingBytes = 0;

    const uploadPending = async (): Promise<void> => {
      const data = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      if (uploadId === undefined) {
        const created = await this.#send<CreateMultipartUploadCommandOutput>(new CreateMultipartUploadCommand({ Bucket: this.#bucket, Key }), what);
        if (created.UploadId === undefined) throw new BackendUnavailableError(`${this.#where} returned no upload id for ${what}`);
        uploadId = created.UploadId;
      }
      const PartNumber = parts.length + 1;
      const part = await this.#send<UploadPartCommandOutput>(
        new UploadPartCommand({ Bucket: this.#bucket, Key, UploadId: uploadId, PartNumber, Body: data }),
        what,
      );
      parts.push({ PartNumber, ETag: part.ETag });
    };

    try {
      for await (const chunk of body) {
        const buf: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array | string);
        pending.push(buf);
        pendingBytes += buf.length;
        if (pendingBytes >= S3_PART_SIZE) await uploadPending();
      }
      if (uploadId === undefined) {
        // The whole stream fit in one part: a plain PutObject is cheaper and just as atomic.
        const Body = Buffer.concat(pending, pendingBytes);
        await this.#send(new PutObjectCommand({ Bucket: this.#bucket, Key, Body }), what);
        return;
      }
      if (pendingBytes > 0) await uploadPending();
      await this.#send(new CompleteMultipartUploadCommand({ Bucket: this.#bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }), what);
    } catch (error) {
      const failure = toAppError(error);
      if (uploadId === undefined) throw failure;
      // Abort so the bucket does not keep (and bill for) orphaned parts; report both failures if that fails too.
      try {
        await this.#send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key, UploadId: uploadId }), what);
      } catch (abortError) {
        const message = `${failure.message}; aborting multipart upload ${uploadId} also failed, so its parts stay until a lifecycle rule removes them`;
        throw new BackendUnavailableError(message, { cause: new AggregateError([failure, abortError]) });
      }
      throw failure;
    }
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    await this.#send(
      new CopyObjectCommand({
        Bucket: this.#bucket,
        Key: this.#root + toKey,
        CopySource: `${encodeURIComponent(this.#bucket)}/${encodeKeyPath(this.#root + fromKey)}`,
      }),
      `copy '${fromKey}' to '${toKey}'`,
    );
  }

  /** S3 has no rename: a server-side copy, then a delete of the source. */
  async move(fromKey: string, toKey: string): Promise<void> {
    await this.copy(fromKey, toKey);
    if (fromKey !== toKey) await this.delete(fromKey);
  }

  async delete(key: string): Promise<void> {
    await this.#send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#root + key }), `delete '${key}'`);
  }

  async close(): Promise<void> {
    if (this.#ownsClient) this.#client?.destroy?.();
    this.#client = undefined;
  }

  #getClient(): S3ClientLike {
    if (this.#client) return this.#client;
    const given = this.#options.client;
    if (given === undefined) this.#client = createS3Client(this.#options);
    else this.#client = typeof given === 'function' ? given() : given;
    this.#ownsClient = typeof given !== 'object';
    return this.#client;
  }

  async #send<T = unknown>(command: S3Command, what: string): Promise<T> {
    try {
      return (await this.#getClient().send(command)) as T;
    } catch (error) {
      throw this.#mapError(error, what);
    }
  }

  #mapError(error: unknown, what: string): AppError {
    if (error instanceof AppError) return error;
    const e = (typeof error === 'object' && error !== null ? error : {}) as {
      name?: string;
      code?: string;
      message?: string;
      $metadata?: { httpStatusCode?: number };
    };
    const status = e.$metadata?.httpStatusCode;
    const reason = redact([e.name, e.code, status, e.message].filter((p) => p !== undefined && p !== '').join(': '), this.#options);
    // The SDK error carries the raw request (signed headers with the access key id): keep only what diagnoses it.
    const cause = Object.assign(new Error(reason), { name: e.name ?? 'Error', code: e.code, status });
    // A missing bucket is a configuration problem, not a missing object.
    if (e.name !== 'NoSuchBucket' && (e.name === 'NoSuchKey' || e.name === 'NotFound' || status === 404)) {
      return new NotFoundError(`${what}: object not found in ${this.url}`, { cause });
    }
    return new BackendUnavailableError(`${this.#where} is unavailable (${what}): ${reason}`, {
      cause,
      details: { bucket: this.#bucket, endpoint: describeEndpoint(this.#options), status },
    });
  }
}

function createS3Client(options: S3ObjectStoreOptions): S3Client {
  const { accessKeyId, secretAccessKey } = options;
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region ?? (options.endpoint !== undefined ? 'us-east-1' : undefined),
    forcePathStyle: options.forcePathStyle,
    credentials: accessKeyId !== undefined && secretAccessKey !== undefined ? { accessKeyId, secretAccessKey } : undefined,
    maxAttempts: options.maxAttempts,
    followRegionRedirects: true,
    requestHandler: { connectionTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS },
  });
}

/** The endpoint as shown in messages: its origin only, so user-info (a credential) in the URL never shows. */
function describeEndpoint(options: S3ObjectStoreOptions): string {
  if (options.endpoint === undefined) return `AWS S3${options.region ? ` (${options.region})` : ''}`;
  return URL.canParse(options.endpoint) ? new URL(options.endpoint).origin : '<invalid endpoint URL>';
}

/** Vendor messages can echo request details; make sure no configured secret leaks into logs. */
function redact(text: string, options: S3ObjectStoreOptions): string {
  let out = text;
  for (const secret of [options.secretAccessKey, options.accessKeyId]) {
    if (secret) out = out.split(secret).join('***');
  }
  return out;
}

/** CopySource is `bucket/key` URL-encoded, with `/` kept as the path separator. */
function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}
