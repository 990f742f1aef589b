/**
 * Rows collected into statements of one fixed size: every full statement has the same SQL text, so a
 * backend that caches prepared statements prepares it once per load instead of once per odd-sized batch.
 * Callers fill `params` at `rows * width` and bump `rows`; `flush()` sends what is there.
 */
export class BulkBuffer {
  params: unknown[];
  rows = 0;

  constructor(
    readonly width: number,
    readonly capacity: number,
    private readonly send: (rows: number, params: unknown[]) => Promise<unknown>,
  ) {
    this.params = new Array<unknown>(capacity * width);
  }

  get full(): boolean {
    return this.rows === this.capacity;
  }

  /** Appends one row's values, sending a statement when the buffer is full. */
  async append(values: readonly unknown[]): Promise<void> {
    const offset = this.rows * this.width;
    for (let i = 0; i < this.width; i++) this.params[offset + i] = values[i];
    this.rows++;
    if (this.full) await this.flush();
  }

  /** Sends the rows collected so far (a fresh array takes their place: the sent one may still be in use). */
  async flush(): Promise<void> {
    if (this.rows === 0) return;
    const rows = this.rows;
    const params = rows === this.capacity ? this.params : this.params.slice(0, rows * this.width);
    this.params = new Array<unknown>(this.capacity * this.width);
    this.rows = 0;
    await this.send(rows, params);
  }
}
