import { describe, expect, it } from 'vitest';
import { summarise, type FileOutcome } from '../../pipeline/index.ts';
import { ExitCode } from '../run-command.ts';
import { ingestCommand } from './ingest.ts';

const loaded: FileOutcome = {
  key: 'landing/reservations.csv',
  kind: 'reservations',
  status: 'loaded',
  rowsTotal: 40_430,
  rowsOk: 40_423,
  rowsDuplicate: 0,
  rowsRejected: 7,
  rowsNew: 40_000,
  rowsUpdated: 423,
  lines: { total: 40_433, header: 1, blank: 2, records: 40_430 },
  rejectsByCode: { BAD_STATUS: 7 },
  seconds: 1,
  quarantineKey: 'quarantine/x-reservations.rejects.csv',
};
const failed: FileOutcome = {
  key: 'landing/users.csv',
  kind: 'users',
  status: 'failed',
  rowsTotal: 0,
  rowsOk: 0,
  rowsDuplicate: 0,
  rowsRejected: 0,
  rowsNew: 0,
  rowsUpdated: 0,
  rejectsByCode: {},
  seconds: 1,
  message: 'loading landing/users.csv failed, nothing of it was kept: connection reset',
};

/** What the command prints for a summary, and its exit code. */
function run(files: FileOutcome[]): { lines: string[]; code: number } {
  const summary = summarise({ outcomes: files, seconds: 2 });
  const lines: string[] = [];
  const spec = ingestCommand as unknown as { print(s: unknown, io: unknown): void; exitCode(s: unknown): number };
  spec.print(summary, { out: (line: string) => lines.push(line), json: false });
  return { lines, code: spec.exitCode(summary) };
}

describe('pickwise ingest output', () => {
  it('says how many loaded rows were new and how many updated existing ones, per file and in total', () => {
    const { lines, code } = run([loaded]);
    expect(lines[0]).toBe('loaded    landing/reservations.csv 40430 rows: 40423 loaded (40000 new, 423 updates), 7 quarantined; 2 blank line(s) skipped');
    expect(lines).toContain(
      '1 file(s) loaded: 40430 rows read, 40423 loaded (40000 new, 423 updates of existing rows), 7 quarantined (BAD_STATUS 7) in 2.00 s (20215 rows/s)',
    );
    expect(code).toBe(ExitCode.OK);
  });

  it('counts the rows of a feedback file whose events were stored already as duplicates, apart from loaded and quarantined rows', () => {
    const feedback: FileOutcome = {
      key: 'landing/feedback_2026-11.csv',
      kind: 'feedback',
      status: 'loaded',
      rowsTotal: 10,
      rowsOk: 6,
      rowsDuplicate: 3,
      rowsRejected: 1,
      rowsNew: 6,
      rowsUpdated: 0,
      lines: { total: 11, header: 1, blank: 0, records: 10 },
      rejectsByCode: { EVENT_ID_REUSED: 1 },
      seconds: 1,
    };
    const { lines } = run([feedback]);
    expect(lines[0]).toBe('loaded    landing/feedback_2026-11.csv 10 rows: 6 loaded (6 new, 0 updates), 3 duplicates, 1 quarantined');
    expect(lines).toContain(
      '1 file(s) loaded: 10 rows read, 6 loaded (6 new, 0 updates of existing rows), 3 duplicates of stored feedback events, 1 quarantined (EVENT_ID_REUSED 1) in 2.00 s (5 rows/s)',
    );
    expect(() => summarise({ outcomes: [{ ...feedback, rowsDuplicate: 2 }], seconds: 1 })).toThrow(
      /10 read, 6 loaded \[6 new \+ 0 updated\], 2 duplicates, 1 quarantined/,
    );
  });

  it('names a file that failed and exits non-zero, after the files that loaded', () => {
    const { lines, code } = run([failed, loaded]);
    expect(lines[0]).toBe(`failed    landing/users.csv — ${failed.message}`);
    expect(lines).toContain('1 file(s) FAILED and were not loaded (see above); the others were, and the next run retries the failed ones');
    expect(code).toBe(ExitCode.FAILED);
  });

  it('fails loudly when a loaded file does not account for its rows', () => {
    expect(() => summarise({ outcomes: [{ ...loaded, rowsRejected: 6 }], seconds: 1 })).toThrow(
      /landing\/reservations\.csv: rows do not add up \(40430 read, 40423 loaded \[40000 new \+ 423 updated\], 0 duplicates, 6 quarantined/,
    );
    expect(() => summarise({ outcomes: [{ ...loaded, lines: { total: 40_433, header: 1, blank: 1, records: 40_430 } }], seconds: 1 })).toThrow(
      /40433 lines = 1 header \+ 1 blank \+ 40430 in rows/,
    );
  });
});
