import type { AlertRule } from '../config/index.ts';
import type { Clock } from '../shared/index.ts';
import type { ReadingResult } from './alerts/index.ts';
import type { MetricSource } from './metric-source.ts';

/** Upper bounds (ms) of the latency buckets: 0.25 ms growing by 25 % a bucket to ~60 s (57 buckets). */
const BOUNDS: readonly number[] = Array.from({ length: 57 }, (_, i) => 0.25 * 1.25 ** i);

interface MinuteBucket {
  minute: number;
  responses: number;
  errors: number;
  loadFailures: number;
  swaps: number;
  latency: Uint32Array;
}

/** What `pickwise serve` answered over a window: the dashboard's latency part. Times in ms; null without responses. */
export interface LatencySummary {
  readonly windowMinutes: number;
  readonly responses: number;
  /** Responses per second over the window. */
  readonly ratePerSecond: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  /** 5xx answers. */
  readonly errors: number;
  readonly errorRate: number | null;
  readonly modelSwaps: number;
  readonly failedLoads: number;
}

/**
 * What `pickwise serve` measures for alert rules, kept per minute for the last `retentionMinutes` (bounded memory:
 * one small histogram a minute): responses, 5xx answers, latency and failed model loads. A rule's window is read
 * from whole minutes (the current one included), up to the retention. The p99 is the upper bound of the bucket it
 * falls in (at most 25 % above the true value).
 */
export class ServingSignals implements MetricSource {
  readonly #clock: Clock;
  readonly #retention: number;
  readonly #buckets: MinuteBucket[] = [];

  constructor(o: { clock: Clock; retentionMinutes?: number }) {
    this.#clock = o.clock;
    this.#retention = o.retentionMinutes ?? 24 * 60;
  }

  #bucket(): MinuteBucket {
    const minute = Math.floor(this.#clock().getTime() / 60_000);
    const last = this.#buckets.at(-1);
    if (last !== undefined && last.minute === minute) return last;
    const bucket = { minute, responses: 0, errors: 0, loadFailures: 0, swaps: 0, latency: new Uint32Array(BOUNDS.length + 1) };
    this.#buckets.push(bucket);
    while (this.#buckets.length > 0 && this.#buckets[0]!.minute <= minute - this.#retention) this.#buckets.shift();
    return bucket;
  }

  /** One HTTP response: its status and how long it took, in ms. */
  response(status: number, ms: number): void {
    const b = this.#bucket();
    b.responses++;
    if (status >= 500) b.errors++;
    let i = 0;
    while (i < BOUNDS.length && ms > BOUNDS[i]!) i++;
    b.latency[i]!++;
  }

  /** A model the registry named could not be loaded (the previous one is still served). */
  modelLoadFailed(): void {
    this.#bucket().loadFailures++;
  }

  /** A model was installed (the first one, or a swap to another). */
  modelSwapped(): void {
    this.#bucket().swaps++;
  }

  /** Responses, percentiles (bucket upper bounds), errors, swaps and failed loads of the last `windowMinutes` whole minutes. */
  summary(windowMinutes: number): LatencySummary {
    const now = this.#clock();
    const buckets = this.#window(windowMinutes, now);
    const responses = buckets.reduce((n, b) => n + b.responses, 0);
    const errors = buckets.reduce((n, b) => n + b.errors, 0);
    return {
      windowMinutes,
      responses,
      ratePerSecond: responses / (windowMinutes * 60),
      p50Ms: percentile(buckets, responses, 0.5),
      p95Ms: percentile(buckets, responses, 0.95),
      p99Ms: percentile(buckets, responses, 0.99),
      errors,
      errorRate: responses === 0 ? null : errors / responses,
      modelSwaps: buckets.reduce((n, b) => n + b.swaps, 0),
      failedLoads: buckets.reduce((n, b) => n + b.loadFailures, 0),
    };
  }

  #window(minutes: number, now: Date): MinuteBucket[] {
    const from = Math.floor(now.getTime() / 60_000) - minutes + 1;
    return this.#buckets.filter((b) => b.minute >= from);
  }

  async read(rule: AlertRule, now: Date): Promise<ReadingResult> {
    const buckets = this.#window(Math.ceil(rule.window / 60), now);
    const responses = buckets.reduce((n, b) => n + b.responses, 0);
    switch (rule.metric) {
      case 'api_error_rate':
        return { ok: true, reading: { value: responses === 0 ? null : buckets.reduce((n, b) => n + b.errors, 0) / responses, events: responses } };
      case 'api_p99_ms':
        return { ok: true, reading: { value: percentile(buckets, responses, 0.99), events: responses } };
      case 'model_load_failed': {
        const failures = buckets.reduce((n, b) => n + b.loadFailures, 0);
        return { ok: true, reading: { value: failures, events: failures } };
      }
      default:
        return { ok: false, reason: `${rule.metric} is not measured by pickwise serve` };
    }
  }
}

/** The upper bound of the latency bucket the `q` quantile falls in (Infinity past the last bound); null without responses. */
function percentile(buckets: readonly MinuteBucket[], responses: number, q: number): number | null {
  if (responses === 0) return null;
  const rank = Math.ceil(responses * q);
  let seen = 0;
  for (let i = 0; i <= BOUNDS.length; i++) {
    seen += buckets.reduce((n, b) => n + b.latency[i]!, 0);
    if (seen >= rank) return BOUNDS[i] ?? Number.POSITIVE_INFINITY;
  }
  return null;
}
