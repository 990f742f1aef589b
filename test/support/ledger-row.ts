import type { Insertable } from 'kysely';
import type { IngestFileTable } from '../../src/warehouse/index.ts';

/** An ingest ledger row (a landing file version): a loaded, empty reservations file unless `overrides` say otherwise. */
export function ledgerRow(overrides: Partial<Insertable<IngestFileTable>> = {}): Insertable<IngestFileTable> {
  return {
    objectKey: 'landing/reservations.csv',
    sha256: 'sha256',
    sizeBytes: 0,
    sourceEtag: null,
    kind: 'reservations',
    status: 'loaded',
    rowsTotal: 0,
    rowsOk: 0,
    rowsRejected: 0,
    rejectsByCode: '{}',
    backupKey: null,
    quarantineKey: null,
    duplicateOfFileId: null,
    message: null,
    detectedAt: '2024-01-01 00:00:00.000',
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}
