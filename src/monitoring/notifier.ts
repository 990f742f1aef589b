import type { Notification } from './alerts/index.ts';

/**
 * Where notifications go. `notify` resolves once the message is delivered and rejects (with an AppError naming the
 * cause, never a secret) when it cannot be, after the adapter's own retries. Callers never await it on a path that
 * must not block: {@link AlertDelivery} runs notifiers in the background.
 */
export interface Notifier {
  /** For logs and `pickwise alerts test`: `log`, `slack`. */
  readonly name: string;
  notify(notification: Notification): Promise<void>;
}
