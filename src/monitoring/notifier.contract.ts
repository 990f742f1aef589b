import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../shared/index.ts';
import type { AlertNotification } from './alerts/index.ts';
import type { Notifier } from './notifier.ts';

/**
 * What a contract run needs from an adapter's test: a notifier whose way out works (`delivered` returns what it
 * received, as text), and one whose way out is broken (`failing`; none for the log, the last resort, which has no
 * failure it could report).
 */
export type NotifierFactory = () => Promise<{ notifier: Notifier; failing?: Notifier; delivered(): Promise<string[]>; cleanup(): Promise<void> }>;

const kinds: AlertNotification['kind'][] = ['firing', 'resolved', 'test'];
const notification = (kind: AlertNotification['kind']): AlertNotification => ({
  kind,
  rule: 'contract-rule',
  metric: 'cancel_rate',
  scope: 'model:shop',
  subject: 'shop v3',
  op: '>',
  threshold: 0.25,
  value: 0.4,
  events: 120,
  window: 3600,
  since: '2026-06-01T10:00:00.000Z',
  at: '2026-06-01T10:05:00.000Z',
});

/** The one behavioural suite every {@link Notifier} adapter passes. */
export function runNotifierContract(name: string, factory: NotifierFactory): void {
  describe(`Notifier contract: ${name}`, () => {
    let made: Awaited<ReturnType<NotifierFactory>>;
    beforeEach(async () => {
      made = await factory();
    });
    afterEach(async () => {
      await made.cleanup();
    });

    it('delivers every kind of notification with the rule, the value, the threshold and the scope, resolving once delivered', async () => {
      for (const kind of kinds) await made.notifier.notify(notification(kind));
      const delivered = await made.delivered();
      expect(delivered).toHaveLength(kinds.length);
      for (const text of delivered.slice(0, 2)) {
        for (const part of ['contract-rule', 'cancel_rate', '40.0 %', '25.0 %', 'model:shop', 'shop v3', '120']) expect(text).toContain(part);
      }
      expect(delivered[2]).toContain('contract-rule');
    });

    it('rejects with an AppError when it cannot deliver (never resolves silently)', async () => {
      if (made.failing === undefined) return;
      const error = await made.failing.notify(notification('firing')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AppError);
    });
  });
}
