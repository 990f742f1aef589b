/**
 * The storage stage's public API: the {@link ObjectStore} port, key helpers, the local adapters, and
 * {@link openObjectStore}, the registry the composition root uses to pick an adapter from a URL.
 */
export type { ObjectInfo, ObjectStore } from './object-store.ts';
export { baseName, joinKey } from './object-store.ts';
export { LocalObjectStore } from './local-object-store.ts';
export { MemoryObjectStore } from './memory-object-store.ts';
// The cloud adapters are exported as types only: their SDKs load on demand through openObjectStore.
export type { S3ObjectStore, S3ClientLike, S3Command, S3ObjectStoreOptions } from './s3-object-store.ts';
export type { GcsObjectStore, GcsBucketLike, GcsFileLike, GcsObjectMetadata, GcsObjectStoreOptions, GcsStorageLike } from './gcs-object-store.ts';
export { openObjectStore, SUPPORTED_OBJECT_STORE_URLS } from './open-object-store.ts';
export type { ObjectStoreOptions } from './open-object-store.ts';
