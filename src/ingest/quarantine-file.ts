import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { csvLine } from '../shared/index.ts';
import type { ObjectStore } from '../storage/index.ts';

/**
 * The rejects of one landing file: `line,code,reason` followed by the row exactly as uploaded (under the
 * file's own header). Spooled to a local temporary file while the load streams, then uploaded to the
 * bucket before the load commits, so a committed load always has its quarantine file.
 */
export class QuarantineFile {
  #dir: string | undefined;
  #out: WriteStream | undefined;
  #header: readonly string[] = [];
  #count = 0;
  readonly #byCode = new Map<string, number>();

  /** The file's own header, repeated in the rejects file after `line,code,reason`. */
  setHeader(header: readonly string[]): void {
    this.#header = header;
  }

  get count(): number {
    return this.#count;
  }

  /** Reject counts by code. */
  byCode(): Record<string, number> {
    return Object.fromEntries([...this.#byCode.entries()].sort());
  }

  async add(line: number, code: string, reason: string, fields: readonly string[]): Promise<void> {
    if (this.#out === undefined) {
      this.#dir = await mkdtemp(path.join(tmpdir(), 'pickwise-quarantine-'));
      this.#out = createWriteStream(path.join(this.#dir, 'rejects.csv'));
      this.#out.write(csvLine(['line', 'code', 'reason', ...this.#header]) + '\n');
    }
    this.#count++;
    this.#byCode.set(code, (this.#byCode.get(code) ?? 0) + 1);
    if (!this.#out.write(csvLine([line, code, reason, ...fields]) + '\n')) {
      await new Promise<void>((resolve) => this.#out!.once('drain', resolve));
    }
  }

  /** Uploads the rejects (if any) to `key`. Returns whether a file was written. */
  async upload(store: ObjectStore, key: string): Promise<boolean> {
    if (this.#out === undefined || this.#dir === undefined) return false;
    const out = this.#out;
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    await store.put(key, createReadStream(path.join(this.#dir, 'rejects.csv')));
    return true;
  }

  async dispose(): Promise<void> {
    this.#out?.destroy();
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
  }
}
