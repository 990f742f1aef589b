import type { ServedListRow } from '../../warehouse/index.ts';
import type { PendingBatches } from './pending-batches.ts';

/** Where recorded lists go: the warehouse (FeedbackRepo), or a fake in tests. */
export interface ServedListWriter {
  insertServedLists(rows: readonly ServedListRow[]): Promise<void>;
}

/** What one commit of the waiting batches did. */
export interface CommitReport {
  /** Lists committed to the database. */
  readonly written: number;
  /** Batch files still waiting afterwards. */
  readonly remaining: number;
  /** Why it stopped early (the database is away); the batches not committed stay on disk. */
  readonly error?: Error;
}

/** Commits the batches waiting on disk to the database: in this thread, or in a worker with its own connection. */
export interface BatchCommitter {
  /** Commits every batch waiting now, oldest first. Never rejects: a failure is in the report. */
  commit(): Promise<CommitReport>;
  /** Lets go of what it holds (a worker, a connection); commits nothing more. */
  close(): Promise<void>;
}

/**
 * Commits the batches in `batches`, oldest first, in groups of about `groupLists` lists: one transaction per group,
 * then its files are deleted. Writes are idempotent by recommendation_id, so a group committed by a process that died
 * before deleting its files is committed again harmlessly.
 */
export async function commitPendingBatches(batches: PendingBatches, writer: ServedListWriter, groupLists: number): Promise<CommitReport> {
  let written = 0;
  try {
    const names = await batches.names();
    for (let i = 0; i < names.length;) {
      const group: string[] = [];
      const rows: ServedListRow[] = [];
      for (; i < names.length && (group.length === 0 || rows.length < groupLists); i++) {
        group.push(names[i]!);
        rows.push(...(await batches.read(names[i]!)));
      }
      await writer.insertServedLists(rows);
      for (const name of group) await batches.remove(name);
      written += rows.length;
    }
    return { written, remaining: (await batches.names()).length };
  } catch (error) {
    const remaining = await batches.names().then(
      (n) => n.length,
      () => -1,
    );
    return { written, remaining, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** Commits in the calling thread through `writer` (tests, and databases a second thread cannot open: SQLite in memory). */
export class InThreadCommitter implements BatchCommitter {
  readonly #batches: PendingBatches;
  readonly #writer: ServedListWriter;
  readonly #groupLists: number;

  constructor(batches: PendingBatches, writer: ServedListWriter, groupLists: number) {
    this.#batches = batches;
    this.#writer = writer;
    this.#groupLists = groupLists;
  }

  commit(): Promise<CommitReport> {
    return commitPendingBatches(this.#batches, this.#writer, this.#groupLists);
  }

  async close(): Promise<void> {}
}
