import { FailureLog, type Logger } from '../../shared/io.ts';
import type { ServedListRow, WarehouseConnection } from '../../warehouse/index.ts';
import { InThreadCommitter, type BatchCommitter, type ServedListWriter } from './batch-committer.ts';
import { LineBuffer } from './line-buffer.ts';
import { PendingBatches } from './pending-batches.ts';
import { encodeServedList } from './served-list-line.ts';
import { WorkerCommitter } from './worker-committer.ts';

/** Counts for /metrics; each callback gets how many lists. */
export interface RecorderObserver {
  /** Taken into the buffer. */
  recorded?(n: number): void;
  /** Committed to the database. */
  written?(n: number): void;
  /** Lost: the buffer was full, or a batch could not be written to disk either. */
  dropped?(n: number): void;
  /** Lists waiting on disk for the database, after each change. */
  pending?(n: number): void;
}

/** Starts a repeating timer; returns its stop. Injected so tests decide when the group commit happens. */
export type Every = (ms: number, run: () => void) => () => void;

const realEvery: Every = (ms, run) => {
  const timer = setInterval(run, ms);
  timer.unref();
  return () => clearInterval(timer);
};

export interface ServedListRecorderOptions {
  /** Where the lists go: the warehouse (FeedbackRepo), or a fake in tests. */
  readonly writer: ServedListWriter;
  /**
   * The writer's warehouse. Given, the group commits run in a worker thread on its own connection to it, so the
   * thread that serves never waits on the database (SQLite's statements are synchronous); without it (or for SQLite
   * in memory, which a second connection cannot open) they run in this thread through `writer`.
   */
  readonly connection?: WarehouseConnection | undefined;
  /** Folder for batches waiting for the database (`<home>/served-lists`). */
  readonly dir: string;
  /** Group commit interval (ms): the most a kill -9 can lose. */
  readonly flushMs: number;
  /** Lists that trigger a group commit before the interval has passed. */
  readonly flushLists: number;
  /** Lists held in memory at most; more are dropped and counted. */
  readonly maxBufferedLists: number;
  readonly logger: Logger;
  readonly observer?: RecorderObserver;
  readonly every?: Every;
}

/**
 * Records the lists the API serves without slowing it: `record` only appends to a bounded in-memory buffer. Every
 * `flushMs` (or `flushLists` lists) the buffer becomes one batch file on disk (synced), and the batches on disk are
 * committed to the database in order, one transaction per group, then deleted. While the database is away the
 * batches stay on disk and are committed when it is back (also by the next process on the same home); `stop()`
 * writes what is buffered first. So an outage or a SIGTERM loses nothing, and a kill -9 loses at most the lists
 * recorded since the last group commit: at most `flushMs` of them. Writes are idempotent by recommendation_id, so
 * a batch committed but not yet deleted when the process died is committed again harmlessly.
 */
export class ServedListRecorder {
  readonly #o: ServedListRecorderOptions;
  readonly #batches: PendingBatches;
  readonly #committer: BatchCommitter;
  readonly #failures: FailureLog;
  /** The lists taken since the last group commit, as the bytes of a batch file (serialised as they come, so no
   * commit serialises hundreds at once on the serving thread; bytes rather than strings, which would live long
   * enough to be promoted and traced by the garbage collector), and their ids. */
  #buffer = new LineBuffer();
  #bufferedIds = new Set<string>();
  #journal: Promise<void> = Promise.resolve();
  #draining: Promise<void> | undefined;
  #drainAgain = false;
  #stopTimer: (() => void) | undefined;
  #pendingLists = 0;

  constructor(o: ServedListRecorderOptions) {
    this.#o = o;
    this.#batches = new PendingBatches(o.dir);
    this.#committer =
      o.connection !== undefined && !isMemoryDatabase(o.connection.url)
        ? new WorkerCommitter({ connection: o.connection, dir: o.dir, groupLists: o.flushLists })
        : new InThreadCommitter(this.#batches, o.writer, o.flushLists);
    this.#failures = new FailureLog(o.logger, 'writing served lists to the database');
  }

  /** Prepares the folder, commits what earlier processes left there, and starts the group commit timer. */
  async start(): Promise<void> {
    await this.#batches.open();
    this.#stopTimer = (this.#o.every ?? realEvery)(this.#o.flushMs, () => void this.flush());
    await this.flush();
  }

  /** Takes a served list; false when the buffer is full (the list is dropped and counted). Never waits. */
  record(row: ServedListRow): boolean {
    if (this.#buffer.lines >= this.#o.maxBufferedLists) {
      this.#o.observer?.dropped?.(1);
      return false;
    }
    this.#buffer.append(encodeServedList(row));
    this.#bufferedIds.add(row.recommendationId);
    this.#o.observer?.recorded?.(1);
    // Once per filling (not once per list past the mark): a slow disk must not queue a commit per list.
    if (this.#buffer.lines === this.#o.flushLists) void this.flush();
    return true;
  }

  /** Lists in the buffer now. */
  get buffered(): number {
    return this.#buffer.lines;
  }

  /**
   * Group commit now: the buffer to disk, then everything on disk to the database. Resolves when done, also when
   * the database is away (the batches then stay on disk, and the failure is logged once).
   */
  async flush(): Promise<void> {
    await this.#toDisk();
    await this.#drain();
  }

  /** Commits now when any of `recommendationIds` is still waiting (so feedback on it finds its list). */
  async writeIfPending(recommendationIds: readonly string[]): Promise<void> {
    if (recommendationIds.length === 0) return;
    if (this.#pendingLists > 0 || recommendationIds.some((id) => this.#bufferedIds.has(id))) await this.flush();
  }

  /** Stops the timer and commits what is buffered (to the database, or to disk while it is away). */
  async stop(): Promise<void> {
    this.#stopTimer?.();
    this.#stopTimer = undefined;
    await this.flush();
    await this.#committer.close();
  }

  #toDisk(): Promise<void> {
    this.#journal = this.#journal.then(async () => {
      if (this.#buffer.lines === 0) return;
      const { bytes, lines } = this.#buffer.take();
      this.#bufferedIds = new Set();
      try {
        await this.#batches.writeBytes(bytes);
        this.#setPending(this.#pendingLists + lines);
      } catch (error) {
        this.#o.observer?.dropped?.(lines);
        this.#o.logger.error({ err: error, lists: lines, dir: this.#batches.dir }, 'served lists could not be written to disk: dropped');
      }
    });
    return this.#journal;
  }

  #drain(): Promise<void> {
    if (this.#draining !== undefined) {
      this.#drainAgain = true;
      return this.#draining;
    }
    this.#draining = (async () => {
      do {
        this.#drainAgain = false;
        await this.#drainOnce();
      } while (this.#drainAgain && this.#failures.failing === undefined);
    })().finally(() => (this.#draining = undefined));
    return this.#draining;
  }

  async #drainOnce(): Promise<void> {
    const report = await this.#committer.commit();
    if (report.written > 0) this.#o.observer?.written?.(report.written);
    this.#setPending(report.remaining === 0 ? 0 : Math.max(0, this.#pendingLists - report.written));
    if (report.error) this.#failures.failed(report.error, { dir: this.#batches.dir });
    else this.#failures.succeeded();
  }

  #setPending(n: number): void {
    this.#pendingLists = n;
    this.#o.observer?.pending?.(n);
  }
}

/** `sqlite::memory:`: a database only its own connection sees. */
function isMemoryDatabase(url: string): boolean {
  return /^sqlite:(\/\/)?:memory:$/.test(url);
}
