import { quoteInput, ValidationError } from '../shared/index.ts';

/** The windows of the dashboard and /metrics, in whole UTC hours (the current hour included). */
export const WINDOW_HOURS = { '1h': 1, '24h': 24, '7d': 168, '30d': 720 } as const;
export type DashboardWindow = keyof typeof WINDOW_HOURS;

/** Longest span a satisfaction series may cover (from/to). */
export const MAX_SPAN_DAYS = 90;

const HOUR_MS = 3_600_000;

/** yyyymmddhh (UTC) of an instant: the rollups' hour key. */
export function hourKeyAt(t: Date): number {
  return t.getUTCFullYear() * 1_000_000 + (t.getUTCMonth() + 1) * 10_000 + t.getUTCDate() * 100 + t.getUTCHours();
}

/** The start of an hour key's hour (or of a day's, hh = 00), as ISO 8601 UTC text. */
export function hourKeyIso(key: number): string {
  const y = Math.floor(key / 1_000_000);
  const mo = Math.floor(key / 10_000) % 100;
  const d = Math.floor(key / 100) % 100;
  return new Date(Date.UTC(y, mo - 1, d, key % 100)).toISOString();
}

/** The whole UTC hours of a window ending with the hour of `now`: the last 1, 24, 168 or 720 hour buckets. */
export function windowRange(window: DashboardWindow, now: Date): { fromHour: number; toHour: number } {
  return { fromHour: hourKeyAt(new Date(now.getTime() - (WINDOW_HOURS[window] - 1) * HOUR_MS)), toHour: hourKeyAt(now) };
}

/**
 * The hours from the hour of `from` to the hour of `to` (ISO 8601 instants), refusing a reversed range or one
 * longer than {@link MAX_SPAN_DAYS}: a ValidationError whose message says what to send instead.
 */
export function explicitRange(o: { from: string; to: string }): { fromHour: number; toHour: number } {
  const from = new Date(o.from);
  const to = new Date(o.to);
  if (Number.isNaN(from.getTime())) throw new ValidationError(`from ${quoteInput(o.from)} is not an ISO 8601 time (e.g. 2026-03-02T10:00:00Z)`);
  if (Number.isNaN(to.getTime())) throw new ValidationError(`to ${quoteInput(o.to)} is not an ISO 8601 time (e.g. 2026-03-02T10:00:00Z)`);
  if (from.getTime() > to.getTime()) throw new ValidationError(`from (${from.toISOString()}) is after to (${to.toISOString()}): swap them`);
  if (to.getTime() - from.getTime() > MAX_SPAN_DAYS * 24 * HOUR_MS)
    throw new ValidationError(`from … to spans more than ${MAX_SPAN_DAYS} days: ask for ${MAX_SPAN_DAYS} days or less at a time`);
  return { fromHour: hourKeyAt(from), toHour: hourKeyAt(to) };
}

/** Hours between a warehouse UTC text (`YYYY-MM-DD HH:MM:SS.mmm`) and `now`; null for null. */
export function ageHours(utcText: string | null, now: Date): number | null {
  if (utcText === null) return null;
  return (now.getTime() - Date.parse(`${utcText.replace(' ', 'T')}Z`)) / HOUR_MS;
}

/** A warehouse UTC text as ISO 8601 (`2026-03-02T10:00:00.000Z`); null for null. */
export function isoOf(utcText: string | null): string | null {
  return utcText === null ? null : new Date(`${utcText.replace(' ', 'T')}Z`).toISOString();
}
