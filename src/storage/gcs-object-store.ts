import { Storage } from '@google-cloud/storage';
import { PassThrough, Readable } from 'node:stream';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, BackendUnavailableError, NotFoundError, toAppError } from '../shared/index.ts';
import type { ObjectInfo, ObjectStore } from './object-store.ts';

/** The object metadata fields the adapter reads (the JSON API's object resource). */
export interface GcsObjectMetadata {
  readonly name?: string;
  /** Decimal string in the JSON API. */
  readonly size?: string | number;
  /** RFC 3339 timestamp. */
  readonly updated?: string;
  readonly generation?: string | number;
  readonly etag?: string;
}

/** The slice of `@google-cloud/storage`'s `File` the adapter uses. */
export interface GcsFileLike {
  readonly name: string;
  readonly metadata: GcsObjectMetadata;
  createReadStream(): Readable;
  createWriteStream(options: { resumable: boolean }): Writable;
  save(data: Buffer, options: { resumable: boolean }): Promise<void>;
  /** `destination` is a `gs://bucket/name` URL, which the library never confuses with a plain object name. */
  copy(destination: string): Promise<unknown>;
  delete(options: { ignoreNotFound: boolean }): Promise<unknown>;
  getMetadata(): Promise<readonly [GcsObjectMetadata, ...unknown[]]>;
}

/** The slice of `Bucket` the adapter uses. */
export interface GcsBucketLike {
  file(name: string): GcsFileLike;
  getFiles(query: {
    prefix: string;
    autoPaginate: false;
    pageToken?: string;
    maxResults?: number;
  }): Promise<readonly [GcsFileLike[], { pageToken?: string } | null | undefined, ...unknown[]]>;
}

/** The slice of `Storage` the adapter uses, so tests can inject a double and callers a shared client. */
export interface GcsStorageLike {
  bucket(name: string): GcsBucketLike;
}

/** How to reach one Google Cloud Storage bucket. */
export interface GcsObjectStoreOptions {
  readonly bucket: string;
  /** Folder inside the bucket that acts as the store's root; `''` for the whole bucket. */
  readonly prefix: string;
  /** A ready client, or a factory called on first use. When omitted, one is built from the fields below. */
  readonly storage?: GcsStorageLike | (() => GcsStorageLike);
  readonly projectId?: string;
  /** Service-account key file; when omitted, Application Default Credentials are used. */
  readonly keyFilename?: string;
  /**
   * Alternative API root (an emulator such as fake-gcs-server). The client library then sends no credentials,
   * which is what emulators expect.
   */
  readonly apiEndpoint?: string;
  /** Retries after a retryable failure (client default 3); 0 fails fast. */
  readonly maxRetries?: number;
  /** Objects per list page (API default and maximum: 1000). */
  readonly listPageSize?: number;
}

/**
 * {@link ObjectStore} on a GCS bucket (`gs://bucket/prefix`). Keys are relative to `prefix`.
 * Uploads are single-request (non-resumable) so that an object appears whole or not at all; a failed upload is
 * simply retried by the caller. Downloads are checked against the CRC32C GCS reports.
 * When the caller's stream fails mid-upload, `put` rejects and no object is created, but the client library leaves
 * that unfinished request's socket open until the server times it out.
 */
export class GcsObjectStore implements ObjectStore {
  readonly url: string;
  readonly #options: GcsObjectStoreOptions;
  readonly #root: string;
  readonly #where: string;
  #bucket: GcsBucketLike | undefined;

  constructor(options: GcsObjectStoreOptions) {
    const prefix = options.prefix.replace(/^\/+|\/+$/g, '');
    this.#options = options;
    this.#root = prefix === '' ? '' : `${prefix}/`;
    this.url = prefix === '' ? `gs://${options.bucket}` : `gs://${options.bucket}/${prefix}`;
    this.#where = `GCS bucket '${options.bucket}' at ${describeEndpoint(options.apiEndpoint)}`;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let pageToken: string | undefined;
    do {
      const [files, next] = await this.#call(`list '${prefix}'`, (b) =>
        b.getFiles({ prefix: this.#root + prefix, autoPaginate: false, pageToken, maxResults: this.#options.listPageSize }),
      );
      for (const file of files) {
        if (file.name.endsWith('/')) continue; // folder placeholders made by the console
        yield this.#info(file.name.slice(this.#root.length), file.metadata);
      }
      pageToken = next?.pageToken || undefined;
    } while (pageToken !== undefined);
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const [metadata] = await this.#call(`stat '${key}'`, (b) => b.file(this.#root + key).getMetadata());
      return this.#info(key, metadata);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async get(key: string): Promise<Readable> {
    const what = `get '${key}'`;
    const file = await this.#call(what, async (b) => b.file(this.#root + key));
    const source = file.createReadStream();
    const out = new PassThrough({ highWaterMark: 1 << 20 });
    // The library requests lazily and reports a missing object as a stream error; wait for the response status so
    // that `get` itself rejects with NotFoundError instead of handing out a stream that fails on first read.
    return new Promise<Readable>((resolve, reject) => {
      let settled = false;
      source.once('response', (response: { statusCode?: number }) => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          settled = true;
          resolve(out);
        }
      });
      source.once('error', (error) => {
        const mapped = this.#mapError(error, what);
        if (settled) out.destroy(mapped);
        else reject(mapped);
        settled = true;
      });
      out.once('close', () => source.destroy());
      source.pipe(out);
    });
  }

  async put(key: string, body: Readable | Uint8Array | string): Promise<void> {
    const what = `put '${key}'`;
    const file = await this.#call(what, async (b) => b.file(this.#root + key));
    if (!(body instanceof Readable)) {
      const data = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      await this.#call(what, () => file.save(data, { resumable: false }));
      return;
    }
    // pipeline() re-raises the first error on every stream, so note which side failed first: only an upload
    // failure means GCS is unavailable; the caller's own stream failing is theirs.
    let origin: 'source' | 'upload' | undefined;
    const sink = file.createWriteStream({ resumable: false });
    body.once('error', () => (origin ??= 'source'));
    sink.once('error', () => (origin ??= 'upload'));
    try {
      await pipeline(body, sink);
    } catch (error) {
      throw origin === 'source' ? toAppError(error) : this.#mapError(error, what);
    }
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    const destination = `gs://${this.#options.bucket}/${this.#root}${toKey}`;
    await this.#call(`copy '${fromKey}' to '${toKey}'`, (b) => b.file(this.#root + fromKey).copy(destination));
  }

  /** A server-side copy, then a delete of the source (what the client's own move does too). */
  async move(fromKey: string, toKey: string): Promise<void> {
    await this.copy(fromKey, toKey);
    if (fromKey !== toKey) await this.delete(fromKey);
  }

  async delete(key: string): Promise<void> {
    await this.#call(`delete '${key}'`, (b) => b.file(this.#root + key).delete({ ignoreNotFound: true }));
  }

  async close(): Promise<void> {
    // The client keeps no connections of its own beyond Node's agent pool; nothing to release.
    this.#bucket = undefined;
  }

  #info(key: string, metadata: GcsObjectMetadata): ObjectInfo {
    return {
      key,
      size: Number(metadata.size ?? 0),
      modifiedAt: metadata.updated ? new Date(metadata.updated) : new Date(0),
      etag: String(metadata.generation ?? metadata.etag ?? ''),
    };
  }

  #bucketFor(): GcsBucketLike {
    if (this.#bucket) return this.#bucket;
    const given = this.#options.storage;
    const storage = given === undefined ? createStorage(this.#options) : typeof given === 'function' ? given() : given;
    this.#bucket = storage.bucket(this.#options.bucket);
    return this.#bucket;
  }

  async #call<T>(what: string, run: (bucket: GcsBucketLike) => Promise<T>): Promise<T> {
    try {
      return await run(this.#bucketFor());
    } catch (error) {
      throw this.#mapError(error, what);
    }
  }

  #mapError(error: unknown, what: string): AppError {
    if (error instanceof AppError) return error;
    const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: string };
    const reason = [e.code, e.message].filter((p) => p !== undefined && p !== '').join(': ');
    // ApiError carries the raw request and response (with the bearer token on real GCS): keep only what diagnoses it.
    const cause = Object.assign(new Error(reason), { code: e.code });
    if (e.code === 404) return new NotFoundError(`${what}: object not found in ${this.url}`, { cause });
    return new BackendUnavailableError(`${this.#where} is unavailable (${what}): ${reason}`, {
      cause,
      details: { bucket: this.#options.bucket, endpoint: describeEndpoint(this.#options.apiEndpoint) },
    });
  }
}

function createStorage(options: GcsObjectStoreOptions): GcsStorageLike {
  return new Storage({
    projectId: options.projectId,
    keyFilename: options.keyFilename,
    apiEndpoint: options.apiEndpoint,
    retryOptions: options.maxRetries === undefined ? undefined : { maxRetries: options.maxRetries, autoRetry: options.maxRetries > 0 },
  });
}

/** The endpoint as shown in messages: its origin only, so user-info (a credential) in the URL never shows. */
function describeEndpoint(apiEndpoint: string | undefined): string {
  if (apiEndpoint === undefined) return 'storage.googleapis.com';
  return URL.canParse(apiEndpoint) ? new URL(apiEndpoint).origin : '<invalid endpoint URL>';
}
