import { describe, expect, it } from 'vitest';
import { checkHeader, describeHeaderProblem, kindOfFile, LANDING_COLUMNS } from './landing-contract.ts';
import { RejectCode, type Reject } from './rows.ts';
import { MAX_ID_LENGTH, MAX_LABEL_LENGTH, MAX_NAME_LENGTH, reservationValidator, serviceValidator, userValidator } from './validate-row.ts';

const NOW = new Date(Date.UTC(2024, 5, 1, 12, 0, 0));
const DAY_MS = 86_400_000;
/** "Now" is injected; a timestamp may lie up to one day past it. */
const RULES = { nowMs: NOW.getTime(), maxClockSkewMs: DAY_MS };

const usersIndex = checkHeader('users', [...LANDING_COLUMNS.users]).index;
const servicesIndex = checkHeader('services', [...LANDING_COLUMNS.services]).index;
const reservationsIndex = checkHeader('reservations', [...LANDING_COLUMNS.reservations]).index;

const validUser = (): Record<string, string> => ({ user_id: 'u1', signup_at: '2024-03-05T14:22:10Z', gender: 'F', birth_year: '1990', region: 'Seoul' });
const validService = (): Record<string, string> => ({
  service_id: 's1',
  name: 'Hair cut',
  category: 'beauty',
  region: 'Busan',
  price: '25000',
  created_at: '2024-01-01T00:00:00Z',
});
const validReservation = (): Record<string, string> => ({
  reservation_id: 'r1',
  user_id: 'u1',
  service_id: 's1',
  status: 'completed',
  reserved_at: '2024-03-05T14:22:10Z',
  rating: '5',
});

function userRow(patch: Record<string, string> = {}): string[] {
  const row = { ...validUser(), ...patch };
  return LANDING_COLUMNS.users.map((c) => row[c] ?? '');
}
function serviceRow(patch: Record<string, string> = {}): string[] {
  const row = { ...validService(), ...patch };
  return LANDING_COLUMNS.services.map((c) => row[c] ?? '');
}
function reservationRow(patch: Record<string, string> = {}): string[] {
  const row = { ...validReservation(), ...patch };
  return LANDING_COLUMNS.reservations.map((c) => row[c] ?? '');
}

const validateUser = userValidator(usersIndex, RULES);
const validateService = serviceValidator(servicesIndex, RULES);
const validateReservation = reservationValidator(reservationsIndex, RULES);

function expectReject(result: unknown, code: RejectCode, ...reasonParts: string[]): void {
  expect(result).toMatchObject({ code });
  const { reason } = result as Reject;
  for (const part of reasonParts) expect(reason).toContain(part);
}

describe('userValidator', () => {
  it('returns a normalised row for a valid user', () => {
    expect(validateUser(userRow())).toEqual({ userId: 'u1', signupAt: '2024-03-05 14:22:10.000', gender: 'F', birthYear: 1990, region: 'Seoul' });
  });

  it('trims values and converts signup_at to UTC', () => {
    const row = userRow({ user_id: '  u1 ', signup_at: ' 2024-01-01T08:00:00+09:00 ', gender: ' m ', birth_year: ' 1985 ', region: '  Seoul  ' });
    expect(validateUser(row)).toEqual({ userId: 'u1', signupAt: '2023-12-31 23:00:00.000', gender: 'M', birthYear: 1985, region: 'Seoul' });
  });

  it('leaves the optional columns null when empty or blank', () => {
    expect(validateUser(userRow({ gender: '', birth_year: '  ', region: '' }))).toEqual({
      userId: 'u1',
      signupAt: '2024-03-05 14:22:10.000',
      gender: null,
      birthYear: null,
      region: null,
    });
  });

  it('normalises gender aliases in English and Korean, case-insensitively', () => {
    const cases: [string, string][] = [
      ['female', 'F'],
      ['Female', 'F'],
      ['WOMAN', 'F'],
      ['w', 'F'],
      ['여', 'F'],
      ['여성', 'F'],
      ['f', 'F'],
      ['male', 'M'],
      ['MAN', 'M'],
      ['남', 'M'],
      ['남성', 'M'],
      ['M', 'M'],
      ['other', 'X'],
      ['Non-Binary', 'X'],
      ['nonbinary', 'X'],
      ['o', 'X'],
      ['x', 'X'],
    ];
    for (const [raw, expected] of cases) {
      expect(validateUser(userRow({ gender: raw })), raw).toMatchObject({ gender: expected });
    }
  });

  it('rejects an unknown gender with BAD_GENDER naming the column and value', () => {
    expectReject(validateUser(userRow({ gender: 'unknown' })), RejectCode.BAD_GENDER, 'gender', "'unknown'");
  });

  it('rejects an empty user_id with MISSING_VALUE', () => {
    expectReject(validateUser(userRow({ user_id: '   ' })), RejectCode.MISSING_VALUE, 'user_id is empty');
  });

  it(`rejects a user_id longer than ${MAX_ID_LENGTH} characters with VALUE_TOO_LONG`, () => {
    expect(validateUser(userRow({ user_id: 'a'.repeat(MAX_ID_LENGTH) }))).toMatchObject({ userId: 'a'.repeat(MAX_ID_LENGTH) });
    expectReject(
      validateUser(userRow({ user_id: 'a'.repeat(MAX_ID_LENGTH + 1) })),
      RejectCode.VALUE_TOO_LONG,
      'user_id',
      `'${'a'.repeat(40)}…'`,
      `${MAX_ID_LENGTH} characters`,
    );
  });

  it('rejects an empty signup_at with MISSING_VALUE and a bad one with BAD_TIMESTAMP', () => {
    expectReject(validateUser(userRow({ signup_at: '' })), RejectCode.MISSING_VALUE, 'signup_at is empty');
    expectReject(validateUser(userRow({ signup_at: 'yesterday' })), RejectCode.BAD_TIMESTAMP, 'signup_at', "'yesterday'");
    expectReject(validateUser(userRow({ signup_at: '2023-02-29' })), RejectCode.BAD_TIMESTAMP, 'signup_at', "'2023-02-29'");
  });

  it('accepts birth years from 1900 up to the current year and rejects others with BAD_BIRTH_YEAR', () => {
    expect(validateUser(userRow({ birth_year: '1900' }))).toMatchObject({ birthYear: 1900 });
    expect(validateUser(userRow({ birth_year: '2024' }))).toMatchObject({ birthYear: 2024 });
    expectReject(validateUser(userRow({ birth_year: '2025' })), RejectCode.BAD_BIRTH_YEAR, 'birth_year', "'2025'", 'between 1900 and 2024');
    expectReject(validateUser(userRow({ birth_year: '1899' })), RejectCode.BAD_BIRTH_YEAR, 'birth_year', "'1899'");
    expectReject(validateUser(userRow({ birth_year: '90' })), RejectCode.BAD_BIRTH_YEAR, 'birth_year', "'90'");
    expectReject(validateUser(userRow({ birth_year: '1990.0' })), RejectCode.BAD_BIRTH_YEAR, 'birth_year', "'1990.0'");
    expectReject(validateUser(userRow({ birth_year: 'abcd' })), RejectCode.BAD_BIRTH_YEAR, 'birth_year', "'abcd'");
  });

  it('takes the upper birth year from the injected clock', () => {
    const validate2030 = userValidator(usersIndex, { nowMs: Date.UTC(2030, 0, 1), maxClockSkewMs: DAY_MS });
    expect(validate2030(userRow({ birth_year: '2029' }))).toMatchObject({ birthYear: 2029 });
  });

  it(`rejects a region longer than ${MAX_LABEL_LENGTH} characters with VALUE_TOO_LONG`, () => {
    expectReject(validateUser(userRow({ region: 'r'.repeat(MAX_LABEL_LENGTH + 1) })), RejectCode.VALUE_TOO_LONG, 'region', `${MAX_LABEL_LENGTH} characters`);
  });

  it('reads columns by header position, in any order', () => {
    const header = ['region', 'birth_year', 'SIGNUP_AT', 'gender', 'User_Id'];
    const validate = userValidator(checkHeader('users', header).index, RULES);
    expect(validate(['Daegu', '2000', '2024-03-05', '여', 'u9'])).toEqual({
      userId: 'u9',
      signupAt: '2024-03-05 00:00:00.000',
      gender: 'F',
      birthYear: 2000,
      region: 'Daegu',
    });
  });

  it('treats missing trailing fields as empty', () => {
    expect(validateUser(['u1', '2024-03-05T14:22:10Z'])).toEqual({
      userId: 'u1',
      signupAt: '2024-03-05 14:22:10.000',
      gender: null,
      birthYear: null,
      region: null,
    });
    expectReject(validateUser(['u1']), RejectCode.MISSING_VALUE, 'signup_at is empty');
  });
});

describe('serviceValidator', () => {
  it('returns a normalised row for a valid service', () => {
    expect(validateService(serviceRow({ name: '  Hair cut ', price: ' 25000.50 ' }))).toEqual({
      serviceId: 's1',
      name: 'Hair cut',
      category: 'beauty',
      region: 'Busan',
      price: 25000.5,
      createdAt: '2024-01-01 00:00:00.000',
    });
  });

  it('leaves an empty region null', () => {
    expect(validateService(serviceRow({ region: '' }))).toMatchObject({ region: null });
  });

  it('rejects each empty required column with MISSING_VALUE naming it', () => {
    for (const column of ['service_id', 'name', 'category', 'price', 'created_at']) {
      expectReject(validateService(serviceRow({ [column]: ' ' })), RejectCode.MISSING_VALUE, `${column} is empty`);
    }
  });

  it('rejects over-long ids, names and categories with VALUE_TOO_LONG', () => {
    expectReject(
      validateService(serviceRow({ service_id: 's'.repeat(MAX_ID_LENGTH + 1) })),
      RejectCode.VALUE_TOO_LONG,
      'service_id',
      `${MAX_ID_LENGTH} characters`,
    );
    expect(validateService(serviceRow({ name: 'n'.repeat(MAX_NAME_LENGTH) }))).toMatchObject({ name: 'n'.repeat(MAX_NAME_LENGTH) });
    expectReject(validateService(serviceRow({ name: 'n'.repeat(MAX_NAME_LENGTH + 1) })), RejectCode.VALUE_TOO_LONG, 'name', `${MAX_NAME_LENGTH} characters`);
    expectReject(
      validateService(serviceRow({ category: 'c'.repeat(MAX_LABEL_LENGTH + 1) })),
      RejectCode.VALUE_TOO_LONG,
      'category',
      `${MAX_LABEL_LENGTH} characters`,
    );
    expectReject(validateService(serviceRow({ region: 'r'.repeat(MAX_LABEL_LENGTH + 1) })), RejectCode.VALUE_TOO_LONG, 'region');
  });

  it('accepts plain non-negative decimals as price', () => {
    expect(validateService(serviceRow({ price: '0' }))).toMatchObject({ price: 0 });
    expect(validateService(serviceRow({ price: '12.3456' }))).toMatchObject({ price: 12.3456 });
  });

  it('rejects malformed prices with BAD_PRICE naming the value', () => {
    for (const bad of ['-5', '1,000', '12.34567', 'abc', '1e3', '.5', '5.', '₩5000']) {
      expectReject(validateService(serviceRow({ price: bad })), RejectCode.BAD_PRICE, 'price', `'${bad}'`);
    }
  });

  it('rejects a bad created_at with BAD_TIMESTAMP', () => {
    expectReject(validateService(serviceRow({ created_at: '2024-13-01' })), RejectCode.BAD_TIMESTAMP, 'created_at', "'2024-13-01'", 'month 13');
  });
});

describe('reservationValidator', () => {
  it('returns a normalised row with the UTC date key', () => {
    expect(validateReservation(reservationRow({ reserved_at: '2024-01-01T08:00:00+09:00' }))).toEqual({
      reservationId: 'r1',
      userId: 'u1',
      serviceId: 's1',
      status: 'completed',
      reservedAt: '2023-12-31 23:00:00.000',
      dateKey: 20231231,
      rating: 5,
    });
  });

  it('normalises status case and aliases', () => {
    const cases: [string, string][] = [
      ['Cancelled', 'canceled'],
      ['CANCELED', 'canceled'],
      ['cancelled', 'canceled'],
      [' canceled ', 'canceled'],
      ['Complete', 'completed'],
      ['Completed', 'completed'],
      ['booked', 'reserved'],
      ['Reserved', 'reserved'],
    ];
    for (const [raw, expected] of cases) {
      expect(validateReservation(reservationRow({ status: raw })), raw).toMatchObject({ status: expected });
    }
  });

  it('rejects an unknown status with BAD_STATUS listing the allowed ones', () => {
    expectReject(validateReservation(reservationRow({ status: 'pending' })), RejectCode.BAD_STATUS, 'status', "'pending'", 'reserved, completed, canceled');
  });

  it('rejects an empty status with MISSING_VALUE', () => {
    expectReject(validateReservation(reservationRow({ status: '  ' })), RejectCode.MISSING_VALUE, 'status is empty');
  });

  it('rejects each empty id and reserved_at with MISSING_VALUE naming the column', () => {
    for (const column of ['reservation_id', 'user_id', 'service_id', 'reserved_at']) {
      expectReject(validateReservation(reservationRow({ [column]: '' })), RejectCode.MISSING_VALUE, `${column} is empty`);
    }
  });

  it('rejects over-long ids with VALUE_TOO_LONG', () => {
    for (const column of ['reservation_id', 'user_id', 'service_id']) {
      expectReject(validateReservation(reservationRow({ [column]: 'i'.repeat(MAX_ID_LENGTH + 1) })), RejectCode.VALUE_TOO_LONG, column);
    }
  });

  it('rejects a bad reserved_at with BAD_TIMESTAMP', () => {
    expectReject(
      validateReservation(reservationRow({ reserved_at: '2024-03-05T24:00:00Z' })),
      RejectCode.BAD_TIMESTAMP,
      'reserved_at',
      "'2024-03-05T24:00:00Z'",
    );
  });

  it('reads an empty rating as null and 1–5 as numbers', () => {
    expect(validateReservation(reservationRow({ rating: '' }))).toMatchObject({ rating: null });
    expect(validateReservation(reservationRow({ rating: ' ' }))).toMatchObject({ rating: null });
    expect(validateReservation(reservationRow({ rating: ' 1 ' }))).toMatchObject({ rating: 1 });
    expect(validateReservation(reservationRow().slice(0, 5))).toMatchObject({ rating: null });
  });

  it('rejects ratings outside 1–5 or non-integers with BAD_RATING', () => {
    for (const bad of ['0', '6', '4.5', 'five', '10', '-1']) {
      expectReject(validateReservation(reservationRow({ rating: bad })), RejectCode.BAD_RATING, 'rating', `'${bad}'`);
    }
  });

  it('reports the first problem in column order', () => {
    expectReject(validateReservation(reservationRow({ user_id: '', status: 'bogus', rating: '9' })), RejectCode.MISSING_VALUE, 'user_id is empty');
  });
});

describe('checkHeader', () => {
  it('maps each contract column to its position, in any order and case-insensitively', () => {
    const check = checkHeader('reservations', ['Rating', ' STATUS ', 'reservation_id', 'Service_ID', 'user_id', 'reserved_at']);
    expect(check.index).toEqual({ rating: 0, status: 1, reservation_id: 2, service_id: 3, user_id: 4, reserved_at: 5 });
    expect(check.missing).toEqual([]);
    expect(check.extra).toEqual([]);
    expect(check.suspectedDelimiter).toBeUndefined();
  });

  it('reports extra columns by their original names and keeps the contract columns usable', () => {
    const check = checkHeader('users', ['user_id', 'Email', 'signup_at', 'gender', 'birth_year', 'region', 'phone']);
    expect(check.extra).toEqual(['Email', 'phone']);
    expect(check.missing).toEqual([]);
    expect(check.index).toMatchObject({ user_id: 0, signup_at: 2, region: 5 });
  });

  it('reports missing columns in contract order', () => {
    const check = checkHeader('services', ['service_id', 'category', 'region']);
    expect(check.missing).toEqual(['name', 'price', 'created_at']);
    expect(check.suspectedDelimiter).toBeUndefined();
  });

  it('uses the first occurrence of a duplicated column', () => {
    expect(checkHeader('users', ['user_id', 'signup_at', 'user_id']).index).toMatchObject({ user_id: 0 });
  });

  it('detects a semicolon-separated header', () => {
    const header = ['user_id;signup_at;gender;birth_year;region'];
    const check = checkHeader('users', header);
    expect(check.suspectedDelimiter).toBe(';');
    expect(check.missing).toEqual([...LANDING_COLUMNS.users]);
  });

  it('detects a tab-separated header', () => {
    expect(checkHeader('services', ['service_id\tname\tcategory\tregion\tprice\tcreated_at']).suspectedDelimiter).toBe('\t');
  });
});

describe('describeHeaderProblem', () => {
  it('says a semicolon-separated header is semicolon-separated and asks for commas', () => {
    const header = ['user_id;signup_at;gender;birth_year;region'];
    const message = describeHeaderProblem('users', checkHeader('users', header), header);
    expect(message).toContain('semicolon-separated');
    expect(message).toContain('user_id;signup_at');
    expect(message).toContain('comma');
  });

  it('names the missing columns, the kind, the expected header and what was found', () => {
    const header = ['service_id', 'category', 'region', 'cost'];
    const message = describeHeaderProblem('services', checkHeader('services', header), header);
    expect(message).toContain('missing required column(s) name, price, created_at for a services file');
    expect(message).toContain('expected header: service_id,name,category,region,price,created_at');
    expect(message).toContain('found: service_id,category,region,cost');
    expect(message).not.toContain('semicolon');
  });
});

describe('kindOfFile', () => {
  it('takes the kind from the file-name prefix, case-insensitively', () => {
    expect(kindOfFile('users_2024.csv')).toBe('users');
    expect(kindOfFile('users.csv')).toBe('users');
    expect(kindOfFile('Services-May.CSV')).toBe('services');
    expect(kindOfFile('reservations_2024-05.csv')).toBe('reservations');
    expect(kindOfFile('RESERVATIONS.csv')).toBe('reservations');
  });

  it('returns undefined for non-CSV files and unknown prefixes', () => {
    expect(kindOfFile('users_2024.xlsx')).toBeUndefined();
    expect(kindOfFile('users_2024.csv.gz')).toBeUndefined();
    expect(kindOfFile('users')).toBeUndefined();
    expect(kindOfFile('customers.csv')).toBeUndefined();
    expect(kindOfFile('user.csv')).toBeUndefined();
    expect(kindOfFile('2024_users.csv')).toBeUndefined();
  });
});

describe('timestamps in the future and labels with control characters', () => {
  const latest = new Date(NOW.getTime() + DAY_MS).toISOString().replace('.000Z', 'Z');
  const justAfter = new Date(NOW.getTime() + DAY_MS + 1000).toISOString().replace('.000Z', 'Z');

  it('accepts a timestamp up to now + maxClockSkew and quarantines a later one as FUTURE_TIMESTAMP, for every timestamp column', () => {
    expect(validateReservation(reservationRow({ reserved_at: latest }))).toMatchObject({ reservationId: 'r1' });
    expectReject(
      validateReservation(reservationRow({ reserved_at: justAfter })),
      RejectCode.FUTURE_TIMESTAMP,
      'reserved_at',
      'is in the future',
      '2024-06-02T12:00:00.000Z',
      'ingest.maxClockSkew',
    );
    expectReject(validateReservation(reservationRow({ reserved_at: '2100-01-01' })), RejectCode.FUTURE_TIMESTAMP, "reserved_at '2100-01-01'");
    expectReject(validateUser(userRow({ signup_at: justAfter })), RejectCode.FUTURE_TIMESTAMP, 'signup_at');
    expectReject(validateService(serviceRow({ created_at: '2100-01-01T00:00:00+09:00' })), RejectCode.FUTURE_TIMESTAMP, 'created_at');
  });

  it('compares instants, not wall-clock text: an offset moves a timestamp in or out of the window', () => {
    // 2024-06-02T20:00+09:00 is 11:00 UTC, within a day of NOW (2024-06-01 12:00 UTC).
    expect(validateReservation(reservationRow({ reserved_at: '2024-06-02T20:00:00+09:00' }))).toMatchObject({ reservedAt: '2024-06-02 11:00:00.000' });
    expectReject(validateReservation(reservationRow({ reserved_at: '2024-06-02T08:00:00-05:00' })), RejectCode.FUTURE_TIMESTAMP, 'reserved_at');
  });

  it('takes "now" and the allowed skew from its rules, never from the wall clock', () => {
    const later = reservationValidator(reservationsIndex, { nowMs: Date.UTC(2101, 0, 1), maxClockSkewMs: 0 });
    expect(later(reservationRow({ reserved_at: '2100-01-01' }))).toMatchObject({ reservedAt: '2100-01-01 00:00:00.000' });
    const strict = reservationValidator(reservationsIndex, { nowMs: NOW.getTime(), maxClockSkewMs: 0 });
    expectReject(strict(reservationRow({ reserved_at: '2024-06-01T12:00:01Z' })), RejectCode.FUTURE_TIMESTAMP, 'reserved_at');
  });

  it('quarantines a region or category with a line break or another control character as BAD_LABEL', () => {
    expectReject(validateUser(userRow({ region: 'Seoul\nGangnam' })), RejectCode.BAD_LABEL, 'region "Seoul\\nGangnam"', 'control character');
    expectReject(validateService(serviceRow({ region: 'Bu\u0000san' })), RejectCode.BAD_LABEL, 'region');
    expectReject(validateService(serviceRow({ category: 'beauty\r\nnails' })), RejectCode.BAD_LABEL, 'category');
    expect(validateService(serviceRow({ category: 'beauty & nails', region: '서울 강남' }))).toMatchObject({ category: 'beauty & nails', region: '서울 강남' });
  });
});
