import type { Logger } from '../shared/io.ts';
import { describeNotification, type Notification } from './alerts/index.ts';
import type { Notifier } from './notifier.ts';

export interface AlertDeliveryOptions {
  readonly notifiers: readonly Notifier[];
  readonly logger: Logger;
  /** Notifications waiting at most; more (every notifier down for long) are logged as undeliverable at once. */
  readonly capacity?: number;
}

/**
 * Delivers notifications in the background so that the evaluator (inside `serve` or the pipeline) never waits on
 * Slack. `enqueue` returns at once; one worker sends each notification to every notifier in turn (each retries on
 * its own). A notification a notifier could not deliver, or one that found the queue full, is logged at error level
 * with its whole content ("alert undeliverable"): it is never dropped silently.
 */
export class AlertDelivery {
  readonly #notifiers: readonly Notifier[];
  readonly #logger: Logger;
  readonly #capacity: number;
  readonly #queue: Notification[] = [];
  #worker: Promise<void> | undefined;
  #delivered = 0;
  #undeliverable = 0;

  constructor(options: AlertDeliveryOptions) {
    this.#notifiers = options.notifiers;
    this.#logger = options.logger;
    this.#capacity = options.capacity ?? 1000;
  }

  /** Queues a notification and returns at once. */
  enqueue(notification: Notification): void {
    if (this.#queue.length >= this.#capacity) {
      this.#undeliverable++;
      this.#logger.error(
        { alert: notification, reason: 'queue full', capacity: this.#capacity },
        `alert undeliverable (queue full): ${describeNotification(notification)}`,
      );
      return;
    }
    this.#queue.push(notification);
    this.#worker ??= this.#run().finally(() => (this.#worker = undefined));
  }

  /** Notifications waiting (not counting the one being sent). */
  get pending(): number {
    return this.#queue.length;
  }

  /** Deliveries that succeeded and that were given up (per notifier), since start. */
  get counts(): { delivered: number; undeliverable: number } {
    return { delivered: this.#delivered, undeliverable: this.#undeliverable };
  }

  /** Resolves once every queued notification has been delivered or logged as undeliverable (on stop, and in tests). */
  async drain(): Promise<void> {
    while (this.#worker !== undefined) await this.#worker;
  }

  async #run(): Promise<void> {
    for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
      for (const notifier of this.#notifiers) {
        try {
          await notifier.notify(next);
          this.#delivered++;
        } catch (error) {
          this.#undeliverable++;
          const reason = error instanceof Error ? error.message : String(error);
          this.#logger.error(
            { alert: next, notifier: notifier.name, reason },
            `alert undeliverable through ${notifier.name} (${reason}): ${describeNotification(next)}`,
          );
        }
      }
    }
  }
}
