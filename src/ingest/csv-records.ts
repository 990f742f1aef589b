import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { CsvError, parse } from 'csv-parse/sync';

/** One parsed CSV record and the physical line it starts on (1 = header). */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/** A record that could not be parsed (e.g. a quote never closed); it is quarantined, not dropped. */
export interface CsvParseFailure {
  readonly line: number;
  readonly message: string;
  /** The record's first physical line as uploaded (an over-long line: its clipped start). */
  readonly text: string;
}

export interface CsvRecordHandlers {
  /** The header row (first non-empty record). */
  onHeader(fields: string[]): void;
  /** Data records, in order, in batches; the reader waits for the returned promise (backpressure). */
  onRecords(records: CsvRecord[]): void | Promise<void>;
  onParseFailure(failure: CsvParseFailure): void | Promise<void>;
  /** Bytes consumed so far, for progress display. */
  onProgress?(bytes: number): void;
}

export interface CsvReadOptions {
  /**
   * Longest record in UTF-8 bytes, line breaks inside quoted fields included (`ingest.maxRecordBytes`). A quote
   * still open at this size, or a physical line longer than it, is a parse failure of its first line alone.
   */
  readonly maxRecordBytes: number;
}

/**
 * What was read, line by line: `lines = headerLines + blankLines + recordLines`, and every data record was
 * delivered either through `onRecords` or as a parse failure (`records` counts both).
 */
export interface CsvReadSummary {
  /** Physical lines read, including the header and blank lines. */
  readonly lines: number;
  readonly bytes: number;
  readonly sawHeader: boolean;
  /** Lines of the header record (more than 1 only when a quoted header name spans lines). */
  readonly headerLines: number;
  /** Empty lines outside any record: skipped, and counted here. */
  readonly blankLines: number;
  /** Data records delivered, parse failures included. */
  readonly records: number;
  /** Physical lines those records span. */
  readonly recordLines: number;
}

const BATCH = 2000;
const COMMA = 44; // ','
/** Characters of an over-long line kept in its parse failure. */
const CLIP = 200;

/** A quoted record spanning lines, until its quotes balance: consecutive physical lines from `start`. */
interface OpenRecord {
  readonly start: number;
  readonly lines: string[];
  bytes: number;
  quotes: number;
}

/**
 * Streams a comma-separated UTF-8 file without holding it in memory. A line without any quote character
 * is, by RFC 4180, exactly its comma-separated parts, and is split directly; every record that contains a
 * quote (quoted commas, doubled quotes, line breaks inside a field, malformed quoting) is handed whole to
 * csv-parse. Most landing lines have no quotes, and csv-parse's per-byte state machine was the largest
 * single cost of a million-row load. Line numbers are physical start lines; blank lines are skipped but
 * counted; invalid UTF-8 becomes U+FFFD (quarantined later with its own reason).
 *
 * A quote that is never closed cannot swallow the rest of the file: a record spanning lines ends at
 * `maxRecordBytes` or at the end of the file, and a multi-line record that does not parse into the header's
 * number of fields is a broken quote too. In each case only the record's first line is a parse failure, and
 * reading resumes on the line after it, so the rows behind it still load.
 */
export function readCsvRecords(source: Readable, handlers: CsvRecordHandlers, options: CsvReadOptions): Promise<CsvReadSummary> {
  const max = options.maxRecordBytes;
  if (source.errored || source.destroyed) return Promise.reject(source.errored ?? new Error('the input stream was closed before it was read'));
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let carry = ''; // an incomplete last line
    let line = 1; // physical number of the next line
    let first = true;
    let skipping = false; // inside an over-long line, until its line break
    let sawHeader = false;
    let width = 0;
    let bytes = 0;
    let headerLines = 0;
    let blankLines = 0;
    let records = 0;
    let recordLines = 0;
    let batch: CsvRecord[] = [];
    let open: OpenRecord | undefined;
    /** Lines to read again after a broken record, last first (popped in file order). */
    const replay: [text: string, lineNo: number][] = [];
    let failed = false;
    let chain: Promise<void> = Promise.resolve();
    let inFlight = 0;

    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      source.destroy();
      reject(error);
    };
    // Handlers run strictly in order, one at a time; the source pauses while one is in flight.
    const enqueue = (work: () => void | Promise<void>): void => {
      inFlight++;
      source.pause();
      chain = chain
        .then(() => (failed ? undefined : work()))
        .then(() => {
          inFlight--;
          if (inFlight === 0 && !failed && !source.readableEnded) source.resume();
        }, fail);
    };
    const flush = (): void => {
      if (batch.length === 0) return;
      const delivered = batch;
      batch = [];
      enqueue(() => handlers.onRecords(delivered));
    };
    const emit = (start: number, lineCount: number, fields: string[]): void => {
      if (fields.length === 1 && fields[0] === '') {
        blankLines += lineCount;
        return;
      }
      if (!sawHeader) {
        sawHeader = true;
        headerLines = lineCount;
        width = fields.length;
        try {
          handlers.onHeader(fields);
        } catch (error) {
          fail(error);
        }
        return;
      }
      records++;
      recordLines += lineCount;
      batch.push({ line: start, fields });
      if (batch.length >= BATCH) flush();
    };
    const failure = (lineNo: number, message: string, text: string): void => {
      flush();
      records++;
      recordLines++;
      const parseFailure: CsvParseFailure = { line: lineNo, message, text };
      enqueue(() => handlers.onParseFailure(parseFailure));
    };
    /** The record's first line fails alone; the lines after it are read again as records of their own. */
    const breakRecord = (record: OpenRecord, why: string): void => {
      const { start, lines } = record;
      failure(start, `${why}; line ${start} is quarantined and reading resumes on line ${start + 1}`, lines[0]!);
      for (let i = lines.length - 1; i >= 1; i--) replay.push([lines[i]!, start + i]);
    };
    const finishQuoted = (record: OpenRecord): void => {
      const { start, lines } = record;
      let parsed: string[][];
      try {
        parsed = parse(lines.join('\n'), { relax_column_count: true }) as string[][];
      } catch (error) {
        if (lines.length > 1) breakRecord(record, `lines ${start}–${start + lines.length - 1} do not form one quoted record (${describeCsvError(error)})`);
        else failure(start, describeCsvError(error), lines[0]!);
        return;
      }
      const fields = parsed[0];
      if (lines.length > 1 && (parsed.length !== 1 || (sawHeader && fields!.length !== width))) {
        breakRecord(
          record,
          `a quote opened on line ${start} runs over ${lines.length} lines and gives ${fields?.length ?? 0} fields instead of ${width}: probably a quote that is never closed`,
        );
        return;
      }
      for (const r of parsed) emit(start, lines.length, r);
    };
    const step = (text: string, lineNo: number): void => {
      if (open !== undefined) {
        open.lines.push(text);
        open.bytes += Buffer.byteLength(text) + 1;
        open.quotes += countQuotes(text);
        if (open.quotes % 2 === 0) {
          const record = open;
          open = undefined;
          finishQuoted(record);
        } else if (open.bytes > max) {
          const record = open;
          open = undefined;
          breakRecord(
            record,
            `a quote opened on line ${record.start} is still open after ${max} bytes (ingest.maxRecordBytes): probably a quote that is never closed`,
          );
        }
        return;
      }
      const q = text.indexOf('"');
      if (q === -1) {
        emit(lineNo, 1, (text.endsWith('\r') ? text.slice(0, -1) : text).split(','));
        return;
      }
      const quotes = countQuotes(text);
      // An odd count opens a field that continues on the next line, but only when the quote starts a field;
      // a stray quote inside an unquoted value is an error of this line alone.
      if (quotes % 2 === 1 && (q === 0 || text.charCodeAt(q - 1) === COMMA)) open = { start: lineNo, lines: [text], bytes: Buffer.byteLength(text), quotes };
      else finishQuoted({ start: lineNo, lines: [text], bytes: 0, quotes });
    };
    const drain = (): void => {
      while (replay.length > 0 && !failed) {
        const [again, againNo] = replay.pop()!;
        step(again, againNo);
      }
    };
    /** A record still open when the file ends (or at an over-long line) cannot close any more. */
    const closeOpen = (why: (start: number) => string): void => {
      while (open !== undefined && !failed) {
        const record = open;
        open = undefined;
        breakRecord(record, why(record.start));
        drain();
      }
    };
    const overLong = (text: string, lineNo: number): void => {
      closeOpen((start) => `a quote opened on line ${start} is still open at line ${lineNo}, which is longer than ${max} bytes`);
      failure(
        lineNo,
        `line ${lineNo} is longer than ${max} bytes (ingest.maxRecordBytes) and is skipped; the whole file is in its raw backup`,
        `${text.slice(0, CLIP)}…`,
      );
    };
    // Only lines read for the first time can be over-long (a record never holds one), so the replay is empty here.
    const onLine = (text: string, lineNo: number): void => {
      if (text.length * 3 > max && Buffer.byteLength(text) > max) overLong(text, lineNo);
      else {
        step(text, lineNo);
        drain();
      }
    };
    const consume = (decoded: string, final: boolean): void => {
      let text = carry + decoded;
      carry = '';
      if (first && text.length > 0) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      if (skipping) {
        const nl = text.indexOf('\n');
        if (nl === -1) return;
        text = text.slice(nl + 1);
        skipping = false;
      }
      const end = text.lastIndexOf('\n');
      if (end !== -1) {
        const lines = text.slice(0, end).split('\n');
        for (let i = 0; i < lines.length && !failed; i++) onLine(lines[i]!, line++);
        text = text.slice(end + 1);
      }
      if (text.length * 3 > max && Buffer.byteLength(text) > max) {
        // The line has no end within the bound: it is not kept in memory, and the rest of it is skipped.
        overLong(text, line++);
        skipping = !final;
      } else if (final) {
        if (text.length > 0) onLine(text, line++);
      } else carry = text;
    };

    source.on('data', (chunk: Buffer) => {
      if (failed) return;
      bytes += chunk.length;
      handlers.onProgress?.(bytes);
      consume(decoder.write(chunk), false);
      flush();
    });
    source.on('error', fail);
    source.on('end', () => {
      if (failed) return;
      consume(decoder.end(), true);
      closeOpen((start) => `a quote opened on line ${start} is never closed before the end of the file`);
      flush();
      chain.then(() => {
        if (!failed) resolve({ lines: line - 1, bytes, sawHeader, headerLines, blankLines, records, recordLines });
      }, fail);
    });
  });
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i !== -1; i = s.indexOf('"', i + 1)) n++;
  return n;
}

function describeCsvError(error: unknown): string {
  const code: string | undefined = error instanceof CsvError ? error.code : undefined;
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside a field is not escaped (write "" for a literal quote, and quote the whole field)';
    default:
      return `unreadable CSV record: ${(error as Error).message}`;
  }
}
