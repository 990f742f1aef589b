import { describe, expect, it } from 'vitest';
import { backfillRunKey, cronRunKey, fileRunKey, manualRunKey, triggerOfRunKey } from './run-key.ts';

describe('run keys', () => {
  it('names the trigger and what makes it unique', () => {
    expect(cronRunKey(new Date('2026-03-02T03:00:00Z'))).toBe('cron@2026-03-02T03:00:00.000Z');
    expect(fileRunKey('landing/2026-03-02.csv', 'ab'.repeat(32))).toBe(`file@landing/2026-03-02.csv#${'ab'.repeat(32)}`);
    expect(backfillRunKey('2026-03-02')).toBe('backfill@2026-03-02');
    expect(manualRunKey('0190c0de-0000-7000-8000-000000000001')).toBe('manual@0190c0de-0000-7000-8000-000000000001');
    expect(['cron@x', 'file@a#b', 'manual@x', 'backfill@2026-01-01'].map(triggerOfRunKey)).toEqual(['cron', 'file', 'manual', 'backfill']);
  });

  it('refuses odd manual ids and strings that are not run keys', () => {
    expect(() => manualRunKey('')).toThrow(/manual run id/);
    expect(() => manualRunKey('a b')).toThrow(/manual run id/);
    expect(() => triggerOfRunKey('daily')).toThrow(/not a run key/);
    expect(() => triggerOfRunKey('hourly@x')).toThrow(/not a run key/);
  });
});
