import { describe, expect, it } from 'vitest';
import type { AlertRule } from '../config/index.ts';
import { ServingSignals } from './serving-signals.ts';

const rule = (metric: AlertRule['metric'], window = 300): AlertRule => ({
  name: 'r',
  metric,
  scope: 'all',
  op: '>',
  threshold: 0,
  window,
  minEvents: 0,
  for: 0,
  cooldown: 0,
  enabled: true,
});

describe('ServingSignals', () => {
  it('measures error rate, p99 and failed loads over whole minutes of the window, and forgets what is older', async () => {
    let now = Date.parse('2026-06-01T10:00:30Z');
    const signals = new ServingSignals({ clock: () => new Date(now), retentionMinutes: 10 });
    for (let i = 0; i < 98; i++) signals.response(200, 2);
    signals.response(500, 2);
    signals.response(200, 400);
    signals.modelLoadFailed();
    const at = () => new Date(now);
    expect(await signals.read(rule('api_error_rate'), at())).toEqual({ ok: true, reading: { value: 0.01, events: 100 } });
    const p99 = await signals.read(rule('api_p99_ms'), at());
    // 99 of 100 responses took 2 ms: the p99 is the bound of 2 ms's bucket (within 25 % above).
    expect((p99 as { reading: { value: number } }).reading.value).toBeGreaterThanOrEqual(2);
    expect((p99 as { reading: { value: number } }).reading.value).toBeLessThan(2.5);
    expect(await signals.read(rule('model_load_failed'), at())).toEqual({ ok: true, reading: { value: 1, events: 1 } });

    now += 6 * 60_000;
    signals.response(200, 1);
    expect(await signals.read(rule('api_error_rate'), at())).toEqual({ ok: true, reading: { value: 0, events: 1 } });
    expect(await signals.read(rule('api_error_rate', 3600), at())).toEqual({ ok: true, reading: { value: 1 / 101, events: 101 } });
    now += 10 * 60_000;
    signals.response(200, 1);
    expect(await signals.read(rule('api_error_rate', 3600), at())).toEqual({ ok: true, reading: { value: 0, events: 1 } });
    expect(await signals.read(rule('api_p99_ms', 60), new Date(now + 120_000))).toEqual({ ok: true, reading: { value: null, events: 0 } });
  });

  it('summarises a window for the dashboard: rate, percentiles, errors, swaps and failed loads', () => {
    let now = Date.parse('2026-06-01T10:00:30Z');
    const signals = new ServingSignals({ clock: () => new Date(now) });
    expect(signals.summary(60)).toEqual({
      windowMinutes: 60,
      responses: 0,
      ratePerSecond: 0,
      p50Ms: null,
      p95Ms: null,
      p99Ms: null,
      errors: 0,
      errorRate: null,
      modelSwaps: 0,
      failedLoads: 0,
    });
    signals.modelSwapped();
    for (let i = 0; i < 90; i++) signals.response(200, 1);
    for (let i = 0; i < 9; i++) signals.response(200, 100);
    signals.response(503, 1000);
    signals.modelLoadFailed();
    now += 30 * 60_000;
    signals.modelSwapped();
    const s = signals.summary(60);
    expect(s).toMatchObject({ responses: 100, errors: 1, errorRate: 0.01, modelSwaps: 2, failedLoads: 1 });
    expect(s.ratePerSecond).toBeCloseTo(100 / 3600);
    // Upper bounds of the buckets the quantiles fall in: within 25 % above the true values.
    expect(s.p50Ms! >= 1 && s.p50Ms! <= 1.25).toBe(true);
    expect(s.p95Ms! >= 100 && s.p95Ms! <= 125).toBe(true);
    expect(s.p99Ms! >= 100 && s.p99Ms! <= 125).toBe(true);
    // An hour later the first minute's responses are out of a 60-minute window.
    now += 31 * 60_000;
    expect(signals.summary(60)).toMatchObject({ responses: 0, modelSwaps: 1, failedLoads: 0 });
  });
});
