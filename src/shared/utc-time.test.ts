import { describe, expect, it } from 'vitest';
import { calendarOf } from './utc-time.ts';

describe('calendarOf', () => {
  it('describes an ordinary weekday', () => {
    expect(calendarOf(20240305)).toEqual({
      fullDate: '2024-03-05',
      year: 2024,
      quarter: 1,
      month: 3,
      day: 5,
      isoWeek: 10,
      weekday: 2,
      isWeekend: 0,
    });
  });

  it('puts 2024-12-30 in ISO week 1 (of 2025) and 2021-01-03 in ISO week 53 (of 2020)', () => {
    expect(calendarOf(20241230).isoWeek).toBe(1);
    expect(calendarOf(20241230).year).toBe(2024);
    expect(calendarOf(20210103).isoWeek).toBe(53);
    expect(calendarOf(20210104).isoWeek).toBe(1);
    expect(calendarOf(20240101).isoWeek).toBe(1);
    expect(calendarOf(20231231).isoWeek).toBe(52);
  });

  it('numbers weekdays Monday = 1 to Sunday = 7 and flags Saturday and Sunday as the weekend', () => {
    // 2024-03-04 is a Monday.
    const days = [4, 5, 6, 7, 8, 9, 10].map((d) => calendarOf(20240300 + d));
    expect(days.map((c) => c.weekday)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(days.map((c) => c.isWeekend)).toEqual([0, 0, 0, 0, 0, 1, 1]);
  });

  it('maps months to quarters', () => {
    const quarters = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => calendarOf(20240001 + m * 100).quarter);
    expect(quarters).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
  });

  it('pads month and day in fullDate', () => {
    expect(calendarOf(19000101).fullDate).toBe('1900-01-01');
    expect(calendarOf(20240229)).toMatchObject({ fullDate: '2024-02-29', month: 2, day: 29, weekday: 4 });
  });
});
