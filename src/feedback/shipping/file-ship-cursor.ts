import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../../shared/index.ts';
import { checkCursorPosition, type ShipCursor } from './ship-cursor.ts';

/**
 * A {@link ShipCursor} in a small JSON file (`{"feedbackId": N}`), normally `<home>/feedback/<sink>.cursor.json`.
 * Each write goes to a temporary file that is flushed to disk and then renamed over the old one, so a crash or
 * `kill -9` leaves either the old position or the new one, never a torn file.
 */
export class FileShipCursor implements ShipCursor {
  readonly #file: string;

  constructor(options: { file: string }) {
    this.#file = options.file;
  }

  /** Where the position is kept (for log lines and error messages). */
  get file(): string {
    return this.#file;
  }

  async get(): Promise<number> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    let position: unknown;
    try {
      position = (JSON.parse(text) as { feedbackId?: unknown }).feedbackId;
    } catch {
      position = undefined;
    }
    if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) {
      throw new ValidationError(
        `ship cursor file ${this.#file} does not hold {"feedbackId": <non-negative integer>}: delete it to ship everything again ` +
          '(events already delivered are recognised by their id and not duplicated)',
      );
    }
    return position;
  }

  async set(feedbackId: number): Promise<void> {
    checkCursorPosition(feedbackId);
    const dir = path.dirname(this.#file);
    await mkdir(dir, { recursive: true });
    const tmp = `${this.#file}.${process.pid}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify({ feedbackId })}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.#file);
    // The rename itself is durable only once the folder is flushed.
    const folder = await open(dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }
}
