/** The warehouse's UTC timestamp text and calendar keys: used by every stage that writes times. */

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/**
 * `YYYY-MM-DD HH:MM:SS.sss` from UTC fields (month 1–12): sortable text, accepted by DATETIME(3). Positional
 * rather than an options object because the landing parser calls it once per timestamp (millions per file).
 */
export function utcText(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): string {
  const msText = ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : `${ms}`;
  return `${y}-${pad2(mo)}-${pad2(d)} ${pad2(h)}:${pad2(mi)}:${pad2(s)}.${msText}`;
}

/** Formats a Date as the warehouse's UTC timestamp text. */
export function toUtcText(date: Date): string {
  return utcText(
    date.getUTCFullYear(),
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    date.getUTCMilliseconds(),
  );
}

/** Calendar attributes of one day (a row of `dim_date`, besides its key). */
export interface CalendarDay {
  /** `YYYY-MM-DD` */
  fullDate: string;
  year: number;
  quarter: number;
  month: number;
  day: number;
  /** ISO-8601 week number (1–53). */
  isoWeek: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** 1 on Saturday and Sunday, else 0. */
  isWeekend: number;
}

/** Calendar attributes of a yyyymmdd key, for `dim_date`. */
export function calendarOf(dateKey: number): CalendarDay {
  const year = Math.floor(dateKey / 10000);
  const month = Math.floor(dateKey / 100) % 100;
  const day = dateKey % 100;
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = ((date.getUTCDay() + 6) % 7) + 1; // ISO: Monday = 1 … Sunday = 7
  // ISO week: the week with the year's first Thursday is week 1.
  const thursday = new Date(date.getTime() + (4 - weekday) * 86_400_000);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const isoWeek = Math.floor((thursday.getTime() - yearStart) / 86_400_000 / 7) + 1;
  return {
    fullDate: `${year}-${pad2(month)}-${pad2(day)}`,
    year,
    quarter: Math.floor((month - 1) / 3) + 1,
    month,
    day,
    isoWeek,
    weekday,
    isWeekend: weekday >= 6 ? 1 : 0,
  };
}
