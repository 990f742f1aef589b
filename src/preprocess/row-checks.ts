import { RejectCode, type Reject } from './rows.ts';

/** Longest natural key kept (the warehouse's dimension columns). */
export const MAX_ID_LENGTH = 64;

// eslint-disable-next-line no-control-regex
export const CONTROL = /[\u0000-\u001f\u007f]/;

export function reject(code: RejectCode, reason: string): Reject {
  return { code, reason };
}

/** A value quoted in a reason: at most 40 characters. */
export function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

export function isRejected(v: unknown): v is Reject {
  return typeof v === 'object' && v !== null && 'code' in v;
}

/** Checks a required identifier: trimmed, non-empty, at most `max` ({@link MAX_ID_LENGTH}) characters, one line. */
export function requiredId(fields: readonly string[], at: number, column: string, max = MAX_ID_LENGTH): string | Reject {
  const value = (fields[at] ?? '').trim();
  if (value === '') return reject(RejectCode.MISSING_VALUE, `${column} is empty`);
  if (value.length > max) return reject(RejectCode.VALUE_TOO_LONG, `${column} '${clip(value)}' is longer than ${max} characters`);
  if (CONTROL.test(value)) return reject(RejectCode.BAD_ID, `${column} '${clip(value)}' contains a line break or another control character`);
  return value;
}
