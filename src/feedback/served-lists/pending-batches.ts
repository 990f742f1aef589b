import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { ServedListRow } from '../../warehouse/index.ts';
import { decodeServedList, encodeServedList } from './served-list-line.ts';

const SUFFIX = '.jsonl';
const TEMP_PREFIX = '.tmp-';

/**
 * Batches of served lists waiting for the database, one file each under a folder (`<home>/served-lists/`).
 * A batch is written to a temporary name, synced, and renamed, so a file that exists is complete: a crash
 * leaves whole batches or none. Names sort in the order the batches were written.
 */
export class PendingBatches {
  readonly #dir: string;
  #sequence = 0;

  constructor(dir: string) {
    this.#dir = dir;
  }

  get dir(): string {
    return this.#dir;
  }

  /** Creates the folder and removes half-written temporary files a killed process left. */
  async open(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    for (const name of await readdir(this.#dir)) if (name.startsWith(TEMP_PREFIX)) await unlink(path.join(this.#dir, name)).catch(() => undefined);
  }

  /** Writes `rows` as a new batch, durably (file and folder synced); returns its name. */
  write(rows: readonly ServedListRow[]): Promise<string> {
    return this.writeLines(rows.map(encodeServedList));
  }

  /** Writes a new batch of rows already serialised by `encodeServedList`; see `write`. */
  writeLines(lines: readonly string[]): Promise<string> {
    return this.writeBytes(Buffer.from(lines.join('\n') + '\n'));
  }

  /** Writes a new batch from the bytes of its lines (each ending in a newline); see `write`. */
  async writeBytes(bytes: Uint8Array): Promise<string> {
    const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${String(this.#sequence++).padStart(9, '0')}${SUFFIX}`;
    const temp = path.join(this.#dir, TEMP_PREFIX + name);
    const file = await open(temp, 'w');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path.join(this.#dir, name));
    const dir = await open(this.#dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return name;
  }

  /** Names of the batches waiting, oldest first. */
  async names(): Promise<string[]> {
    return (await readdir(this.#dir)).filter((n) => n.endsWith(SUFFIX) && !n.startsWith(TEMP_PREFIX)).sort();
  }

  async read(name: string): Promise<ServedListRow[]> {
    const text = await readFile(path.join(this.#dir, name), 'utf8');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map(decodeServedList);
  }

  /** Deletes a batch that is in the database (one another process deleted first is fine). */
  async remove(name: string): Promise<void> {
    await unlink(path.join(this.#dir, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}
