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

export interface CsvReadSummary {
  /** Physical lines read, including the header and blank lines. */
  readonly lines: number;
  readonly bytes: number;
  readonly sawHeader: boolean;
}

const BATCH = 2000;
const COMMA = 44; // ','

/**
 * Streams a comma-separated UTF-8 file without holding it in memory. A line without any quote character
 * is, by RFC 4180, exactly its comma-separated parts, and is split directly; every record that contains a
 * quote (quoted commas, doubled quotes, line breaks inside a field, malformed quoting) is handed whole to
 * csv-parse. Most landing lines have no quotes, and csv-parse's per-byte state machine was the largest
 * single cost of a million-row load. Line numbers are physical start lines; blank lines are skipped but
 * counted; invalid UTF-8 becomes U+FFFD (quarantined later with its own reason).
 */
export function readCsvRecords(source: Readable, handlers: CsvRecordHandlers): Promise<CsvReadSummary> {
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let carry = ''; // an incomplete last line
    let line = 1; // physical number of the next line
    let first = true;
    let sawHeader = false;
    let bytes = 0;
    let batch: CsvRecord[] = [];
    /** A quoted record spanning lines, until its quotes balance. */
    let open: { start: number; text: string; quotes: number } | undefined;
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
      const records = batch;
      batch = [];
      enqueue(() => handlers.onRecords(records));
    };
    const emit = (start: number, fields: string[]): void => {
      if (fields.length === 1 && fields[0] === '') return; // blank line
      if (!sawHeader) {
        sawHeader = true;
        try {
          handlers.onHeader(fields);
        } catch (error) {
          fail(error);
        }
        return;
      }
      batch.push({ line: start, fields });
      if (batch.length >= BATCH) flush();
    };
    const parseQuoted = (start: number, text: string): void => {
      try {
        const records = parse(text, { relax_column_count: true }) as string[][];
        for (const r of records) emit(start, r);
      } catch (error) {
        flush();
        const failure = { line: start, message: describeCsvError(error, start, line) };
        enqueue(() => handlers.onParseFailure(failure));
      }
    };
    const onLine = (text: string): void => {
      const lineNo = line++;
      if (failed) return;
      if (open !== undefined) {
        open.text += `\n${text}`;
        open.quotes += countQuotes(text);
        if (open.quotes % 2 === 0) {
          const { start, text: whole } = open;
          open = undefined;
          parseQuoted(start, whole);
        }
        return;
      }
      const q = text.indexOf('"');
      if (q === -1) {
        const body = text.endsWith('\r') ? text.slice(0, -1) : text;
        emit(lineNo, body.split(','));
        return;
      }
      const quotes = countQuotes(text);
      // An odd count opens a field that continues on the next line, but only when the quote starts a field;
      // a stray quote inside an unquoted value is an error of this line alone.
      if (quotes % 2 === 1 && (q === 0 || text.charCodeAt(q - 1) === COMMA)) open = { start: lineNo, text, quotes };
      else parseQuoted(lineNo, text);
    };

    source.on('data', (chunk: Buffer) => {
      if (failed) return;
      bytes += chunk.length;
      handlers.onProgress?.(bytes);
      let text = carry + decoder.write(chunk);
      if (first && text.length > 0) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      const end = text.lastIndexOf('\n');
      if (end === -1) {
        carry = text;
        return;
      }
      carry = text.slice(end + 1);
      const lines = text.slice(0, end).split('\n');
      for (let i = 0; i < lines.length; i++) onLine(lines[i]!);
      flush();
    });
    source.on('error', fail);
    source.on('end', () => {
      if (failed) return;
      const rest = carry + decoder.end();
      if (rest.length > 0) onLine(first && rest.charCodeAt(0) === 0xfeff ? rest.slice(1) : rest);
      if (open !== undefined) {
        const { start, text } = open;
        open = undefined;
        parseQuoted(start, text);
      }
      flush();
      chain.then(() => {
        if (!failed) resolve({ lines: line - 1, bytes, sawHeader });
      }, fail);
    });
  });
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i !== -1; i = s.indexOf('"', i + 1)) n++;
  return n;
}

function describeCsvError(error: unknown, start: number, end: number): string {
  const code: string | undefined = error instanceof CsvError ? error.code : undefined;
  const last = Math.max(start, end - 1);
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `a quoted field opened on line ${start} is never closed (lines ${start}–${last} could not be read; the file may be truncated)`;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside a field is not escaped (write "" for a literal quote, and quote the whole field)';
    default:
      return `unreadable CSV record: ${(error as Error).message}`;
  }
}

