import type { LandingKind } from '../shared/index.ts';
import { checkHeader, describeHeaderProblem, type HeaderCheck } from './landing-contract.ts';
import { isReject, RejectCode, type LandingFeedbackRow, type ReservationRow, type ServiceRow, type UserRow } from './rows.ts';
import { validatorFor, type RowRules } from './validate-row.ts';

export type ValidRow = UserRow | ServiceRow | ReservationRow | LandingFeedbackRow;

/** A record as read: its first line and its fields exactly as uploaded. */
export interface SourceRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/** A quarantined record: where it was, why, and its fields exactly as read. */
export interface RejectedRecord {
  readonly line: number;
  readonly code: RejectCode;
  readonly reason: string;
  readonly fields: readonly string[];
}

export interface ValidatedBatch {
  readonly valid: ValidRow[];
  readonly rejects: RejectedRecord[];
  /**
   * Reservations validated against {@link KnownReferences}: the user key and service key of each valid row,
   * side by side (resolved once here, where the reference is checked).
   */
  readonly referenceKeys?: Int32Array;
  /**
   * Feedback only: the record each valid row came from, in the same order. Storing a feedback event can still
   * refuse it (an event_id reused for another event), and then the row goes to quarantine as uploaded.
   */
  readonly records?: readonly SourceRecord[];
}

/**
 * Validates the records of one file against its header: field count, UTF-8, then the kind's row rules.
 * Pure; created once per file from the header, then called per batch of records.
 */
export interface RecordValidator {
  readonly header: readonly string[];
  readonly check: HeaderCheck;
  /** Set when the header makes the whole file unusable (missing columns, wrong delimiter). */
  readonly problem: string | undefined;
  validate(records: readonly SourceRecord[]): ValidatedBatch;
}

/** Users and services already in the warehouse: a reservation must reference a known user and service. */
export interface KnownReferences {
  readonly users: KnownIds;
  readonly services: KnownIds;
}

/** Natural key → surrogate key (a Map fits). */
export interface KnownIds {
  get(id: string): number | undefined;
}

export interface RecordValidatorOptions {
  readonly kind: LandingKind;
  readonly header: readonly string[];
  readonly rules: RowRules;
  /** Reservations only: the users and services they may reference. */
  readonly references?: KnownReferences;
}

export function createRecordValidator(options: RecordValidatorOptions): RecordValidator {
  const { kind, header, references } = options;
  const check = checkHeader(kind, header);
  const problem = check.missing.length > 0 ? describeHeaderProblem(kind, check, header) : undefined;
  const validateRow = validatorFor(kind, check.index, options.rules);
  const width = header.length;
  return {
    header,
    check,
    problem,
    validate(records) {
      const valid: ValidRow[] = [];
      const rejects: RejectedRecord[] = [];
      const keys = references === undefined ? undefined : new Int32Array(records.length * 2);
      const sources: SourceRecord[] | undefined = kind === 'feedback' ? [] : undefined;
      for (const record of records) {
        const { line, fields } = record;
        if (fields.length !== width) {
          const hint = fields.length < width ? ' (truncated line, or an unquoted line break?)' : ' (an unquoted comma inside a value?)';
          rejects.push({ line, code: RejectCode.FIELD_COUNT, reason: `${fields.length} fields, expected ${width}${hint}`, fields });
        } else if (hasReplacementChar(fields)) {
          rejects.push({ line, code: RejectCode.INVALID_UTF8, reason: 'contains bytes that are not valid UTF-8 (re-export the file as UTF-8)', fields });
        } else {
          const row = validateRow(fields);
          if (isReject(row)) rejects.push({ line, code: row.code, reason: row.reason, fields });
          else if (references === undefined) {
            valid.push(row);
            sources?.push(record);
          } else {
            const { userId, serviceId } = row as ReservationRow;
            const userKey = references.users.get(userId);
            const serviceKey = userKey === undefined ? undefined : references.services.get(serviceId);
            if (userKey === undefined) rejects.push({ line, ...unknownUser(userId), fields });
            else if (serviceKey === undefined) rejects.push({ line, ...unknownService(serviceId), fields });
            else {
              keys![valid.length * 2] = userKey;
              keys![valid.length * 2 + 1] = serviceKey;
              valid.push(row);
            }
          }
        }
      }
      if (sources !== undefined) return { valid, rejects, records: sources };
      return keys === undefined ? { valid, rejects } : { valid, rejects, referenceKeys: keys.subarray(0, valid.length * 2) };
    },
  };
}

function hasReplacementChar(fields: readonly string[]): boolean {
  for (let i = 0; i < fields.length; i++) if (fields[i]!.indexOf('\uFFFD') !== -1) return true;
  return false;
}

function unknownUser(userId: string): { code: RejectCode; reason: string } {
  return {
    code: RejectCode.UNKNOWN_USER,
    reason: `user_id '${userId}' is not in the warehouse yet (load its users file, then run pickwise ingest --retry-quarantine)`,
  };
}

function unknownService(serviceId: string): { code: RejectCode; reason: string } {
  return {
    code: RejectCode.UNKNOWN_SERVICE,
    reason: `service_id '${serviceId}' is not in the warehouse yet (load its services file, then run pickwise ingest --retry-quarantine)`,
  };
}
