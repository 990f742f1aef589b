import { fileURLToPath } from 'node:url';
import { UnsupportedUrlError } from '../shared/index.ts';
import { LocalObjectStore } from './local-object-store.ts';
import { MemoryObjectStore } from './memory-object-store.ts';
import type { ObjectStore } from './object-store.ts';

/**
 * Backend settings that do not fit in a URL (endpoints, regions, secrets). Shaped like the `storage` config slice,
 * so the composition root can pass it through; each backend reads only its own fields.
 */
export interface ObjectStoreOptions {
  /** S3: endpoint of an S3-compatible server (MinIO, Ceph, R2…); omit for AWS. */
  readonly endpoint?: string;
  /** S3: region; defaults to `us-east-1` with an endpoint, else to the AWS SDK's lookup. */
  readonly region?: string;
  /** S3: path-style addressing, which most S3-compatible servers need. */
  readonly forcePathStyle?: boolean;
  /** S3: static credentials; when omitted the AWS SDK's default chain is used. */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** GCS: project id. */
  readonly projectId?: string;
  /** GCS: service-account key file; when omitted Application Default Credentials are used. */
  readonly keyFilename?: string;
  /** GCS: alternative API root, e.g. an emulator. */
  readonly apiEndpoint?: string;
}

/** The URL forms {@link openObjectStore} understands, for messages and docs. */
export const SUPPORTED_OBJECT_STORE_URLS = ['file:PATH', 'file:///ABS/PATH', 'PATH', 'memory:', 's3://BUCKET/PREFIX', 'gs://BUCKET/PREFIX'] as const;

/**
 * The one registry of object-store backends, keyed by URL scheme:
 * `file:relative/path`, `file:/abs/path`, `file:///abs/path` or a bare path → {@link LocalObjectStore};
 * `memory:` → {@link MemoryObjectStore}; `s3://bucket/optional/prefix` → {@link S3ObjectStore};
 * `gs://bucket/optional/prefix` → GcsObjectStore. Opening is lazy: no connection is made until first use, and the
 * cloud SDKs (tens of MB each) are imported only when their scheme is used.
 *
 * @throws UnsupportedUrlError for any other scheme, a missing bucket, or credentials embedded in the URL.
 */
export async function openObjectStore(url: string, options: ObjectStoreOptions = {}): Promise<ObjectStore> {
  const scheme = schemeOf(url);
  switch (scheme) {
    case undefined:
      return new LocalObjectStore(url);
    case 'file':
      return new LocalObjectStore(filePath(url));
    case 'memory':
      if (url !== 'memory:' && url !== 'memory://') throw new UnsupportedUrlError(`a memory store URL is just 'memory:'`);
      return new MemoryObjectStore();
    case 's3': {
      const { bucket, prefix } = bucketAndPrefix(url, 's3');
      const { S3ObjectStore } = await import('./s3-object-store.ts');
      return new S3ObjectStore({
        bucket,
        prefix,
        endpoint: options.endpoint,
        region: options.region,
        forcePathStyle: options.forcePathStyle,
        accessKeyId: options.accessKeyId,
        secretAccessKey: options.secretAccessKey,
      });
    }
    case 'gs': {
      const { bucket, prefix } = bucketAndPrefix(url, 'gs');
      const { GcsObjectStore } = await import('./gcs-object-store.ts');
      return new GcsObjectStore({
        bucket,
        prefix,
        projectId: options.projectId,
        keyFilename: options.keyFilename,
        apiEndpoint: options.apiEndpoint,
      });
    }
    default:
      // Name only the scheme: the rest of an unknown URL may carry credentials.
      throw new UnsupportedUrlError(`unsupported object store URL scheme '${scheme}:'; supported: ${SUPPORTED_OBJECT_STORE_URLS.join(', ')}`);
  }
}

/**
 * The lower-cased URL scheme, or `undefined` for a bare path. A single letter before `:` is a Windows drive
 * (`C:\data`), not a scheme.
 */
function schemeOf(url: string): string | undefined {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(url);
  return match?.[1]?.toLowerCase();
}

function filePath(url: string): string {
  const rest = url.slice('file:'.length);
  if (rest.startsWith('//')) {
    try {
      return fileURLToPath(url);
    } catch (error) {
      throw new UnsupportedUrlError(`invalid file URL (use file:///absolute/path or file:relative/path)`, { cause: error });
    }
  }
  if (rest === '') throw new UnsupportedUrlError(`a file store URL needs a path: file:PATH`);
  return rest;
}

function bucketAndPrefix(url: string, scheme: 's3' | 'gs'): { bucket: string; prefix: string } {
  const match = /^[a-zA-Z0-9]+:\/\/([^/?#]*)\/?([^?#]*)$/.exec(url);
  const bucket = match?.[1] ?? '';
  if (bucket.includes('@') || bucket.includes(':')) {
    // Do not echo the URL: it evidently contains credentials.
    throw new UnsupportedUrlError(`${scheme}:// URLs must not contain credentials or ports; pass them as options`);
  }
  if (!match || bucket === '') {
    throw new UnsupportedUrlError(`a ${scheme} store URL looks like ${scheme}://BUCKET/optional/prefix`);
  }
  return { bucket, prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}
