import type { Readable } from 'node:stream';

/** One object in a bucket. `key` is relative to the store's root (its URL prefix), with `/` separators. */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** Last modification time, as reported by the backend. */
  readonly modifiedAt: Date;
  /** Backend-specific version tag (ETag, generation, mtime+size): changes when content may have changed. */
  readonly etag: string;
}

/**
 * The object-storage port: where landing CSVs arrive, raw backups and quarantine files go, and (later)
 * model artifacts live. Adapters: local folder (`file:`), S3 (`s3://`), GCS (`gs://`), memory (`memory:`).
 *
 * Every method rejects on failure with an AppError: {@link NotFoundError} for a missing key,
 * {@link BackendUnavailableError} when the backend cannot be reached. Writes are atomic: a reader sees the
 * old object or the whole new one, never a partial one.
 */
export interface ObjectStore {
  /** A human-readable location, e.g. `file:/abs/path` or `s3://bucket/prefix` (never with credentials). */
  readonly url: string;
  /** Every object whose key starts with `prefix`, in lexicographic key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Metadata of one object, or `undefined` when it does not exist. */
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** A stream of the object's bytes. */
  get(key: string): Promise<Readable>;
  /** Writes (replaces) an object from bytes or a stream. */
  put(key: string, body: Readable | Uint8Array | string): Promise<void>;
  /** Server-side copy where the backend supports it. */
  copy(fromKey: string, toKey: string): Promise<void>;
  /**
   * Moves an object to another key (replacing what is there): a rename where the backend has one (a local
   * folder), otherwise a server-side copy then a delete. Readers of `toKey` see the old or the whole new object.
   */
  move(fromKey: string, toKey: string): Promise<void>;
  /** Deletes an object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Releases clients and sockets. */
  close(): Promise<void>;
}

/** Joins key segments with single slashes. */
export function joinKey(...parts: readonly string[]): string {
  return parts
    .filter((p) => p.length > 0)
    .map((p, i) => (i === 0 ? p.replace(/\/+$/, '') : p.replace(/^\/+|\/+$/g, '')))
    .join('/');
}

/** The last segment of a key (its file name). */
export function baseName(key: string): string {
  const i = key.lastIndexOf('/');
  return i < 0 ? key : key.slice(i + 1);
}
