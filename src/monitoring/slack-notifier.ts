import { IncomingWebhook, type FetchFunction } from '@slack/webhook';
import { BackendUnavailableError } from '../shared/index.ts';
import { slackMessage, type Notification } from './alerts/index.ts';
import type { Notifier } from './notifier.ts';

export interface SlackNotifierOptions {
  /** The incoming-webhook URL: a secret, never put in an error or a log line (only its host is). */
  readonly webhookUrl: string;
  /** Seconds before one request is abandoned. */
  readonly timeoutSeconds: number;
  /** Requests per message on a lost connection, a timeout or a 5xx; and, separately, 429 answers waited out. */
  readonly maxAttempts: number;
  /** The link put in every message. */
  readonly dashboardUrl?: string | undefined;
  /** First delay between retries after a 5xx or a lost connection, in ms (doubles per retry, randomised). */
  readonly retryDelayMs?: number;
  /** Longest `Retry-After` honoured, in ms; a longer one is cut to this (the message is not held for hours). */
  readonly maxRetryAfterMs?: number;
  /** Waits between 429 retries (injected by tests to record the delays Retry-After asked for). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The fetch Slack's client uses (default the global fetch). */
  readonly fetch?: typeof fetch;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (header === null) return 1000;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.max(0, date - now) : 1000;
}

/** What went wrong with a request, in words, without the URL: `connection refused`, `no answer within 10 s`… */
function requestFailure(error: unknown, timeoutSeconds: number): string {
  const original = (error as { original?: unknown }).original ?? error;
  const name = (original as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutSeconds} s`;
  const cause = (original as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (original as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (code !== undefined) return `request failed (${code})`;
  return `request failed (${cause?.message ?? (original as Error).message ?? String(original)})`;
}

/**
 * Sends notifications to a Slack channel through an incoming webhook, with Slack's own client (`@slack/webhook`).
 * The client times each request out and retries lost connections, timeouts and 5xx answers with backoff; it gives up
 * on a 429 at once by design, so this adapter waits out the answer's `Retry-After` itself and tries again. Failures
 * reject with a BackendUnavailableError naming the webhook's host and the cause, never the URL's secret path.
 */
export class SlackNotifier implements Notifier {
  readonly name = 'slack';
  readonly #o: SlackNotifierOptions;
  readonly #host: string;

  constructor(options: SlackNotifierOptions) {
    this.#o = options;
    this.#host = URL.canParse(options.webhookUrl) ? new URL(options.webhookUrl).host : 'an unreadable URL';
  }

  async notify(notification: Notification): Promise<void> {
    const o = this.#o;
    const sleep = o.sleep ?? defaultSleep;
    const baseFetch = o.fetch ?? fetch;
    for (let rateLimited = 0; ;) {
      let retryAfter: string | null = null;
      // Slack's client does not expose response headers: the fetch it calls keeps the one a 429 needs.
      const capture = (async (url, init) => {
        const response = await baseFetch(url, init as RequestInit);
        retryAfter = response.headers.get('retry-after');
        return response;
      }) as FetchFunction;
      const webhook = new IncomingWebhook(o.webhookUrl, {
        timeout: o.timeoutSeconds * 1000,
        retryConfig: { retries: o.maxAttempts - 1, factor: 2, minTimeout: o.retryDelayMs ?? 500, maxTimeout: 30_000, randomize: true },
        fetch: capture,
      });
      try {
        await webhook.send(slackMessage(notification, o.dashboardUrl));
        return;
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 429 && ++rateLimited < o.maxAttempts) {
          await sleep(Math.min(retryAfterMs(retryAfter), o.maxRetryAfterMs ?? 300_000));
          continue;
        }
        const body = String((error as { body?: unknown }).body ?? '').slice(0, 200);
        const cause =
          status === 429
            ? `rate limited (429) ${rateLimited} times`
            : status !== undefined
              ? `answered ${status}${body ? ` ${JSON.stringify(body)}` : ''}${status >= 500 ? ` after ${o.maxAttempts} attempts` : ''}`
              : `${requestFailure(error, o.timeoutSeconds)} (${o.maxAttempts === 1 ? '1 attempt' : `${o.maxAttempts} attempts`})`;
        throw new BackendUnavailableError(`Slack webhook at ${this.#host} ${cause}`, { details: { notifier: 'slack', status: status ?? null } });
      }
    }
  }
}
