import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnsupportedUrlError } from '../shared/errors.ts';
import { GcsObjectStore } from './gcs-object-store.ts';
import { LocalObjectStore } from './local-object-store.ts';
import { MemoryObjectStore } from './memory-object-store.ts';
import { openObjectStore } from './open-object-store.ts';
import { S3ObjectStore } from './s3-object-store.ts';

describe('openObjectStore', () => {
  it.each([
    ['file:relative/bucket', path.resolve('relative/bucket')],
    ['file:/abs/bucket', '/abs/bucket'],
    ['file:///abs/bucket', '/abs/bucket'],
    ['file:///abs/with%20space', '/abs/with space'],
    ['relative/bare', path.resolve('relative/bare')],
    ['/abs/bare', '/abs/bare'],
    ['./dot/relative', path.resolve('dot/relative')],
  ])('opens %s as a local folder', async (url, root) => {
    const store = await openObjectStore(url);
    expect(store).toBeInstanceOf(LocalObjectStore);
    expect(store.url).toBe(`file:${root}`);
  });

  it('round-trips a LocalObjectStore url', async () => {
    const first = await openObjectStore('file:some/where');
    expect((await openObjectStore(first.url)).url).toBe(first.url);
  });

  it.each(['memory:', 'memory://'])('opens %s in memory', async (url) => {
    expect(await openObjectStore(url)).toBeInstanceOf(MemoryObjectStore);
  });

  it.each([
    ['s3://landing', 's3://landing'],
    ['s3://landing/', 's3://landing'],
    ['s3://landing/pickwise/prod', 's3://landing/pickwise/prod'],
    ['s3://landing/pickwise/prod/', 's3://landing/pickwise/prod'],
  ])('opens %s on S3', async (url, expected) => {
    const store = await openObjectStore(url, { endpoint: 'http://127.0.0.1:9000', forcePathStyle: true });
    expect(store).toBeInstanceOf(S3ObjectStore);
    expect(store.url).toBe(expected);
  });

  it.each([
    ['gs://landing', 'gs://landing'],
    ['gs://landing/pickwise/prod/', 'gs://landing/pickwise/prod'],
  ])('opens %s on GCS', async (url, expected) => {
    const store = await openObjectStore(url, { apiEndpoint: 'http://127.0.0.1:4443' });
    expect(store).toBeInstanceOf(GcsObjectStore);
    expect(store.url).toBe(expected);
  });

  it('rejects unknown schemes, listing the supported ones without echoing the URL', async () => {
    const attempt = (): Promise<unknown> => openObjectStore('ftp://user:hunter2@example.test/data');
    await expect(attempt()).rejects.toThrow(UnsupportedUrlError);
    await expect(attempt()).rejects.toThrow(/'ftp:'.*file:.*memory:.*s3:\/\/.*gs:\/\//);
    await expect(attempt()).rejects.not.toThrow(/hunter2/);
  });

  it.each(['s3://', 's3:///prefix', 'gs://', 'file:', 'memory:extra'])('rejects malformed %s', async (url) => {
    await expect(openObjectStore(url)).rejects.toThrow(UnsupportedUrlError);
  });

  it('refuses credentials in an s3:// URL without echoing them', async () => {
    const attempt = (): Promise<unknown> => openObjectStore('s3://AKIDX:topsecret@landing/prefix');
    await expect(attempt()).rejects.toThrow(UnsupportedUrlError);
    await expect(attempt()).rejects.not.toThrow(/topsecret/);
  });

  it('does not use S3 credentials in the store URL', async () => {
    const store = await openObjectStore('s3://landing/p', { accessKeyId: 'AKIDX', secretAccessKey: 'topsecret' });
    expect(store.url).toBe('s3://landing/p');
  });
});
