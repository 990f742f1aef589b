import { afterEach, describe, expect, it } from 'vitest';
import { capturedLogger } from '../../test/support/captured-logger.ts';
import { refusedUrl, startWebhookReceiver, type WebhookAnswer, type WebhookReceiver } from '../../test/support/webhook-receiver.ts';
import { AppError } from '../shared/index.ts';
import { AlertDelivery } from './alert-delivery.ts';
import type { AlertNotification } from './alerts/index.ts';
import { LogNotifier } from './log-notifier.ts';
import { runNotifierContract } from './notifier.contract.ts';
import { retryAfterMs, SlackNotifier, type SlackNotifierOptions } from './slack-notifier.ts';

const FIRING: AlertNotification = {
  kind: 'firing',
  rule: 'cancel-rate-high',
  metric: 'cancel_rate',
  scope: 'serving-model',
  subject: 'als v7',
  op: '>',
  threshold: 0.25,
  value: 0.31,
  events: 240,
  window: 86_400,
  since: '2026-06-01T10:00:00.000Z',
  at: '2026-06-01T10:00:00.000Z',
};

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function slackAt(script: WebhookAnswer[], options: Partial<SlackNotifierOptions> = {}) {
  receiver = await startWebhookReceiver(script);
  const slept: number[] = [];
  const notifier = new SlackNotifier({
    webhookUrl: receiver.url,
    timeoutSeconds: 5,
    maxAttempts: 3,
    retryDelayMs: 5,
    dashboardUrl: 'http://127.0.0.1:8080/dashboard',
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...options,
  });
  return { notifier, slept, receiver };
}

/** The rejection of a promise (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('SlackNotifier against a loopback webhook receiver', () => {
  it('posts a Block Kit message with the rule, the numbers, the state and a dashboard link', async () => {
    const { notifier, receiver } = await slackAt([{ status: 200 }]);
    await notifier.notify(FIRING);
    expect(receiver.requests).toHaveLength(1);
    const body = receiver.requests[0]!.body as { text: string; blocks: { type: string }[] };
    expect(receiver.requests[0]!.path).toBe(`/services/T000/B000/${receiver.secret}`);
    expect(body.text).toBe('[FIRING] cancel-rate-high: cancel_rate 31.0 % > 25.0 % (serving-model: als v7; 240 events over 24h)');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context', 'actions']);
    const text = JSON.stringify(body.blocks);
    for (const part of [
      'Firing: cancel-rate-high',
      '*Value*\\n31.0 %',
      '*Threshold*\\n&gt; 25.0 %',
      '*Events*\\n240',
      '*Window*\\n24h',
      'serving-model (als v7)',
      'firing since 2026-06-01 10:00 UTC',
    ]) {
      expect(text).toContain(part);
    }
    expect(body.blocks[3]).toEqual({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the dashboard' }, url: 'http://127.0.0.1:8080/dashboard' }],
    });
  });

  it('waits out Retry-After on a 429, then delivers', async () => {
    const { notifier, slept, receiver } = await slackAt([{ status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' }, { status: 200 }]);
    await notifier.notify(FIRING);
    expect(slept).toEqual([2000]);
    expect(receiver.requests).toHaveLength(2);
  });

  it('caps a long Retry-After, and gives up after maxAttempts 429s naming the cause', async () => {
    const { notifier, slept, receiver } = await slackAt([{ status: 429, headers: { 'retry-after': '86400' } }], { maxRetryAfterMs: 60_000 });
    const error = await rejection(notifier.notify(FIRING));
    expect(error.message).toBe('Slack webhook at ' + new URL(receiver.url).host + ' rate limited (429) 3 times');
    expect(slept).toEqual([60_000, 60_000]);
    expect(receiver.requests).toHaveLength(3);
  });

  it('retries a 500, then delivers', async () => {
    const { notifier, receiver } = await slackAt([{ status: 500 }, { status: 200 }]);
    await notifier.notify(FIRING);
    expect(receiver.requests).toHaveLength(2);
  });

  it('gives up on a 500 that lasts, after maxAttempts requests, without the secret in the error', async () => {
    const { notifier, receiver } = await slackAt([{ status: 503, body: 'down for maintenance' }]);
    const error = await rejection(notifier.notify(FIRING));
    expect(error.message).toMatch(/^Slack webhook at 127\.0\.0\.1:\d+ answered 503 "down for maintenance" after 3 attempts$/);
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(receiver.secret);
    expect(receiver.requests).toHaveLength(3);
  });

  it('does not retry a 4xx other than 429 (a revoked or mistyped webhook)', async () => {
    const { notifier, receiver } = await slackAt([{ status: 404, body: 'no_service' }]);
    expect((await rejection(notifier.notify(FIRING))).message).toMatch(/answered 404 "no_service"$/);
    expect(receiver.requests).toHaveLength(1);
  });

  it('times out a receiver that never answers, retrying, then names the timeout', async () => {
    const { notifier, receiver } = await slackAt(['hang'], { timeoutSeconds: 0.2, maxAttempts: 2 });
    expect((await rejection(notifier.notify(FIRING))).message).toMatch(/^Slack webhook at 127\.0\.0\.1:\d+ no answer within 0\.2 s \(2 attempts\)$/);
    expect(receiver.requests).toHaveLength(2);
  });

  it('names a refused connection', async () => {
    const notifier = new SlackNotifier({ webhookUrl: await refusedUrl(), timeoutSeconds: 2, maxAttempts: 2, retryDelayMs: 5 });
    const error = await rejection(notifier.notify(FIRING));
    expect(error.message).toMatch(/^Slack webhook at 127\.0\.0\.1:\d+ connection refused \(2 attempts\)$/);
    expect(error.message).not.toContain('xoxsecretpathtoken');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-06-01T10:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Mon, 01 Jun 2026 10:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs(null, now)).toBe(1000);
    expect(retryAfterMs('soon', now)).toBe(1000);
  });
});

describe('AlertDelivery', () => {
  it('returns at once while Slack hangs, then logs the alert as undeliverable with its content', async () => {
    const { notifier, receiver } = await slackAt(['hang'], { timeoutSeconds: 0.2, maxAttempts: 1 });
    const log = capturedLogger('info');
    const delivery = new AlertDelivery({ notifiers: [new LogNotifier(log.logger), notifier], logger: log.logger });
    delivery.enqueue(FIRING);
    expect(delivery.pending + (receiver.requests.length === 0 ? 1 : 0)).toBeGreaterThan(0);
    await delivery.drain();
    expect(delivery.counts).toEqual({ delivered: 1, undeliverable: 1 });
    const lines = log.lines();
    expect(lines[0]).toMatchObject({ level: 40, msg: expect.stringContaining('[FIRING] cancel-rate-high'), alert: FIRING });
    expect(lines[1]).toMatchObject({ level: 50, notifier: 'slack', reason: expect.stringContaining('no answer within 0.2 s'), alert: FIRING });
    expect(lines[1]!.msg).toContain('alert undeliverable through slack');
    expect(log.text()).not.toContain(receiver.secret);
  });

  it('logs what does not fit in a full queue instead of holding it without bound', async () => {
    const log = capturedLogger('info');
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = { name: 'slow', notify: () => gate };
    const delivery = new AlertDelivery({ notifiers: [slow], logger: log.logger, capacity: 2 });
    for (let i = 0; i < 4; i++) delivery.enqueue({ ...FIRING, rule: `r${i}` });
    // r0 is being sent, r1 and r2 wait, r3 found the queue full.
    expect(delivery.pending).toBe(2);
    release();
    await delivery.drain();
    expect(delivery.counts).toEqual({ delivered: 3, undeliverable: 1 });
    expect(log.lines()).toEqual([expect.objectContaining({ level: 50, reason: 'queue full', alert: { ...FIRING, rule: 'r3' } })]);
  });
});

runNotifierContract('SlackNotifier', async () => {
  const ok = await startWebhookReceiver([{ status: 200 }]);
  const failing = new SlackNotifier({ webhookUrl: await refusedUrl(), timeoutSeconds: 2, maxAttempts: 1 });
  return {
    notifier: new SlackNotifier({ webhookUrl: ok.url, timeoutSeconds: 5, maxAttempts: 1 }),
    failing,
    delivered: async () => ok.requests.map((r) => JSON.stringify(r.body)),
    cleanup: () => ok.close(),
  };
});

runNotifierContract('LogNotifier', async () => {
  const log = capturedLogger('info');
  return { notifier: new LogNotifier(log.logger), delivered: async () => log.lines().map((l) => JSON.stringify(l)), cleanup: async () => {} };
});
