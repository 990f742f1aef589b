import { RESERVATION_STATUSES, type LandingKind, type ReservationStatus } from '../shared/index.ts';
import type { ColumnIndex } from './landing-contract.ts';
import { RejectCode, type LandingFeedbackRow, type Reject, type ReservationRow, type ServiceRow, type UserRow } from './rows.ts';
import { parseIsoTimestamp, type UtcTimestamp } from './timestamp.ts';
import { clip, CONTROL, isRejected, MAX_ID_LENGTH, reject, requiredId } from './row-checks.ts';
import { feedbackValidator } from './validate-feedback-row.ts';

export { MAX_ID_LENGTH };
export const MAX_NAME_LENGTH = 255;
export const MAX_LABEL_LENGTH = 100;

const GENDERS: Readonly<Record<string, string>> = {
  f: 'F',
  female: 'F',
  woman: 'F',
  w: 'F',
  여: 'F',
  여성: 'F',
  m: 'M',
  male: 'M',
  man: 'M',
  남: 'M',
  남성: 'M',
  x: 'X',
  o: 'X',
  other: 'X',
  nonbinary: 'X',
  'non-binary': 'X',
};
const STATUS_ALIASES: Readonly<Record<string, ReservationStatus>> = { cancelled: 'canceled', complete: 'completed', booked: 'reserved' };
const PRICE = /^\d{1,12}(\.\d{1,4})?$/;
const RATING = /^[1-5]$/;
const INT = /^\d{4}$/;

/** A validator for one row of a file whose header produced `index`. Returns the normalised row or a reject. */
export type RowValidator<T> = (fields: readonly string[]) => T | Reject;

/**
 * What rows are checked against besides their own text. `nowMs` is passed in (preprocessing never reads the
 * clock): a timestamp later than `nowMs + maxClockSkewMs` is a clock or export error, quarantined, so that it
 * cannot move the warehouse's "newest reservation" (and every 7/30-day window after it) into the future.
 */
export interface RowRules {
  /** Epoch milliseconds of "now" for this load. */
  readonly nowMs: number;
  /** How far past `nowMs` a timestamp may lie (`ingest.maxClockSkew`), in milliseconds. */
  readonly maxClockSkewMs: number;
}

function requiredText(fields: readonly string[], at: number, column: string, max: number): string | Reject {
  const value = (fields[at] ?? '').trim();
  if (value === '') return reject(RejectCode.MISSING_VALUE, `${column} is empty`);
  if (value.length > max) return reject(RejectCode.VALUE_TOO_LONG, `${column} '${clip(value)}' is longer than ${max} characters`);
  return value;
}

/** A label names a dimension row (region, category): one line of printable text, shown and grouped on as is. */
function label(fields: readonly string[], at: number, column: string, required: boolean): string | null | Reject {
  const value = (fields[at] ?? '').trim();
  if (value === '') return required ? reject(RejectCode.MISSING_VALUE, `${column} is empty`) : null;
  if (value.length > MAX_LABEL_LENGTH) return reject(RejectCode.VALUE_TOO_LONG, `${column} '${clip(value)}' is longer than ${MAX_LABEL_LENGTH} characters`);
  if (CONTROL.test(value)) return reject(RejectCode.BAD_LABEL, `${column} ${JSON.stringify(clip(value))} contains a line break or another control character`);
  return value;
}

function timestamp(fields: readonly string[], at: number, column: string, rules: RowRules): UtcTimestamp | Reject {
  const value = (fields[at] ?? '').trim();
  if (value === '') return reject(RejectCode.MISSING_VALUE, `${column} is empty`);
  const parsed = parseIsoTimestamp(value);
  if (typeof parsed === 'string') return reject(RejectCode.BAD_TIMESTAMP, `${column}: ${parsed}`);
  if (parsed.epochMs > rules.nowMs + rules.maxClockSkewMs) {
    const latest = new Date(rules.nowMs + rules.maxClockSkewMs).toISOString();
    return reject(
      RejectCode.FUTURE_TIMESTAMP,
      `${column} '${clip(value)}' is in the future: later than ${latest} (now + ingest.maxClockSkew); check the exporting system's clock`,
    );
  }
  return parsed;
}

/** users: user_id, signup_at required; gender, birth_year, region optional. */
export function userValidator(index: ColumnIndex, rules: RowRules): RowValidator<UserRow> {
  const [iId, iSignup, iGender, iBirth, iRegion] = ['user_id', 'signup_at', 'gender', 'birth_year', 'region'].map((c) => index[c] ?? -1) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const maxYear = new Date(rules.nowMs).getUTCFullYear();
  return (fields) => {
    const userId = requiredId(fields, iId, 'user_id');
    if (isRejected(userId)) return userId;
    const signup = timestamp(fields, iSignup, 'signup_at', rules);
    if (isRejected(signup)) return signup;
    const genderRaw = (fields[iGender] ?? '').trim();
    let gender: string | null = null;
    if (genderRaw !== '') {
      const g = GENDERS[genderRaw.toLowerCase()];
      if (g === undefined) return reject(RejectCode.BAD_GENDER, `gender '${clip(genderRaw)}' is not one of F, M, X (female, male, other) or empty`);
      gender = g;
    }
    const birthRaw = (fields[iBirth] ?? '').trim();
    let birthYear: number | null = null;
    if (birthRaw !== '') {
      const y = Number(birthRaw);
      if (!INT.test(birthRaw) || y < 1900 || y > maxYear) {
        return reject(RejectCode.BAD_BIRTH_YEAR, `birth_year '${clip(birthRaw)}' is not a year between 1900 and ${maxYear}`);
      }
      birthYear = y;
    }
    const region = label(fields, iRegion, 'region', false);
    if (isRejected(region)) return region;
    return { userId, signupAt: signup.text, gender, birthYear, region };
  };
}

/** services: service_id, name, category, price, created_at required; region optional. */
export function serviceValidator(index: ColumnIndex, rules: RowRules): RowValidator<ServiceRow> {
  const [iId, iName, iCat, iRegion, iPrice, iCreated] = ['service_id', 'name', 'category', 'region', 'price', 'created_at'].map((c) => index[c] ?? -1) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return (fields) => {
    const serviceId = requiredId(fields, iId, 'service_id');
    if (isRejected(serviceId)) return serviceId;
    const name = requiredText(fields, iName, 'name', MAX_NAME_LENGTH);
    if (isRejected(name)) return name;
    const category = label(fields, iCat, 'category', true);
    if (isRejected(category)) return category;
    const region = label(fields, iRegion, 'region', false);
    if (isRejected(region)) return region;
    const priceRaw = (fields[iPrice] ?? '').trim();
    if (priceRaw === '') return reject(RejectCode.MISSING_VALUE, 'price is empty');
    if (!PRICE.test(priceRaw))
      return reject(
        RejectCode.BAD_PRICE,
        `price '${clip(priceRaw)}' is not a non-negative number (digits with an optional '.' decimal part, no thousands separators)`,
      );
    const created = timestamp(fields, iCreated, 'created_at', rules);
    if (isRejected(created)) return created;
    return { serviceId, name, category: category!, region, price: Number(priceRaw), createdAt: created.text };
  };
}

/** reservations: everything required except rating (empty or an integer 1–5). */
export function reservationValidator(index: ColumnIndex, rules: RowRules): RowValidator<ReservationRow> {
  const [iId, iUser, iService, iStatus, iAt, iRating] = ['reservation_id', 'user_id', 'service_id', 'status', 'reserved_at', 'rating'].map(
    (c) => index[c] ?? -1,
  ) as [number, number, number, number, number, number];
  return (fields) => {
    const reservationId = requiredId(fields, iId, 'reservation_id');
    if (isRejected(reservationId)) return reservationId;
    const userId = requiredId(fields, iUser, 'user_id');
    if (isRejected(userId)) return userId;
    const serviceId = requiredId(fields, iService, 'service_id');
    if (isRejected(serviceId)) return serviceId;
    const statusRaw = (fields[iStatus] ?? '').trim();
    let status = statusRaw as ReservationStatus;
    if (!RESERVATION_STATUSES.includes(status)) {
      const lower = statusRaw.toLowerCase();
      const alias = RESERVATION_STATUSES.includes(lower as ReservationStatus) ? (lower as ReservationStatus) : STATUS_ALIASES[lower];
      if (alias === undefined) {
        return statusRaw === ''
          ? reject(RejectCode.MISSING_VALUE, 'status is empty')
          : reject(RejectCode.BAD_STATUS, `status '${clip(statusRaw)}' is not one of ${RESERVATION_STATUSES.join(', ')}`);
      }
      status = alias;
    }
    const at = timestamp(fields, iAt, 'reserved_at', rules);
    if (isRejected(at)) return at;
    const ratingRaw = (fields[iRating] ?? '').trim();
    let rating: number | null = null;
    if (ratingRaw !== '') {
      if (!RATING.test(ratingRaw)) return reject(RejectCode.BAD_RATING, `rating '${clip(ratingRaw)}' is not empty or an integer 1–5`);
      rating = Number(ratingRaw);
    }
    return { reservationId, userId, serviceId, status, reservedAt: at.text, dateKey: at.dateKey, rating };
  };
}

/** The validator for a kind of file. */
export function validatorFor(kind: LandingKind, index: ColumnIndex, rules: RowRules): RowValidator<UserRow | ServiceRow | ReservationRow | LandingFeedbackRow> {
  switch (kind) {
    case 'users':
      return userValidator(index, rules);
    case 'services':
      return serviceValidator(index, rules);
    case 'reservations':
      return reservationValidator(index, rules);
    case 'feedback':
      return feedbackValidator(index);
  }
}
