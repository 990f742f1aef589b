import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, opendir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { BackendUnavailableError, NotFoundError } from '../shared/index.ts';
import type { ObjectInfo, ObjectStore } from './object-store.ts';

/**
 * A bucket that is a folder on the local disk: the embedded default (`file:.pickwise/bucket`).
 * Writes go to a temporary sibling and are renamed into place, so readers never see partial objects.
 */
export class LocalObjectStore implements ObjectStore {
  readonly url: string;
  readonly #root: string;

  constructor(root: string) {
    this.#root = path.resolve(root);
    this.url = `file:${this.#root}`;
  }

  #path(key: string): string {
    const full = path.resolve(this.#root, key);
    if (full !== this.#root && !full.startsWith(this.#root + path.sep)) {
      throw new NotFoundError(`object key '${key}' escapes the bucket root`);
    }
    return full;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const found: ObjectInfo[] = [];
    await this.#walk(this.#root, '', prefix, found);
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    yield* found;
  }

  async #walk(dir: string, rel: string, prefix: string, out: ObjectInfo[]): Promise<void> {
    let handle;
    try {
      handle = await opendir(dir);
    } catch (error) {
      if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return;
      throw new BackendUnavailableError(`cannot list ${dir}: ${(error as Error).message}`, { cause: error });
    }
    for await (const entry of handle) {
      if (entry.name.startsWith('.pickwise-tmp-')) continue;
      const key = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        // Only descend where the prefix can still match.
        if (prefix.startsWith(key + '/') || key.startsWith(prefix) || prefix === '') {
          await this.#walk(path.join(dir, entry.name), key, prefix, out);
        }
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const info = await this.stat(key);
        if (info) out.push(info);
      }
    }
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const s = await stat(this.#path(key));
      if (!s.isFile()) return undefined;
      return { key, size: s.size, modifiedAt: s.mtime, etag: `${s.size}-${s.mtimeMs}` };
    } catch (error) {
      if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return undefined;
      throw new BackendUnavailableError(`cannot stat ${key}: ${(error as Error).message}`, { cause: error });
    }
  }

  async get(key: string): Promise<Readable> {
    const file = this.#path(key);
    const s = await this.stat(key);
    if (!s) throw new NotFoundError(`object '${key}' not found in ${this.url}`);
    return createReadStream(file, { highWaterMark: 256 << 10 });
  }

  async put(key: string, body: Readable | Uint8Array | string): Promise<void> {
    const file = this.#path(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = path.join(path.dirname(file), `.pickwise-tmp-${randomBytes(6).toString('hex')}`);
    try {
      const source = body instanceof Readable ? body : Readable.from([typeof body === 'string' ? Buffer.from(body) : body]);
      await pipeline(source, createWriteStream(tmp));
      await rename(tmp, file);
    } catch (error) {
      await rm(tmp, { force: true });
      throw new BackendUnavailableError(`cannot write ${key}: ${(error as Error).message}`, { cause: error });
    }
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    const from = this.#path(fromKey);
    const to = this.#path(toKey);
    if (!(await this.stat(fromKey))) throw new NotFoundError(`object '${fromKey}' not found in ${this.url}`);
    await mkdir(path.dirname(to), { recursive: true });
    const tmp = path.join(path.dirname(to), `.pickwise-tmp-${randomBytes(6).toString('hex')}`);
    try {
      await copyFile(from, tmp);
      await rename(tmp, to);
    } catch (error) {
      await rm(tmp, { force: true });
      throw new BackendUnavailableError(`cannot copy ${fromKey} to ${toKey}: ${(error as Error).message}`, { cause: error });
    }
  }

  async move(fromKey: string, toKey: string): Promise<void> {
    const from = this.#path(fromKey);
    const to = this.#path(toKey);
    if (!(await this.stat(fromKey))) throw new NotFoundError(`object '${fromKey}' not found in ${this.url}`);
    try {
      await mkdir(path.dirname(to), { recursive: true });
      await rename(from, to);
    } catch (error) {
      throw new BackendUnavailableError(`cannot move ${fromKey} to ${toKey}: ${(error as Error).message}`, { cause: error });
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true });
  }

  async close(): Promise<void> {}
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
