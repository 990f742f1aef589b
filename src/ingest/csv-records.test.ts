import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCsvRecords, type CsvParseFailure, type CsvReadSummary, type CsvRecord, type CsvRecordHandlers } from './csv-records.ts';

const OPTIONS = { maxRecordBytes: 64 << 10 };

interface Collected {
  header: string[] | undefined;
  records: CsvRecord[];
  failures: CsvParseFailure[];
  batches: number;
  summary: CsvReadSummary;
}

function chunked(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

function sourceOf(input: string | Buffer, chunkSize?: number): Readable {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  return Readable.from(chunkSize === undefined ? [buf] : chunked(buf, chunkSize));
}

async function collect(input: string | Buffer, chunkSize?: number, extra: Partial<CsvRecordHandlers> = {}): Promise<Collected> {
  let header: string[] | undefined;
  const records: CsvRecord[] = [];
  const failures: CsvParseFailure[] = [];
  let batches = 0;
  const summary = await readCsvRecords(
    sourceOf(input, chunkSize),
    {
      onHeader: (fields) => {
        header = fields;
      },
      onRecords: (batch) => {
        batches++;
        records.push(...batch);
      },
      onParseFailure: (failure) => {
        failures.push(failure);
      },
      ...extra,
    },
    OPTIONS,
  );
  return { header, records, failures, batches, summary };
}

/** Both whole and in tiny chunks, so that chunk boundaries cannot change the result. */
const CHUNKINGS: (number | undefined)[] = [undefined, 1, 2, 3, 7];

describe('readCsvRecords', () => {
  it('delivers the header and data records with their line numbers and a summary', async () => {
    const result = await collect('user_id,name\nu1,Kim\nu2,Lee\n');
    expect(result.header).toEqual(['user_id', 'name']);
    expect(result.records).toEqual([
      { line: 2, fields: ['u1', 'Kim'] },
      { line: 3, fields: ['u2', 'Lee'] },
    ]);
    expect(result.failures).toEqual([]);
    expect(result.summary).toEqual({ lines: 3, bytes: 27, sawHeader: true, headerLines: 1, blankLines: 0, records: 2, recordLines: 2 });
  });

  it.each(CHUNKINGS)('strips a UTF-8 BOM from the first header name (chunk size %s)', async (size) => {
    const result = await collect('\ufeffuser_id,name\nu1,Kim\n', size);
    expect(result.header).toEqual(['user_id', 'name']);
    expect(result.header?.[0]?.charCodeAt(0)).toBe('u'.charCodeAt(0));
    expect(result.records).toEqual([{ line: 2, fields: ['u1', 'Kim'] }]);
  });

  it.each(CHUNKINGS)('parses quoted fields with commas, doubled quotes and newlines (chunk size %s)', async (size) => {
    const input = 'a,b\n"x,y","he said ""hi"""\n"multi\nline\nfield",z\n3,4\n';
    const result = await collect(input, size);
    expect(result.records).toEqual([
      { line: 2, fields: ['x,y', 'he said "hi"'] },
      { line: 3, fields: ['multi\nline\nfield', 'z'] },
      { line: 6, fields: ['3', '4'] },
    ]);
    expect(result.summary.lines).toBe(6);
  });

  it.each(CHUNKINGS)('skips blank lines but counts them (chunk size %s)', async (size) => {
    const result = await collect('\na,b\n\n1,2\n\n\n3,4\n\n', size);
    expect(result.header).toEqual(['a', 'b']);
    expect(result.records).toEqual([
      { line: 4, fields: ['1', '2'] },
      { line: 7, fields: ['3', '4'] },
    ]);
    expect(result.summary).toMatchObject({ lines: 8, headerLines: 1, blankLines: 5, records: 2, recordLines: 2 });
  });

  it.each(CHUNKINGS)('reads CRLF files, including CRLF inside a quoted field (chunk size %s)', async (size) => {
    const result = await collect('a,b\r\n1,2\r\n"x\r\ny",3\r\n\r\n5,6\r\n', size);
    expect(result.header).toEqual(['a', 'b']);
    expect(result.records).toEqual([
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['x\r\ny', '3'] },
      { line: 6, fields: ['5', '6'] },
    ]);
  });

  it.each(CHUNKINGS)('delivers a truncated last line without a newline as a shorter record (chunk size %s)', async (size) => {
    const result = await collect('a,b,c\n1,2,3\n4,5', size);
    expect(result.records).toEqual([
      { line: 2, fields: ['1', '2', '3'] },
      { line: 3, fields: ['4', '5'] },
    ]);
    expect(result.failures).toEqual([]);
    expect(result.summary.lines).toBe(3);
  });

  it('keeps records with more fields than the header', async () => {
    const result = await collect('a,b\n1,2,3\n4\n');
    expect(result.records).toEqual([
      { line: 2, fields: ['1', '2', '3'] },
      { line: 3, fields: ['4'] },
    ]);
  });

  it.each(CHUNKINGS)('quarantines only the start line of a quote left open at the end, and reads the lines after it (chunk size %s)', async (size) => {
    const result = await collect('a,b\n1,2\n"open,3\n4,5\n', size);
    expect(result.records).toEqual([
      { line: 2, fields: ['1', '2'] },
      { line: 4, fields: ['4', '5'] },
    ]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({ line: 3, text: '"open,3' });
    expect(result.failures[0]?.message).toMatch(
      /quote opened on line 3 is never closed before the end of the file; line 3 is quarantined and reading resumes on line 4/,
    );
    expect(result.summary).toMatchObject({ lines: 4, headerLines: 1, blankLines: 0, records: 3, recordLines: 3 });
  });

  it('delivers the records before an unreadable record ahead of its failure', async () => {
    const order: string[] = [];
    await readCsvRecords(
      sourceOf('a,b\n1,2\n3,4\n"open\n'),
      {
        onHeader: () => {},
        onRecords: (batch) => {
          for (const r of batch) order.push(`record ${r.line}`);
        },
        onParseFailure: (f) => {
          order.push(`failure ${f.line}`);
        },
      },
      OPTIONS,
    );
    expect(order).toEqual(['record 2', 'record 3', 'failure 4']);
  });

  it.each(CHUNKINGS)('decodes multi-byte UTF-8 split across chunks (chunk size %s)', async (size) => {
    const result = await collect('id,name\n1,예약\n2,"예,약"\n3,예\n', size);
    expect(result.records).toEqual([
      { line: 2, fields: ['1', '예약'] },
      { line: 3, fields: ['2', '예,약'] },
      { line: 4, fields: ['3', '예'] },
    ]);
  });

  it('decodes a character split exactly inside its bytes', async () => {
    const head = Buffer.from('id,name\n1,', 'utf8');
    const ye = Buffer.from('예', 'utf8');
    expect(ye).toHaveLength(3);
    const tail = Buffer.from('\n', 'utf8');
    const source = Readable.from([Buffer.concat([head, ye.subarray(0, 1)]), ye.subarray(1, 2), Buffer.concat([ye.subarray(2), tail])]);
    const records: CsvRecord[] = [];
    await readCsvRecords(source, { onHeader: () => {}, onRecords: (b) => void records.push(...b), onParseFailure: () => {} }, OPTIONS);
    expect(records).toEqual([{ line: 2, fields: ['1', '예'] }]);
  });

  it('turns invalid UTF-8 bytes into U+FFFD', async () => {
    const input = Buffer.concat([Buffer.from('a,b\nx', 'utf8'), Buffer.from([0xff, 0xfe]), Buffer.from('y,2\n', 'utf8')]);
    const result = await collect(input);
    expect(result.records).toEqual([{ line: 2, fields: ['x\ufffd\ufffdy', '2'] }]);
  });

  it('reports bytes read in the summary and through onProgress', async () => {
    const input = Buffer.from('a,b\n1,2\n3,4\n', 'utf8');
    const progress: number[] = [];
    const result = await collect(input, 4, { onProgress: (bytes) => progress.push(bytes) });
    expect(result.summary.bytes).toBe(input.length);
    expect(progress).toEqual([4, 8, 12]);
  });

  it('reports an empty input as having no header', async () => {
    const result = await collect('');
    expect(result.header).toBeUndefined();
    expect(result.records).toEqual([]);
    expect(result.summary).toEqual({ lines: 0, bytes: 0, sawHeader: false, headerLines: 0, blankLines: 0, records: 0, recordLines: 0 });
  });

  it('waits for an asynchronous onRecords before delivering the next batch', async () => {
    const lines = ['id'];
    for (let i = 0; i < 9000; i++) lines.push(`${i}`);
    let active = 0;
    let maxActive = 0;
    const seen: number[] = [];
    const events: string[] = [];
    await readCsvRecords(
      sourceOf(`${lines.join('\n')}\n`, 1024),
      {
        onHeader: () => {},
        onRecords: async (batch) => {
          active++;
          maxActive = Math.max(maxActive, active);
          events.push(`start ${batch[0]?.line}`);
          // Let the parser and the source run while this batch is in flight.
          for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
          seen.push(...batch.map((r) => r.line));
          events.push(`end ${batch[0]?.line}`);
          active--;
        },
        onParseFailure: () => {},
      },
      OPTIONS,
    );
    expect(maxActive).toBe(1);
    expect(events.length).toBeGreaterThan(2);
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i]?.startsWith('start ')).toBe(true);
      expect(events[i + 1]).toBe(events[i]?.replace('start', 'end'));
    }
    expect(seen).toEqual(Array.from({ length: 9000 }, (_, i) => i + 2));
  });

  it('resolves only after the last asynchronous onRecords has finished', async () => {
    let finished = false;
    await readCsvRecords(
      sourceOf('a\n1\n'),
      {
        onHeader: () => {},
        onRecords: async () => {
          await new Promise<void>((resolve) => setImmediate(resolve));
          finished = true;
        },
        onParseFailure: () => {},
      },
      OPTIONS,
    );
    expect(finished).toBe(true);
  });

  it('rejects when onHeader throws, without delivering records', async () => {
    const error = new Error('bad header');
    let delivered = 0;
    const promise = readCsvRecords(
      sourceOf('a,b\n1,2\n3,4\n'),
      {
        onHeader: () => {
          throw error;
        },
        onRecords: (batch) => {
          delivered += batch.length;
        },
        onParseFailure: () => {},
      },
      OPTIONS,
    );
    await expect(promise).rejects.toBe(error);
    expect(delivered).toBe(0);
  });

  it('rejects when onRecords rejects', async () => {
    const error = new Error('warehouse down');
    const promise = readCsvRecords(
      sourceOf('a\n1\n2\n'),
      {
        onHeader: () => {},
        onRecords: async () => {
          throw error;
        },
        onParseFailure: () => {},
      },
      OPTIONS,
    );
    await expect(promise).rejects.toBe(error);
  });

  it('rejects when the source fails', async () => {
    const source = new Readable({ read() {} });
    const promise = readCsvRecords(source, { onHeader: () => {}, onRecords: () => {}, onParseFailure: () => {} }, OPTIONS);
    source.push('a,b\n1,2\n');
    const error = new Error('connection reset');
    source.destroy(error);
    await expect(promise).rejects.toBe(error);
  });

  it('yields every record of a large input exactly once, in order, with correct lines', async () => {
    const count = 50_000;
    const parts = ['id,name,note'];
    for (let i = 0; i < count; i++) {
      // Every 1000th record spans two lines, so line numbers drift from record numbers.
      parts.push(i % 1000 === 0 ? `${i},name ${i},"two\nlines"` : `${i},name ${i},plain`);
    }
    const input = `${parts.join('\n')}\n`;
    const result = await collect(input, 4093);
    expect(result.records).toHaveLength(count);
    expect(result.batches).toBeGreaterThan(1);
    const expectedIds: string[] = [];
    const expectedLines: number[] = [];
    let line = 2;
    for (let i = 0; i < count; i++) {
      expectedIds.push(String(i));
      expectedLines.push(line);
      line += i % 1000 === 0 ? 2 : 1;
    }
    expect(result.records.map((r) => r.fields[0])).toEqual(expectedIds);
    expect(result.records.map((r) => r.line)).toEqual(expectedLines);
    expect(result.records[1000]?.fields).toEqual(['1000', 'name 1000', 'two\nlines']);
    expect(result.summary.lines).toBe(line - 1);
    expect(result.summary.bytes).toBe(Buffer.byteLength(input));
  });
});

describe('readCsvRecords on malformed quoting', () => {
  it('rejects a stray quote inside an unquoted value as that line alone', async () => {
    const result = await collect('a,b,c\n1,5" screen,3\n4,5,6\n');
    expect(result.records).toEqual([{ line: 3, fields: ['4', '5', '6'] }]);
    expect(result.failures).toEqual([{ line: 2, message: expect.stringMatching(/quote inside a field is not escaped/), text: '1,5" screen,3' }]);
  });

  it('rejects text after a closing quote as that record alone', async () => {
    const result = await collect('a,b,c\n1,"x"y,3\n4,5,6\n');
    expect(result.records).toEqual([{ line: 3, fields: ['4', '5', '6'] }]);
    expect(result.failures.map((f) => f.line)).toEqual([2]);
  });
});

/** `lines = header + blank + record lines`, and every record delivered once (loaded or failed). */
function expectAccounted(result: Collected): void {
  const s = result.summary;
  expect(s.headerLines + s.blankLines + s.recordLines).toBe(s.lines);
  expect(result.records.length + result.failures.length).toBe(s.records);
}

describe('readCsvRecords on a quote that is never closed', () => {
  /** A header and `rows` rows `r<i>,<i>,x`, line `bad` (1-based, ≥ 2) opening a quote that nothing closes. */
  function withOpenQuote(rows: number, bad: number): string {
    const lines = ['id,n,note'];
    for (let i = 1; i <= rows; i++) lines.push(i + 1 === bad ? `r${i},${i},"never closed` : `r${i},${i},x`);
    return `${lines.join('\n')}\n`;
  }

  it.each(CHUNKINGS)('on a 101-row file quarantines line 3 alone and delivers the 100 rows around it (chunk size %s)', async (size) => {
    const result = await collect(withOpenQuote(101, 3), size === undefined ? undefined : size * 97);
    expect(result.records).toHaveLength(100);
    expect(result.records.map((r) => r.line)).toEqual([2, ...Array.from({ length: 99 }, (_, i) => i + 4)]);
    expect(result.failures).toEqual([
      { line: 3, text: 'r2,2,"never closed', message: expect.stringMatching(/line 3 is quarantined and reading resumes on line 4/) },
    ]);
    expect(result.summary).toMatchObject({ lines: 102, records: 101, recordLines: 101, blankLines: 0, headerLines: 1 });
    expectAccounted(result);
  });

  it('stops an open quote at maxRecordBytes, so that memory stays bounded, and resumes on the next line', async () => {
    // 2 000 rows of ~50 bytes behind the open quote: far more than the 4 KiB bound.
    const lines = ['id,n,note', 'r1,1,"open'];
    for (let i = 2; i <= 2001; i++) lines.push(`r${i},${i},${'y'.repeat(40)}`);
    let failures = 0;
    const records: CsvRecord[] = [];
    const summary = await readCsvRecords(
      sourceOf(`${lines.join('\n')}\n`, 1000),
      {
        onHeader: () => {},
        onRecords: (b) => void records.push(...b),
        onParseFailure: (f) => {
          failures++;
          expect(f).toMatchObject({ line: 2, text: 'r1,1,"open' });
          expect(f.message).toMatch(/quote opened on line 2 is still open after 4096 bytes \(ingest\.maxRecordBytes\)/);
        },
      },
      { maxRecordBytes: 4096 },
    );
    expect(failures).toBe(1);
    expect(records).toHaveLength(2000);
    expect(records[0]).toEqual({ line: 3, fields: ['r2', '2', 'y'.repeat(40)] });
    expect(summary).toMatchObject({ lines: 2002, records: 2001, recordLines: 2001 });
  });

  it('reads a legitimate quoted field over several lines, and one with as many fields as the header', async () => {
    const result = await collect('id,n,note\nr1,1,"two\nlines"\nr2,2,x\n');
    expect(result.records).toEqual([
      { line: 2, fields: ['r1', '1', 'two\nlines'] },
      { line: 4, fields: ['r2', '2', 'x'] },
    ]);
    expect(result.summary).toMatchObject({ lines: 4, records: 2, recordLines: 3 });
    expectAccounted(result);
  });

  it.each(CHUNKINGS)('treats a quote that closes on a later row, giving the wrong number of fields, as never closed (chunk size %s)', async (size) => {
    // Line 3's quote is closed by line 5's stray quote: lines 3–5 would read as one record of 4 fields.
    const result = await collect('id,n,note\nr1,1,x\nr2,2,"open\nr3,3,x\nr4,4,x",y\nr5,5,x\n', size);
    expect(result.records.map((r) => r.line)).toEqual([2, 4, 6]);
    expect(result.failures.map((f) => f.line)).toEqual([3, 5]);
    expect(result.failures[0]?.message).toMatch(/runs over 3 lines and gives 4 fields instead of 3/);
    expectAccounted(result);
  });

  it('skips a line longer than maxRecordBytes without holding it, and reads the next one', async () => {
    const long = `r2,2,${'z'.repeat(20_000)}`;
    const result = await readCsvRecordsOf(`id,n,note\nr1,1,x\n${long}\nr3,3,x\n`, 4096, 512);
    expect(result.records.map((r) => r.line)).toEqual([2, 4]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]?.line).toBe(3);
    expect(result.failures[0]?.message).toMatch(/line 3 is longer than 4096 bytes/);
    expect(result.failures[0]?.text.length).toBeLessThan(300);
    expect(result.summary).toMatchObject({ lines: 4, records: 3, recordLines: 3 });
  });

  it('counts blank lines (also after a broken record) so that every line is accounted for', async () => {
    const result = await collect('\nid,n,note\n\nr1,1,"open\n\nr2,2,x\n\n');
    expect(result.records.map((r) => r.line)).toEqual([6]);
    expect(result.failures.map((f) => f.line)).toEqual([4]);
    expect(result.summary).toMatchObject({ lines: 7, headerLines: 1, blankLines: 4, records: 2, recordLines: 2 });
    expectAccounted(result);
  });
});

async function readCsvRecordsOf(input: string, maxRecordBytes: number, chunkSize: number): Promise<Collected> {
  const records: CsvRecord[] = [];
  const failures: CsvParseFailure[] = [];
  let header: string[] | undefined;
  const summary = await readCsvRecords(
    sourceOf(input, chunkSize),
    { onHeader: (h) => void (header = h), onRecords: (b) => void records.push(...b), onParseFailure: (f) => void failures.push(f) },
    { maxRecordBytes },
  );
  return { header, records, failures, batches: 0, summary };
}
