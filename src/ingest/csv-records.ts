import type { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';

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

/**
 * Streams a comma-separated UTF-8 file through csv-parse without holding it in memory. Line numbers are
 * tracked here (record start lines, counting newlines inside quoted fields) because csv-parse's `info`
 * option costs an object per record. Blank lines are skipped but counted.
 */
export function readCsvRecords(source: Readable, handlers: CsvRecordHandlers): Promise<CsvReadSummary> {
  return new Promise((resolve, reject) => {
    const parser = parse({ bom: true, relax_column_count: true, skip_records_with_error: true });
    let line = 1; // line on which the next record starts
    let sawHeader = false;
    let batch: CsvRecord[] = [];
    let bytes = 0;
    let failed = false;

    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      source.unpipe(parser);
      source.destroy();
      parser.destroy();
      reject(error);
    };

    // Handlers run strictly in order, one batch at a time; the parser pauses while a batch is in flight.
    let chain: Promise<void> = Promise.resolve();
    let inFlight = 0;
    const enqueue = (work: () => void | Promise<void>): void => {
      inFlight++;
      parser.pause();
      chain = chain.then(() => (failed ? undefined : work())).then(() => {
        inFlight--;
        if (inFlight === 0 && !failed) parser.resume();
      }, fail);
    };
    const flush = (): void => {
      if (batch.length === 0) return;
      const records = batch;
      batch = [];
      enqueue(() => handlers.onRecords(records));
    };

    source.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      handlers.onProgress?.(bytes);
    });
    source.on('error', fail);
    parser.on('data', (fields: string[]) => {
      if (failed) return;
      const start = line;
      line += 1;
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!;
        if (f.length > 0 && f.indexOf('\n') !== -1) line += countNewlines(f);
      }
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
    });
    parser.on('skip', (error: CsvError) => {
      const detectedAt = typeof (error as { lines?: unknown }).lines === 'number' ? (error as unknown as { lines: number }).lines : line;
      const start = line;
      line = Math.max(line, detectedAt) + 1;
      flush();
      const failure = { line: start, message: describeCsvError(error, start, detectedAt) };
      enqueue(() => handlers.onParseFailure(failure));
    });
    parser.on('error', fail);
    parser.on('end', () => {
      if (failed) return;
      flush();
      chain.then(() => {
        if (!failed) resolve({ lines: line - 1, bytes, sawHeader });
      }, fail);
    });
    source.pipe(parser);
  });
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function describeCsvError(error: CsvError, start: number, detectedAt: number): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `a quoted field opened on line ${start} is never closed (lines ${start}–${detectedAt} could not be read; the file may be truncated)`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `a quote inside a field is not escaped (write "" for a literal quote, and quote the whole field)`;
    default:
      return `unreadable CSV record: ${error.message}`;
  }
}
