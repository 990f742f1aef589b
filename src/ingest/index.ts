/** Ingestion I/O: listing and hashing landing objects, streaming CSV records, loading one file, quarantine files. */
export { listLanding, hashObject, backupKeyFor, quarantineKeyFor, type LandingObject } from './detect.ts';
export { readCsvRecords, type CsvRecord, type CsvParseFailure, type CsvRecordHandlers, type CsvReadSummary } from './csv-records.ts';
export { loadLandingFile, type LoadFileOptions, type LoadFileResult } from './load-file.ts';
export { QuarantineFile } from './quarantine-file.ts';
export { retryQuarantine, type RetryQuarantineResult } from './retry-quarantine.ts';
