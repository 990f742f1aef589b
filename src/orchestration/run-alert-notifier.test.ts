import { afterEach, describe, expect, it } from 'vitest';
import { capturedLogger } from '../../test/support/captured-logger.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhook-receiver.ts';
import { AlertDelivery, LogNotifier, SlackNotifier } from '../monitoring/index.ts';
import { deliveringRunAlerts } from './run-alert-notifier.ts';
import type { RunAlert } from './scheduler-types.ts';

const FAILED: RunAlert = {
  kind: 'run_failed',
  dagId: 'daily',
  runId: '01a2-run',
  runKey: 'cron@2026-06-01T03:00:00.000Z',
  logicalTime: new Date('2026-06-01T03:00:00Z'),
  at: new Date('2026-06-01T03:20:00Z'),
  message: 'run daily cron@2026-06-01T03:00:00.000Z failed: task train-als failed after 3 tries',
};

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('run alerts through the alert notifiers', () => {
  it('sends a failed run to Slack as one message with the run keys, and logs it at warn, without waiting', async () => {
    receiver = await startWebhookReceiver([{ status: 200, body: 'ok' }]);
    const log = capturedLogger('info');
    const slack = new SlackNotifier({ webhookUrl: receiver.url, timeoutSeconds: 5, maxAttempts: 2, dashboardUrl: 'http://127.0.0.1:8080/dashboard' });
    const delivery = new AlertDelivery({ notifiers: [new LogNotifier(log.logger), slack], logger: log.logger });
    await deliveringRunAlerts(delivery).notify(FAILED);
    await delivery.drain();

    expect(receiver.requests).toHaveLength(1);
    const body = receiver.requests[0]!.body as { text: string; blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[] };
    expect(body.text).toBe(`[EVENT] run failed: daily: ${FAILED.message} (pickwise dag-runs show 01a2-run)`);
    expect(body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'run failed: daily' } });
    expect(body.blocks[1]!.fields!.map((f) => f.text)).toEqual([
      '*DAG*\ndaily',
      '*Run key*\ncron@2026-06-01T03:00:00.000Z',
      '*Logical time*\n2026-06-01T03:00:00.000Z',
      '*Run*\n01a2-run',
    ]);
    expect(body.blocks.at(-1)).toMatchObject({ type: 'actions' });
    const [line] = log.lines().filter((l) => l.msg.startsWith('[EVENT]'));
    expect(line).toMatchObject({ level: 40, msg: body.text });
    expect(delivery.counts).toEqual({ delivered: 2, undeliverable: 0 });
  });

  it('names a missed deadline as such, and a Slack that is down loses nothing (logged as undeliverable)', async () => {
    receiver = await startWebhookReceiver([{ status: 500, body: 'down' }]);
    const log = capturedLogger('info');
    const slack = new SlackNotifier({ webhookUrl: receiver.url, timeoutSeconds: 5, maxAttempts: 1 });
    const delivery = new AlertDelivery({ notifiers: [slack], logger: log.logger });
    await deliveringRunAlerts(delivery).notify({ ...FAILED, kind: 'deadline_missed', message: 'run daily is not done 2 h after its logical time' });
    await delivery.drain();
    const [undeliverable] = log.lines().filter((l) => l.level === 50);
    expect(undeliverable?.msg).toMatch(
      /^alert undeliverable through slack \(Slack webhook at 127\.0\.0\.1:\d+ answered 500 "down" after 1 attempts\): \[EVENT\] deadline missed: daily: run daily is not done/,
    );
  });
});
