import { utcText } from '../shared/index.ts';

/**
 * ISO-8601 timestamps → UTC. Accepts `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` (or a space for `T`),
 * with `Z` or a `±HH[:MM]` offset. A timestamp without an offset is taken as UTC (documented in the README).
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export interface UtcTimestamp {
  /** `YYYY-MM-DD HH:MM:SS.sss` in UTC: sortable text, and accepted by DATETIME(3). */
  readonly text: string;
  /** yyyymmdd of the UTC day. */
  readonly dateKey: number;
  readonly epochMs: number;
}

/** Parses an ISO-8601 timestamp, or returns a reason it is not one. Years 1900–2199 only. */
export function parseIsoTimestamp(value: string): UtcTimestamp | string {
  if (isUtcSecondsShape(value)) {
    const year = digits(value, 0, 4);
    const month = digits(value, 5, 2);
    const day = digits(value, 8, 2);
    const hour = digits(value, 11, 2);
    const minute = digits(value, 14, 2);
    const second = digits(value, 17, 2);
    if ((year | month | day | hour | minute | second) >= 0) return fromFields(value, year, month, day, hour, minute, second, 0, 0);
  }
  const m = ISO.exec(value);
  if (m === null) return `'${clip(value)}' is not an ISO-8601 timestamp (expected e.g. 2024-03-05T14:22:10Z)`;
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const zone = m[8];
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 14 || om > 59) return `time-zone offset '${zone}' in '${clip(value)}' is out of range`;
    offsetMinutes = sign * (oh * 60 + om);
  }
  return fromFields(value, Number(m[1]), Number(m[2]), Number(m[3]), hour, minute, second, millis, offsetMinutes);
}

/**
 * The most common shape, `YYYY-MM-DDTHH:MM:SSZ` (or a space for `T`), is read without the regular expression;
 * its digits are checked by {@link digits}.
 */
function isUtcSecondsShape(value: string): boolean {
  if (value.length !== 20) return false;
  const z = value.charCodeAt(19);
  const t = value.charCodeAt(10);
  return (
    (z === 90 || z === 122) &&
    (t === 84 || t === 32) &&
    value.charCodeAt(4) === 45 &&
    value.charCodeAt(7) === 45 &&
    value.charCodeAt(13) === 58 &&
    value.charCodeAt(16) === 58
  );
}

/** The decimal number in `value[from, from + length)`, or -1 when a character is not a digit. */
function digits(value: string, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function fromFields(
  value: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  offsetMinutes: number,
): UtcTimestamp | string {
  if (year < 1900 || year > 2199) return `year ${year} in '${clip(value)}' is out of range (1900–2199)`;
  if (month < 1 || month > 12) return `month ${month} in '${clip(value)}' does not exist`;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const maxDay = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31);
  if (day < 1 || day > maxDay) return `day ${day} in '${clip(value)}' does not exist`;
  if (hour > 23 || minute > 59 || second > 59) return `time of day in '${clip(value)}' is out of range`;
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  if (offsetMinutes === 0) {
    // The fields already are UTC.
    return { text: utcText(year, month, day, hour, minute, second, millis), dateKey: year * 10000 + month * 100 + day, epochMs };
  }
  const d = new Date(epochMs);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth() + 1;
  const da = d.getUTCDate();
  return {
    text: utcText(y, mo, da, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()),
    dateKey: y * 10000 + mo * 100 + da,
    epochMs,
  };
}

function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
