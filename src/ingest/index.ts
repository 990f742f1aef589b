/** Ingestion I/O: listing landing objects, reading each once (hash, backup, parse), loading one file, quarantine files. */
export { listLanding, backupKeyFor, quarantineKeyFor, type LandingObject } from './detect.ts';
export { readCsvRecords, type CsvRecord, type CsvParseFailure, type CsvReadOptions, type CsvRecordHandlers, type CsvReadSummary } from './csv-records.ts';
export { readLandingOnce, type LandingRead, type LandingReadResult } from './landing-read.ts';
export { assertAccounted, loadLandingFile, type LineCounts, type LoadFileOptions, type LoadFileResult } from './load-file.ts';
export { ingestLandingFile, type FileOutcome, type FileOutcomeStatus, type IngestFileContext } from './ingest-file.ts';
export { type FeedbackRowOutcome, type FeedbackRowStore } from './feedback-row-store.ts';
export { QuarantineFile } from './quarantine-file.ts';
export { retryQuarantine, type RetryQuarantineResult } from './retry-quarantine.ts';
