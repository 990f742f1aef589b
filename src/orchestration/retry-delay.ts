import type { Rng } from '../shared/index.ts';
import type { RetryPolicy } from './ports.ts';

/**
 * Seconds to wait before the try after `failedTry` (counted from 1): exponential backoff
 * `min(maxDelay, delay · factor^(failedTry − 1))`, plus a random share `jitter · u · base` (u uniform in [0, 1)) so
 * retries of many tasks failing together spread out. Pure: the randomness is the injected `rng`.
 */
export function retryDelaySeconds(policy: RetryPolicy, failedTry: number, rng: Rng): number {
  const exponent = Math.max(0, failedTry - 1);
  const base = Math.min(policy.maxDelay, policy.delay * policy.factor ** exponent);
  return base + policy.jitter * rng.next() * base;
}
