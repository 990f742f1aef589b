import type { WarehouseConnection } from '../../warehouse/index.ts';

/** What the commit worker starts with. */
export interface CommitWorkerData {
  readonly connection: WarehouseConnection;
  /** The folder of pending batches. */
  readonly dir: string;
  readonly groupLists: number;
}

export type MainToCommitWorker = { readonly t: 'commit'; readonly id: number } | { readonly t: 'close' };

/** An error as it crosses threads (its class does not). */
export interface SentError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

export type CommitWorkerToMain =
  { readonly t: 'committed'; readonly id: number; readonly written: number; readonly remaining: number; readonly error?: SentError } | { readonly t: 'closed' };
