import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms` milliseconds; rejects (AbortError) as soon as `signal` aborts. Injected so tests never sleep. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Sleeps with `node:timers/promises`, stopping early (AbortError) when `signal` aborts. */
export const realSleep: Sleep = (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined);

/** Retry bounds, in milliseconds. */
export interface BackoffBounds {
  readonly initialMs: number;
  readonly maxMs: number;
}

/**
 * Delay before retry number `attempt` (0 for the first retry): exponential growth capped at `maxMs`, with "equal
 * jitter" (half the step fixed, half random), so that many shippers retrying at once spread out while each one
 * still waits longer after every failure. `random` returns values in [0, 1).
 *
 *   step = min(maxMs, initialMs · 2^attempt);   delay = step/2 + random() · step/2
 */
export function backoffDelay(attempt: number, bounds: BackoffBounds, random: () => number): number {
  const step = Math.min(bounds.maxMs, bounds.initialMs * 2 ** Math.min(attempt, 52));
  return Math.round(step / 2 + random() * (step / 2));
}
