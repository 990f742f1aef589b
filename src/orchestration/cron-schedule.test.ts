import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/index.ts';
import { cronProblem, fireTimes, latestFireTime, localDate, nextFireTime, startOfLocalDate } from './cron-schedule.ts';

const iso = (dates: readonly Date[]) => dates.map((d) => d.toISOString());

describe('cron schedule', () => {
  it('gives the fire times in (after, until], the start excluded and the end included', () => {
    const times = fireTimes({ expression: '0 3 * * *', timezone: 'UTC', after: new Date('2026-03-01T03:00:00Z'), until: new Date('2026-03-03T03:00:00Z') });
    expect(iso(times)).toEqual(['2026-03-02T03:00:00.000Z', '2026-03-03T03:00:00.000Z']);
    expect(fireTimes({ expression: '* * * * *', timezone: 'UTC', after: new Date(0), until: new Date('2026-01-01T00:00:00Z'), limit: 3 })).toHaveLength(3);
  });

  it('fires a daily 02:30 in Europe/Berlin once on the spring-forward day and once on the fall-back day', () => {
    const spring = fireTimes({
      expression: '30 2 * * *',
      timezone: 'Europe/Berlin',
      after: new Date('2026-03-27T12:00:00Z'),
      until: new Date('2026-03-31T12:00:00Z'),
    });
    // 29 March: 02:30 does not exist (clocks jump 02:00 → 03:00); it fires once that day.
    expect(spring.map((d) => localDate(d, 'Europe/Berlin'))).toEqual(['2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31']);
    expect(iso(spring)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']);
    const autumn = fireTimes({
      expression: '30 2 * * *',
      timezone: 'Europe/Berlin',
      after: new Date('2026-10-23T12:00:00Z'),
      until: new Date('2026-10-27T12:00:00Z'),
    });
    // 25 October: 02:30 happens twice (CEST, then CET); it fires once that day.
    expect(autumn.map((d) => localDate(d, 'Europe/Berlin'))).toEqual(['2026-10-24', '2026-10-25', '2026-10-26', '2026-10-27']);
    expect(iso(autumn)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z', '2026-10-27T01:30:00.000Z']);
  });

  it('finds the latest fire time at or before an instant, and the next one after', () => {
    const o = { expression: '0 3 * * *', timezone: 'UTC' };
    expect(latestFireTime({ ...o, until: new Date('2026-03-02T03:00:00Z') })?.toISOString()).toBe('2026-03-02T03:00:00.000Z');
    expect(latestFireTime({ ...o, until: new Date('2026-03-02T02:59:59Z') })?.toISOString()).toBe('2026-03-01T03:00:00.000Z');
    // Stepping back over the spring-forward gap still finds the day's fire time (03:30 local on 29 March).
    const berlin = { expression: '30 2 * * *', timezone: 'Europe/Berlin' };
    expect(latestFireTime({ ...berlin, until: new Date('2026-03-29T12:00:00Z') })?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(latestFireTime({ ...berlin, until: new Date('2026-10-25T12:00:00Z') })?.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(nextFireTime({ ...o, after: new Date('2026-03-02T03:00:00Z') })?.toISOString()).toBe('2026-03-03T03:00:00.000Z');
  });

  it('explains bad expressions and zones', () => {
    expect(cronProblem('0 3 * * *', 'Europe/Berlin')).toBeUndefined();
    expect(cronProblem('0 0 3 * * *', 'UTC')).toBeUndefined();
    expect(cronProblem('61 3 * * *', 'UTC')).toMatch(/invalid cron expression "61 3 \* \* \*".*0-59/);
    expect(cronProblem('* * * *', 'UTC')).toMatch(/has 4 fields; expected 5/);
    expect(cronProblem('0 3 * * *', 'Mars/Olympus')).toMatch(/unknown time zone "Mars\/Olympus"/);
    expect(() => fireTimes({ expression: 'nope', timezone: 'UTC', after: new Date(0), until: new Date(1) })).toThrow(ConfigError);
  });

  it('finds where a local date starts, across DST', () => {
    expect(startOfLocalDate('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfLocalDate('2026-03-30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(startOfLocalDate('2026-03-30', 'Asia/Kolkata').toISOString()).toBe('2026-03-29T18:30:00.000Z');
    expect(startOfLocalDate('2026-03-30', 'Pacific/Kiritimati').toISOString()).toBe('2026-03-29T10:00:00.000Z');
    expect(startOfLocalDate('2026-03-30', 'Pacific/Pago_Pago').toISOString()).toBe('2026-03-30T11:00:00.000Z');
    expect(() => startOfLocalDate('2026-3-30', 'UTC')).toThrow(/YYYY-MM-DD/);
    expect(() => startOfLocalDate('2026-02-30', 'UTC')).toThrow(/YYYY-MM-DD/);
  });
});
