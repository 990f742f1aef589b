/** Bytes a buffer starts with; it doubles when a batch needs more. */
const INITIAL_BYTES = 1 << 20;

/**
 * Text lines collected as UTF-8 bytes, each ending in a newline: the batch file, written as it fills. Lines leave
 * the heap as soon as they are appended, so a long-lived buffer of thousands of strings never reaches the old
 * generation of the garbage collector.
 */
export class LineBuffer {
  #bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  #used = 0;
  #lines = 0;

  /** Lines appended since the last `take`. */
  get lines(): number {
    return this.#lines;
  }

  /** Appends `line` (which must hold no newline) and a newline. */
  append(line: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    const most = line.length * 3 + 1;
    if (this.#used + most > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.#used + most));
      this.#bytes.copy(grown, 0, 0, this.#used);
      this.#bytes = grown;
    }
    this.#used += this.#bytes.write(line, this.#used, 'utf8');
    this.#bytes[this.#used++] = 0x0a;
    this.#lines++;
  }

  /** The bytes and count of the lines appended so far; the buffer starts over empty. */
  take(): { bytes: Buffer; lines: number } {
    const taken = { bytes: this.#bytes.subarray(0, this.#used), lines: this.#lines };
    this.#bytes = Buffer.allocUnsafe(Math.max(INITIAL_BYTES, this.#used));
    this.#used = 0;
    this.#lines = 0;
    return taken;
  }
}
