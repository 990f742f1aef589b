import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors.ts';
import { assertAccounted } from './load-file.ts';

const summary = { lines: 104, bytes: 5000, sawHeader: true, headerLines: 1, blankLines: 2, records: 101, recordLines: 101 };

describe('assertAccounted', () => {
  it('accepts a load in which every row read was loaded or quarantined and every line belongs somewhere', () => {
    expect(() => assertAccounted({ label: 'landing/r.csv', summary, rowsOk: 100, rowsDuplicate: 0, rowsRejected: 1 })).not.toThrow();
  });

  it('fails loudly, keeping nothing, when rows read are not all loaded or quarantined', () => {
    const check = () => assertAccounted({ label: 'landing/r.csv', summary, rowsOk: 1, rowsDuplicate: 0, rowsRejected: 1 });
    expect(check).toThrow(AppError);
    expect(check).toThrow(
      'landing/r.csv: the load does not account for every line (101 rows read but 1 loaded + 0 duplicates + 1 quarantined = 2); nothing of the file is kept',
    );
  });

  it('counts duplicates of stored feedback events as accounted for, neither loaded nor quarantined', () => {
    expect(() => assertAccounted({ label: 'landing/f.csv', summary, rowsOk: 90, rowsDuplicate: 10, rowsRejected: 1 })).not.toThrow();
    expect(() => assertAccounted({ label: 'landing/f.csv', summary, rowsOk: 90, rowsDuplicate: 0, rowsRejected: 1 })).toThrow(
      '(101 rows read but 90 loaded + 0 duplicates + 1 quarantined = 91)',
    );
  });

  it('fails when lines are neither the header, blank nor part of a row', () => {
    expect(() => assertAccounted({ label: 'landing/r.csv', summary: { ...summary, lines: 150 }, rowsOk: 100, rowsDuplicate: 0, rowsRejected: 1 })).toThrow(
      /150 lines read but 1 header \+ 2 blank \+ 101 in rows = 104/,
    );
  });
});
