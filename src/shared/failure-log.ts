import type { Logger } from './logger.ts';

/**
 * Logs a recurring check's failure once per distinct cause (not on every poll) and its recovery once, so an
 * outage or a broken model shows as one line when it starts, one when its cause changes and one when it ends.
 */
export class FailureLog {
  readonly #logger: Logger;
  readonly #what: string;
  readonly #level: 'warn' | 'error';
  #failing: string | undefined;
  #key: string | undefined;

  /** `what` names the check in messages, e.g. 'database check'; failures log at `level` (default warn). */
  constructor(logger: Logger, what: string, level: 'warn' | 'error' = 'warn') {
    this.#logger = logger;
    this.#what = what;
    this.#level = level;
  }

  /** The message of the current failure, if the last outcome was one. */
  get failing(): string | undefined {
    return this.#failing;
  }

  /**
   * Records a failure; logs it (with the error and its causes) unless it is the one already logged. Failures
   * are the same when their `key` is (default: the error's message).
   */
  failed(error: unknown, fields: Record<string, unknown> = {}, key?: string): void {
    const message = error instanceof Error ? error.message : String(error);
    const same = (key ?? message) === this.#key;
    this.#failing = message;
    this.#key = key ?? message;
    if (!same) this.#logger[this.#level]({ ...fields, err: error }, `${this.#what} failed`);
  }

  /** Records a success; logs the recovery when the previous outcome was a failure. */
  succeeded(fields: Record<string, unknown> = {}): void {
    if (this.#failing === undefined) return;
    this.#logger.info({ ...fields, previousError: this.#failing }, `${this.#what} succeeded again`);
    this.#failing = undefined;
    this.#key = undefined;
  }
}
