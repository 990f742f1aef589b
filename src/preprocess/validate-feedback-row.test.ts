import { describe, expect, it } from 'vitest';
import { MAX_FEEDBACK_ID_LENGTH } from '../shared/index.ts';
import { checkHeader, describeHeaderProblem, KIND_ORDER, kindOfFile, LANDING_COLUMNS } from './landing-contract.ts';
import { RejectCode, type Reject } from './rows.ts';
import { createRecordValidator } from './validate-records.ts';
import { feedbackValidator } from './validate-feedback-row.ts';

const RULES = { nowMs: Date.UTC(2024, 5, 1, 12), maxClockSkewMs: 86_400_000 };
const COLUMNS = [...LANDING_COLUMNS.feedback];
const validate = feedbackValidator(checkHeader('feedback', COLUMNS).index);

const validEvent = (): Record<string, string> => ({
  event_id: 'e1',
  recommendation_id: 'rec-1',
  user_id: 'U0000002',
  service_id: 'S000101',
  type: 'select',
  at: '2024-05-31T10:00:00+09:00',
});

function row(patch: Record<string, string> = {}): string[] {
  const r = { ...validEvent(), ...patch };
  return COLUMNS.map((c) => r[c] ?? '');
}

function expectReject(result: unknown, code: RejectCode, ...reasonParts: string[]): void {
  expect(result).toMatchObject({ code });
  for (const part of reasonParts) expect((result as Reject).reason).toContain(part);
}

describe('feedback landing files', () => {
  it('are named feedback*.csv and load after users, services and reservations', () => {
    expect(kindOfFile('feedback.csv')).toBe('feedback');
    expect(kindOfFile('Feedback_2026-11-30.CSV')).toBe('feedback');
    expect(kindOfFile('feedback.json')).toBeUndefined();
    expect(kindOfFile('my-feedback.csv')).toBeUndefined();
    expect(KIND_ORDER.at(-1)).toBe('feedback');
  });

  it('take the columns of POST /v1/feedback in any order, and name the missing ones', () => {
    const reordered = ['type', 'at', 'service_id', 'user_id', 'recommendation_id', 'event_id'];
    const check = checkHeader('feedback', reordered);
    expect(check.missing).toEqual([]);
    const v = feedbackValidator(check.index);
    expect(v(['cancel', '', 'S1', 'U1', '', 'e9'])).toEqual({
      eventId: 'e9',
      recommendationId: null,
      userId: 'U1',
      serviceId: 'S1',
      type: 'cancel',
      at: null,
    });
    const header = ['event_id', 'user_id', 'service_id', 'at'];
    expect(describeHeaderProblem('feedback', checkHeader('feedback', header), header)).toContain(
      'missing required column(s) recommendation_id, type for a feedback file; expected header: event_id,recommendation_id,user_id,service_id,type,at',
    );
  });
});

describe('feedbackValidator', () => {
  it('returns the event as the API would receive it: ids trimmed, at as uploaded', () => {
    expect(validate(row({ event_id: ' e1 ', type: ' Select ' }))).toEqual({
      eventId: 'e1',
      recommendationId: 'rec-1',
      userId: 'U0000002',
      serviceId: 'S000101',
      type: 'select',
      at: '2024-05-31T10:00:00+09:00',
    });
  });

  it('takes an empty recommendation_id and an empty at as absent', () => {
    expect(validate(row({ recommendation_id: '', at: '  ' }))).toMatchObject({ recommendationId: null, at: null });
  });

  it('quarantines a missing event_id, user_id or service_id as MISSING_VALUE', () => {
    expectReject(validate(row({ event_id: '' })), RejectCode.MISSING_VALUE, 'event_id is empty');
    expectReject(validate(row({ user_id: ' ' })), RejectCode.MISSING_VALUE, 'user_id is empty');
    expectReject(validate(row({ service_id: '' })), RejectCode.MISSING_VALUE, 'service_id is empty');
    expectReject(validate(row({ type: '' })), RejectCode.MISSING_VALUE, 'type is empty');
  });

  it('quarantines an unknown type as BAD_TYPE, naming the types there are', () => {
    expectReject(validate(row({ type: 'click' })), RejectCode.BAD_TYPE, "type 'click'", 'impression, select, cancel, reserve, complete');
    for (const type of ['impression', 'select', 'cancel', 'reserve', 'complete', 'COMPLETE']) expect(validate(row({ type }))).not.toHaveProperty('code');
  });

  it('quarantines an at that is not a timestamp as BAD_TIMESTAMP, and one longer than the API allows as VALUE_TOO_LONG', () => {
    expectReject(validate(row({ at: 'yesterday' })), RejectCode.BAD_TIMESTAMP, 'at:', "'yesterday' is not an ISO-8601 timestamp");
    expectReject(validate(row({ at: '2024-02-30T10:00:00Z' })), RejectCode.BAD_TIMESTAMP, 'at:');
    expectReject(validate(row({ at: `2024-05-31T10:00:00.${'0'.repeat(30)}Z` })), RejectCode.VALUE_TOO_LONG, 'longer than 40 characters');
  });

  it('keeps a future at: it is clamped and flagged when stored (feedback.maxClockSkew), as the API does', () => {
    expect(validate(row({ at: '2100-01-01T00:00:00Z' }))).toMatchObject({ at: '2100-01-01T00:00:00Z' });
  });

  it('quarantines ids longer than the API allows as VALUE_TOO_LONG, and ids with a control character as BAD_ID', () => {
    const long = 'x'.repeat(MAX_FEEDBACK_ID_LENGTH + 1);
    expect(validate(row({ event_id: 'x'.repeat(MAX_FEEDBACK_ID_LENGTH) }))).toMatchObject({ eventId: 'x'.repeat(MAX_FEEDBACK_ID_LENGTH) });
    for (const column of ['event_id', 'recommendation_id', 'user_id', 'service_id'])
      expectReject(validate(row({ [column]: long })), RejectCode.VALUE_TOO_LONG, column, `longer than ${MAX_FEEDBACK_ID_LENGTH} characters`);
    expectReject(validate(row({ user_id: 'U1\nU2' })), RejectCode.BAD_ID, 'user_id', 'control character');
    expectReject(validate(row({ recommendation_id: 'rec\u0000' })), RejectCode.BAD_ID, 'recommendation_id');
    expectReject(validate(row({ event_id: 'e\t1' })), RejectCode.BAD_ID, 'event_id');
  });
});

describe('createRecordValidator on a feedback file', () => {
  it('keeps the source record of every valid row, so the store can still quarantine it as uploaded', () => {
    const v = createRecordValidator({ kind: 'feedback', header: COLUMNS, rules: RULES });
    const batch = v.validate([
      { line: 2, fields: row({ event_id: 'a' }) },
      { line: 3, fields: row({ type: 'click' }) },
      { line: 4, fields: ['too', 'few'] },
      { line: 6, fields: row({ event_id: 'b', at: '' }) },
    ]);
    expect(batch.valid.map((r) => ('eventId' in r ? r.eventId : undefined))).toEqual(['a', 'b']);
    expect(batch.records?.map((r) => r.line)).toEqual([2, 6]);
    expect(batch.records?.[1]?.fields).toEqual(row({ event_id: 'b', at: '' }));
    expect(batch.rejects.map((r) => [r.line, r.code])).toEqual([
      [3, RejectCode.BAD_TYPE],
      [4, RejectCode.FIELD_COUNT],
    ]);
  });
});
