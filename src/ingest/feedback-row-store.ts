import type { Transaction } from 'kysely';
import type { LandingFeedbackRow } from '../shared/index.ts';
import type { WarehouseDb, WarehouseDialect } from '../warehouse/index.ts';

/** What became of one feedback row handed to a {@link FeedbackRowStore}. */
export type FeedbackRowOutcome =
  | { readonly status: 'stored' }
  /** Its event_id was stored before (an earlier file, the API, or earlier in this file): nothing changes. */
  | { readonly status: 'duplicate' }
  /** Refused (e.g. EVENT_ID_REUSED): the row is quarantined with this code and reason. */
  | { readonly status: 'rejected'; readonly code: string; readonly reason: string };

/**
 * The port through which a `feedback*.csv` file's checked rows are stored, inside the file's transaction (so the
 * events and the ledger entry commit together, or neither). Ingest reads, checks and accounts for the rows; how an
 * event is attributed, flagged and kept idempotent belongs to the feedback stage, which the pipeline injects here
 * (ingest comes before it in the data flow and does not import it).
 */
export interface FeedbackRowStore {
  /** Stores `rows` (one batch, in file order) and says, per row and in the same order, what became of it. */
  store(o: {
    readonly trx: Transaction<WarehouseDb>;
    readonly dialect: WarehouseDialect;
    readonly rows: readonly LandingFeedbackRow[];
    /** When the file is loaded: received time, and the reference for clamping future timestamps. */
    readonly now: Date;
  }): Promise<FeedbackRowOutcome[]>;
}
