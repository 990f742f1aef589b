import { describe, expect, it } from 'vitest';
import { toUtcText } from '../shared/index.ts';
import { parseIsoTimestamp, type UtcTimestamp } from './timestamp.ts';

function ok(value: string): UtcTimestamp {
  const parsed = parseIsoTimestamp(value);
  if (typeof parsed === 'string') throw new Error(`expected '${value}' to parse, got: ${parsed}`);
  return parsed;
}

function reason(value: string): string {
  const parsed = parseIsoTimestamp(value);
  if (typeof parsed !== 'string') throw new Error(`expected '${value}' to be rejected, got ${parsed.text}`);
  return parsed;
}

describe('parseIsoTimestamp', () => {
  it('parses a UTC timestamp with Z', () => {
    expect(ok('2024-03-05T14:22:10Z')).toEqual({
      text: '2024-03-05 14:22:10.000',
      dateKey: 20240305,
      epochMs: Date.UTC(2024, 2, 5, 14, 22, 10),
    });
  });

  it('reads the common YYYY-MM-DDTHH:MM:SSZ shape exactly as the general form, and only when every digit is one', () => {
    for (const v of ['2024-03-05T14:22:10Z', '2024-03-05 14:22:10z', '2000-02-29T23:59:59Z']) {
      expect(ok(v)).toEqual(ok(v.replace(/[Zz]$/, '.000+00:00')));
    }
    expect(reason('2023-02-29T10:00:00Z')).toBe("day 29 in '2023-02-29T10:00:00Z' does not exist");
    expect(reason('2024-0a-05T14:22:10Z')).toMatch(/is not an ISO-8601 timestamp/);
    expect(reason('2024-03-05T14:2-:10Z')).toMatch(/is not an ISO-8601 timestamp/);
    expect(reason('2024-03-05X14:22:10Z')).toMatch(/is not an ISO-8601 timestamp/);
    expect(reason('1899-12-31T23:59:59Z')).toMatch(/year 1899 .* out of range/);
  });

  it('keeps milliseconds and truncates extra fraction digits', () => {
    expect(ok('2024-03-05T14:22:10.123Z').text).toBe('2024-03-05 14:22:10.123');
    expect(ok('2024-03-05T14:22:10.5Z').text).toBe('2024-03-05 14:22:10.500');
    expect(ok('2024-03-05T14:22:10.007Z').text).toBe('2024-03-05 14:22:10.007');
    expect(ok('2024-03-05T14:22:10.123999Z').text).toBe('2024-03-05 14:22:10.123');
    expect(ok('2024-03-05T14:22:10.123Z').epochMs).toBe(Date.UTC(2024, 2, 5, 14, 22, 10, 123));
  });

  it('converts a +09:00 (Korea) offset to UTC', () => {
    expect(ok('2024-03-05T14:22:10+09:00')).toEqual({
      text: '2024-03-05 05:22:10.000',
      dateKey: 20240305,
      epochMs: Date.UTC(2024, 2, 5, 5, 22, 10),
    });
  });

  it('rolls the date back across midnight and the year boundary for a positive offset', () => {
    expect(ok('2024-01-01T08:00:00+09:00')).toEqual({
      text: '2023-12-31 23:00:00.000',
      dateKey: 20231231,
      epochMs: Date.UTC(2023, 11, 31, 23, 0, 0),
    });
    expect(ok('2024-03-01T03:15:00.250+09:00').text).toBe('2024-02-29 18:15:00.250');
  });

  it('accepts a compact offset without a colon and an hours-only offset', () => {
    expect(ok('2024-03-05T14:22:10+0900').text).toBe('2024-03-05 05:22:10.000');
    expect(ok('2024-03-05T14:22:10+09').text).toBe('2024-03-05 05:22:10.000');
  });

  it('converts a negative half-hour offset (-05:30), rolling forward across midnight', () => {
    expect(ok('2024-03-05T14:22:10-05:30').text).toBe('2024-03-05 19:52:10.000');
    expect(ok('2023-12-31T20:00:00-05:30')).toEqual({
      text: '2024-01-01 01:30:00.000',
      dateKey: 20240101,
      epochMs: Date.UTC(2024, 0, 1, 1, 30, 0),
    });
  });

  it('treats a date alone as midnight UTC', () => {
    expect(ok('2024-03-05')).toEqual({ text: '2024-03-05 00:00:00.000', dateKey: 20240305, epochMs: Date.UTC(2024, 2, 5) });
  });

  it('accepts a space instead of T, and minutes without seconds', () => {
    expect(ok('2024-03-05 14:22:10').text).toBe('2024-03-05 14:22:10.000');
    expect(ok('2024-03-05 14:22').text).toBe('2024-03-05 14:22:00.000');
  });

  it('treats a timestamp without an offset as UTC', () => {
    expect(ok('2024-03-05T14:22:10')).toEqual(ok('2024-03-05T14:22:10Z'));
    expect(ok('2024-03-05T14:22:10').epochMs).toBe(Date.UTC(2024, 2, 5, 14, 22, 10));
  });

  it('accepts 29 February in a leap year only', () => {
    expect(ok('2024-02-29T12:00:00Z').dateKey).toBe(20240229);
    expect(ok('2000-02-29').dateKey).toBe(20000229);
    expect(reason('2023-02-29T12:00:00Z')).toBe("day 29 in '2023-02-29T12:00:00Z' does not exist");
    expect(reason('1900-02-29')).toBe("day 29 in '1900-02-29' does not exist");
  });

  it('rejects days past the end of a 30-day month', () => {
    expect(reason('2024-04-31')).toBe("day 31 in '2024-04-31' does not exist");
  });

  it('rejects month 13 and month 0', () => {
    expect(reason('2024-13-01T00:00:00Z')).toBe("month 13 in '2024-13-01T00:00:00Z' does not exist");
    expect(reason('2024-00-10')).toBe("month 0 in '2024-00-10' does not exist");
  });

  it('rejects day 32 and day 0', () => {
    expect(reason('2024-01-32')).toBe("day 32 in '2024-01-32' does not exist");
    expect(reason('2024-01-00')).toBe("day 0 in '2024-01-00' does not exist");
  });

  it('rejects hour 24, minute 60 and second 60', () => {
    expect(reason('2024-03-05T24:00:00Z')).toBe("time of day in '2024-03-05T24:00:00Z' is out of range");
    expect(reason('2024-03-05T10:60:00Z')).toMatch(/time of day .* is out of range/);
    expect(reason('2024-03-05T10:00:60Z')).toMatch(/time of day .* is out of range/);
  });

  it('rejects an offset beyond ±14 hours or with minutes past 59', () => {
    expect(reason('2024-03-05T10:00:00+15:00')).toBe("time-zone offset '+15:00' in '2024-03-05T10:00:00+15:00' is out of range");
    expect(reason('2024-03-05T10:00:00-05:60')).toMatch(/time-zone offset '-05:60'/);
  });

  it('rejects text that is not a timestamp, naming the value and an example', () => {
    expect(reason('yesterday')).toBe("'yesterday' is not an ISO-8601 timestamp (expected e.g. 2024-03-05T14:22:10Z)");
    expect(reason('')).toBe("'' is not an ISO-8601 timestamp (expected e.g. 2024-03-05T14:22:10Z)");
    expect(reason('05/03/2024')).toMatch(/is not an ISO-8601 timestamp/);
    expect(reason('2024-3-5')).toMatch(/is not an ISO-8601 timestamp/);
    expect(reason(' 2024-03-05')).toMatch(/is not an ISO-8601 timestamp/);
    expect(reason('2024-03-05T14:22:10Zjunk')).toMatch(/is not an ISO-8601 timestamp/);
  });

  it('clips a long bad value in the reason', () => {
    const long = 'x'.repeat(100);
    const r = reason(long);
    expect(r).toContain(`'${'x'.repeat(40)}…'`);
    expect(r).not.toContain('x'.repeat(41));
  });

  it('accepts years 1900 and 2199 and rejects years outside 1900–2199', () => {
    expect(ok('1900-01-01').dateKey).toBe(19000101);
    expect(ok('2199-12-31T23:59:59.999Z').text).toBe('2199-12-31 23:59:59.999');
    expect(reason('1899-12-31')).toBe("year 1899 in '1899-12-31' is out of range (1900–2199)");
    expect(reason('2200-01-01T00:00:00Z')).toBe("year 2200 in '2200-01-01T00:00:00Z' is out of range (1900–2199)");
    expect(reason('0001-01-01')).toMatch(/year 1 .* out of range/);
  });
});

describe('toUtcText', () => {
  it('formats a Date in UTC with zero-padded fields and milliseconds', () => {
    expect(toUtcText(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe('2024-01-02 03:04:05.006');
    expect(toUtcText(new Date(Date.UTC(2024, 11, 31, 23, 59, 59, 999)))).toBe('2024-12-31 23:59:59.999');
    expect(toUtcText(new Date(Date.UTC(2024, 5, 15, 12, 0, 0, 40)))).toBe('2024-06-15 12:00:00.040');
  });

  it('ignores the offset the Date was created from', () => {
    expect(toUtcText(new Date('2024-01-01T08:00:00+09:00'))).toBe('2023-12-31 23:00:00.000');
  });

  it('agrees with parseIsoTimestamp', () => {
    const parsed = ok('2024-07-14T09:08:07.654-03:00');
    expect(toUtcText(new Date(parsed.epochMs))).toBe(parsed.text);
  });
});
