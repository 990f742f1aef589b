import { BusyError, ConfigError, ConflictError, FileRejectedError, NotFoundError, UnsupportedUrlError, ValidationError } from '../shared/index.ts';

/** Errors a new try would hit again: the input, the configuration or the DAG must change first. */
const PERMANENT = [ValidationError, ConfigError, NotFoundError, ConflictError, FileRejectedError, UnsupportedUrlError];

/**
 * Whether a failed try may be retried. Not when the error says the input, the configuration or the DAG is wrong
 * (a validation or job-parameter error, a bad config or URL, something missing, a conflict, a rejected file);
 * everything else is (a backend down, another run holding the warehouse busy, a timeout, a crash, an error nobody
 * classified).
 */
export function isRetryable(error: unknown): boolean {
  // Busy is a conflict of the moment (another ingest holds the warehouse's run lock): the next try finds it free.
  if (error instanceof BusyError) return true;
  return !PERMANENT.some((kind) => error instanceof kind);
}
