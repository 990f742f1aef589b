import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { NotFoundError } from '../shared/index.ts';
import type { ObjectInfo, ObjectStore } from './object-store.ts';

/** An in-process bucket (`memory:`), for tests and dry runs. Content is lost when the process ends. */
export class MemoryObjectStore implements ObjectStore {
  readonly url = 'memory:';
  readonly #objects = new Map<string, { data: Buffer; info: ObjectInfo }>();

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const keys = [...this.#objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    for (const k of keys) {
      const entry = this.#objects.get(k);
      if (entry) yield entry.info;
    }
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    return this.#objects.get(key)?.info;
  }

  async get(key: string): Promise<Readable> {
    const entry = this.#objects.get(key);
    if (!entry) throw new NotFoundError(`object '${key}' not found in ${this.url}`);
    return Readable.from([entry.data]);
  }

  async put(key: string, body: Readable | Uint8Array | string): Promise<void> {
    let data: Buffer;
    if (body instanceof Readable) {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
      data = Buffer.concat(chunks);
    } else {
      data = Buffer.from(body);
    }
    const etag = createHash('md5').update(data).digest('hex');
    this.#objects.set(key, { data, info: { key, size: data.length, modifiedAt: new Date(), etag } });
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    const entry = this.#objects.get(fromKey);
    if (!entry) throw new NotFoundError(`object '${fromKey}' not found in ${this.url}`);
    this.#objects.set(toKey, { data: entry.data, info: { ...entry.info, key: toKey, modifiedAt: new Date() } });
  }

  async move(fromKey: string, toKey: string): Promise<void> {
    await this.copy(fromKey, toKey);
    if (fromKey !== toKey) this.#objects.delete(fromKey);
  }

  async delete(key: string): Promise<void> {
    this.#objects.delete(key);
  }

  async close(): Promise<void> {}
}
