import type { Logger } from '../shared/io.ts';
import { describeNotification, type Notification } from './alerts/index.ts';
import type { Notifier } from './notifier.ts';

/** Writes each notification as one log line (warn when firing, info otherwise): always on, and the dry-run twin of Slack. */
export class LogNotifier implements Notifier {
  readonly name = 'log';
  readonly #logger: Logger;
  constructor(logger: Logger) {
    this.#logger = logger;
  }

  async notify(notification: Notification): Promise<void> {
    const level = notification.kind === 'firing' || notification.kind === 'event' ? 'warn' : 'info';
    this.#logger[level]({ alert: notification }, describeNotification(notification));
  }
}
