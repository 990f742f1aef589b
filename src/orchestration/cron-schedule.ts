import { CronExpressionParser } from 'cron-parser';
import { ConfigError } from '../shared/index.ts';

/** Fire times handed out at most per call, so a catch-up over years of a per-second schedule stays bounded. */
export const MAX_FIRE_TIMES = 10_000;

/** Why `timezone` is not an IANA zone this runtime knows, or undefined when it is. */
export function timeZoneProblem(timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return undefined;
  } catch {
    return `unknown time zone "${timezone}" (an IANA name such as UTC or Europe/Berlin)`;
  }
}

/** Why a schedule cannot be used (bad expression or zone), or undefined when it can. */
export function cronProblem(expression: string, timezone: string): string | undefined {
  const zone = timeZoneProblem(timezone);
  if (zone !== undefined) return zone;
  const fields = expression.trim().split(/\s+/);
  if (!expression.trim().startsWith('@') && fields.length !== 5 && fields.length !== 6) {
    return `cron expression "${expression}" has ${fields.length} fields; expected 5 (minute hour day month weekday) or 6 (seconds first)`;
  }
  try {
    CronExpressionParser.parse(expression, { tz: timezone, strict: false });
    return undefined;
  } catch (error) {
    return `invalid cron expression "${expression}": ${(error as Error).message}`;
  }
}

function parse(expression: string, timezone: string, from: Date) {
  const problem = cronProblem(expression, timezone);
  if (problem !== undefined) throw new ConfigError(problem);
  return CronExpressionParser.parse(expression, { tz: timezone, currentDate: from });
}

/**
 * The fire times of a cron schedule in (`after`, `until`], oldest first, computed in `timezone` (so a daily 02:30
 * in Europe/Berlin fires once on the spring-forward day, at 03:30 local, and once on the fall-back day). At most
 * `limit` (default {@link MAX_FIRE_TIMES}) are returned. Throws ConfigError on a bad expression or zone.
 */
export function fireTimes(o: {
  readonly expression: string;
  readonly timezone: string;
  readonly after: Date;
  readonly until: Date;
  readonly limit?: number;
}): Date[] {
  const cron = parse(o.expression, o.timezone, o.after);
  const limit = o.limit ?? MAX_FIRE_TIMES;
  const out: Date[] = [];
  while (out.length < limit) {
    const next = cron.next().toDate();
    if (next.getTime() > o.until.getTime()) break;
    out.push(next);
  }
  return out;
}

/**
 * The latest fire time at or before `until`, or undefined when the schedule never fired before it. Stepping back
 * (cron-parser's `prev`) can pass over a fire time that a DST gap moved (02:30 on the spring-forward day fires at
 * 03:30), so the answer is found stepping forward from there, as {@link fireTimes} does.
 */
export function latestFireTime(o: { readonly expression: string; readonly timezone: string; readonly until: Date }): Date | undefined {
  const cron = parse(o.expression, o.timezone, new Date(o.until.getTime() + 1));
  let earlier: Date;
  try {
    earlier = cron.prev().toDate();
  } catch {
    return undefined;
  }
  return fireTimes({ ...o, after: earlier }).at(-1) ?? earlier;
}

/** The first fire time strictly after `after`. */
export function nextFireTime(o: { readonly expression: string; readonly timezone: string; readonly after: Date }): Date | undefined {
  try {
    return parse(o.expression, o.timezone, o.after).next().toDate();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    return undefined;
  }
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timezone: string): string {
  let format = dateFormats.get(timezone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timezone, format);
  }
  return format.format(instant);
}
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** Whether `date` is a real calendar date written YYYY-MM-DD (not 2026-02-30). */
export function isCalendarDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const t = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === date;
}

/** The instant a calendar date (YYYY-MM-DD) starts in a time zone (its first minute, DST gaps included). */
export function startOfLocalDate(date: string, timezone: string): Date {
  if (!isCalendarDate(date)) throw new ConfigError(`expected a date YYYY-MM-DD, got "${date}"`);
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  // Local midnight lies within ±14 h of UTC midnight: the first local midnight from 15 h before whose date is `date`.
  const cron = parse('0 0 * * *', timezone, new Date(utcMidnight - 15 * 3600_000 - 1));
  for (let i = 0; i < 3; i++) {
    const t = cron.next().toDate();
    if (localDate(t, timezone) === date) return t;
  }
  throw new ConfigError(`cannot find the start of ${date} in ${timezone}`);
}
