import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../shared/errors.ts';
import type { ObjectInfo, ObjectStore } from './object-store.ts';

/** What a contract run needs from an adapter's test: a fresh, empty store and a way to dispose of it. */
export type ObjectStoreFactory = () => Promise<{ store: ObjectStore; cleanup(): Promise<void> }>;

/** Large enough to span several 8 MiB multipart parts, with a ragged tail so part boundaries are not aligned. */
const LARGE_STREAM_BYTES = 17 * 1024 * 1024 + 12_345;
const LARGE_CHUNK_BYTES = 64 * 1024;

/**
 * The one behavioural suite every {@link ObjectStore} adapter must pass. Each test gets a fresh empty store from
 * `factory`, so adapters sharing one server should hand out a new prefix or bucket per call.
 */
export function runObjectStoreContract(name: string, factory: ObjectStoreFactory): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let store: ObjectStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
    });

    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    it('round-trips bytes, including every byte value', async () => {
      const bytes = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
      await store.put('bin/all-bytes.bin', bytes);
      expect(await readAll(await store.get('bin/all-bytes.bin'))).toEqual(Buffer.from(bytes));
    });

    it('round-trips a string as UTF-8', async () => {
      const text = 'user_id,service\nu1,네일 케어\nu2,café ☕\n';
      await store.put('text/sample.csv', text);
      const read = await readAll(await store.get('text/sample.csv'));
      expect(read.toString('utf8')).toBe(text);
      expect((await store.stat('text/sample.csv'))?.size).toBe(Buffer.byteLength(text));
    });

    it('round-trips empty objects from bytes and from an empty stream', async () => {
      await store.put('empty/bytes', new Uint8Array(0));
      await store.put('empty/stream', Readable.from([]));
      expect((await readAll(await store.get('empty/bytes'))).length).toBe(0);
      expect((await readAll(await store.get('empty/stream'))).length).toBe(0);
      expect((await store.stat('empty/stream'))?.size).toBe(0);
    });

    it('round-trips a multi-megabyte stream byte for byte', { timeout: 60_000 }, async () => {
      const { stream, digest } = patternedStream(LARGE_STREAM_BYTES);
      await store.put('big/landing.csv', stream);
      const expectedHash = digest();

      const info = await store.stat('big/landing.csv');
      expect(info?.size).toBe(LARGE_STREAM_BYTES);

      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of await store.get('big/landing.csv')) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      expect(size).toBe(LARGE_STREAM_BYTES);
      expect(hash.digest('hex')).toBe(expectedHash);
    });

    it('rejects put from a failing stream and leaves no partial object', { timeout: 60_000 }, async () => {
      await store.put('broken/kept.csv', 'previous');
      // Past one 8 MiB multipart part, so adapters that upload in parts must clean up after themselves.
      await expect(store.put('broken/new.csv', failingStream(9 * 1024 * 1024))).rejects.toThrow();
      await expect(store.put('broken/kept.csv', failingStream(1000))).rejects.toThrow();
      expect(await store.stat('broken/new.csv')).toBeUndefined();
      expect((await readAll(await store.get('broken/kept.csv'))).toString()).toBe('previous');
    });

    it('handles keys with spaces and non-ASCII characters', async () => {
      const key = 'landing/예약 2024.csv';
      await store.put(key, 'id\n1\n');
      expect((await readAll(await store.get(key))).toString()).toBe('id\n1\n');
      expect((await store.stat(key))?.key).toBe(key);
      expect((await collect(store.list('landing/'))).map((o) => o.key)).toEqual([key]);

      await store.copy(key, 'archive/예약 2024 (copy) #1.csv');
      expect((await readAll(await store.get('archive/예약 2024 (copy) #1.csv'))).toString()).toBe('id\n1\n');
      await store.delete(key);
      expect(await store.stat(key)).toBeUndefined();
    });

    it('lists by prefix in lexicographic order with sizes, excluding keys outside the prefix', async () => {
      const objects: Record<string, string> = {
        'landing/b.csv': 'bb',
        'landing/a.csv': 'a',
        'landing/sub/c.csv': 'cccc',
        'landing/d.csv': 'ddd',
        'landing/a-2.csv': 'a2a2a',
        'landingzone/x.csv': 'x',
        'other/y.csv': 'y',
      };
      for (const [key, body] of Object.entries(objects)) await store.put(key, body);

      const listed = await collect(store.list('landing/'));
      expect(listed.map((o) => [o.key, o.size])).toEqual([
        ['landing/a-2.csv', 5],
        ['landing/a.csv', 1],
        ['landing/b.csv', 2],
        ['landing/d.csv', 3],
        ['landing/sub/c.csv', 4],
      ]);
      for (const o of listed) {
        expect(o.modifiedAt).toBeInstanceOf(Date);
        expect(Number.isNaN(o.modifiedAt.getTime())).toBe(false);
      }

      const everything = (await collect(store.list(''))).map((o) => o.key);
      expect(everything).toEqual(Object.keys(objects).sort());
      // A prefix is a string prefix, not a folder: `landing` also matches `landingzone/`.
      expect((await collect(store.list('landing'))).map((o) => o.key)).toContain('landingzone/x.csv');
      expect(await collect(store.list('missing/'))).toEqual([]);
    });

    it('lists and reads nested prefixes', async () => {
      await store.put('a/b/c/d.txt', 'deep');
      await store.put('a/b/e.txt', 'shallow');
      await store.put('a/bz.txt', 'sibling');
      expect((await collect(store.list('a/b/'))).map((o) => o.key)).toEqual(['a/b/c/d.txt', 'a/b/e.txt']);
      expect((await collect(store.list('a/b/c/'))).map((o) => o.key)).toEqual(['a/b/c/d.txt']);
      expect((await collect(store.list('a/b/c/d'))).map((o) => o.key)).toEqual(['a/b/c/d.txt']);
      expect((await readAll(await store.get('a/b/c/d.txt'))).toString()).toBe('deep');
    });

    it('stats existing objects and returns undefined for missing ones', async () => {
      await store.put('stat/here.txt', 'hello');
      const info = await store.stat('stat/here.txt');
      expect(info).toMatchObject({ key: 'stat/here.txt', size: 5 });
      expect(info?.modifiedAt).toBeInstanceOf(Date);
      expect(info?.etag).toEqual(expect.any(String));
      expect(info?.etag.length).toBeGreaterThan(0);
      expect(await store.stat('stat/missing.txt')).toBeUndefined();
      expect(await store.stat('no/such/folder/file.txt')).toBeUndefined();
    });

    it('rejects get of a missing key with NotFoundError', async () => {
      await expect(store.get('missing/file.csv')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('copies content and leaves the source in place', async () => {
      await store.put('copy/source.csv', 'original');
      await store.copy('copy/source.csv', 'copy/nested/target.csv');
      expect((await readAll(await store.get('copy/nested/target.csv'))).toString()).toBe('original');
      expect((await readAll(await store.get('copy/source.csv'))).toString()).toBe('original');
      expect((await store.stat('copy/nested/target.csv'))?.size).toBe(8);
    });

    it('rejects copy of a missing key with NotFoundError', async () => {
      await expect(store.copy('copy/missing.csv', 'copy/target.csv')).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.stat('copy/target.csv')).toBeUndefined();
    });

    it('moves an object to another key, replacing what was there, and rejects moving a missing key', async () => {
      await store.put('move/source.csv', 'moved');
      await store.put('move/nested/target.csv', 'old');
      await store.move('move/source.csv', 'move/nested/target.csv');
      expect((await readAll(await store.get('move/nested/target.csv'))).toString()).toBe('moved');
      expect(await store.stat('move/source.csv')).toBeUndefined();
      await store.move('move/nested/target.csv', 'move/new/dir/again.csv');
      expect((await readAll(await store.get('move/new/dir/again.csv'))).toString()).toBe('moved');
      await expect(store.move('move/missing.csv', 'move/x.csv')).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.stat('move/x.csv')).toBeUndefined();
    });

    it('deletes objects, and deleting a missing key is not an error', async () => {
      await store.put('del/gone.txt', 'x');
      await store.put('del/kept.txt', 'y');
      await store.delete('del/gone.txt');
      expect(await store.stat('del/gone.txt')).toBeUndefined();
      await expect(store.get('del/gone.txt')).rejects.toBeInstanceOf(NotFoundError);
      expect((await collect(store.list('del/'))).map((o) => o.key)).toEqual(['del/kept.txt']);
      await expect(store.delete('del/gone.txt')).resolves.toBeUndefined();
      await expect(store.delete('del/never-existed/at/all.txt')).resolves.toBeUndefined();
    });

    it('overwrites: a second put replaces content, size and etag', async () => {
      await store.put('over/file.csv', 'first version');
      const before = await store.stat('over/file.csv');
      await store.put('over/file.csv', Readable.from([Buffer.from('v2')]));
      const after = await store.stat('over/file.csv');
      expect((await readAll(await store.get('over/file.csv'))).toString()).toBe('v2');
      expect(after?.size).toBe(2);
      expect(after?.etag).not.toBe(before?.etag);
      expect((await collect(store.list('over/'))).map((o) => [o.key, o.size])).toEqual([['over/file.csv', 2]]);
    });

    it('exposes a URL without credentials', () => {
      expect(store.url).toMatch(/^[a-z0-9]+:/);
      expect(store.url).not.toMatch(/@/);
    });
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function collect(items: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * A lazily generated stream whose chunks all differ (so a dropped or reordered part changes the hash), never held
 * in memory at once. `digest()` is valid once the stream has been fully consumed.
 */
function patternedStream(totalBytes: number): { stream: Readable; digest(): string } {
  const hash = createHash('sha256');
  function* chunks(): Generator<Buffer> {
    for (let offset = 0, i = 0; offset < totalBytes; offset += LARGE_CHUNK_BYTES, i++) {
      const chunk = Buffer.alloc(Math.min(LARGE_CHUNK_BYTES, totalBytes - offset), i % 251);
      if (chunk.length >= 4) chunk.writeUInt32BE(i, 0);
      hash.update(chunk);
      yield chunk;
    }
  }
  return { stream: Readable.from(chunks()), digest: () => hash.digest('hex') };
}

/** A stream that delivers `bytesBeforeFailure` bytes and then errors, like a dropped upstream connection. */
function failingStream(bytesBeforeFailure: number): Readable {
  function* chunks(): Generator<Buffer> {
    for (let sent = 0; sent < bytesBeforeFailure; sent += LARGE_CHUNK_BYTES) {
      yield Buffer.alloc(Math.min(LARGE_CHUNK_BYTES, bytesBeforeFailure - sent), 7);
    }
    throw new Error('source stream broke');
  }
  return Readable.from(chunks());
}
