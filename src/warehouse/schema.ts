import type { Generated } from 'kysely';
import type { LandingKind, ReservationStatus } from '../shared/domain.ts';

export type { LandingKind, ReservationStatus };

/**
 * TypeScript view of the warehouse tables (camelCase; SQL is snake_case through CamelCasePlugin).
 * Timestamps are UTC strings `YYYY-MM-DD HH:MM:SS.sss` on every backend, so that SQL stays readable
 * and comparisons work the same in SQLite (text) and MariaDB (DATETIME(3)).
 */
export interface WarehouseDb {
  dimRegion: DimRegionTable;
  dimCategory: DimCategoryTable;
  dimDate: DimDateTable;
  dimUser: DimUserTable;
  dimService: DimServiceTable;
  factReservation: FactReservationTable;
  ingestFile: IngestFileTable;
  ingestPendingRow: IngestPendingRowTable;
}

export interface DimRegionTable {
  regionKey: Generated<number>;
  regionName: string;
}

export interface DimCategoryTable {
  categoryKey: Generated<number>;
  categoryName: string;
}

export interface DimDateTable {
  /** yyyymmdd */
  dateKey: number;
  fullDate: string;
  year: number;
  quarter: number;
  month: number;
  day: number;
  /** ISO-8601 week number (1–53). */
  isoWeek: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  isWeekend: number;
}

export interface DimUserTable {
  userKey: Generated<number>;
  userId: string;
  signupAt: string;
  gender: string | null;
  birthYear: number | null;
  regionKey: number | null;
  sourceFileId: number;
  updatedAt: string;
}

export interface DimServiceTable {
  serviceKey: Generated<number>;
  serviceId: string;
  name: string;
  categoryKey: number;
  regionKey: number | null;
  price: number;
  createdAt: string;
  sourceFileId: number;
  updatedAt: string;
}

export interface FactReservationTable {
  reservationKey: Generated<number>;
  reservationId: string;
  userKey: number;
  serviceKey: number;
  dateKey: number;
  status: ReservationStatus;
  reservedAt: string;
  rating: number | null;
  sourceFileId: number;
  updatedAt: string;
}

export type IngestFileStatus = 'loading' | 'loaded' | 'rejected' | 'duplicate' | 'failed';

export interface IngestFileTable {
  fileId: Generated<number>;
  objectKey: string;
  sha256: string;
  sizeBytes: number;
  /** The store's version tag when the file was seen: lets a later run skip re-hashing an unchanged file. */
  sourceEtag: string | null;
  kind: LandingKind | 'unknown';
  status: IngestFileStatus;
  rowsTotal: number;
  rowsOk: number;
  rowsRejected: number;
  /** JSON object: reject code → count. */
  rejectsByCode: string;
  backupKey: string | null;
  quarantineKey: string | null;
  duplicateOfFileId: number | null;
  message: string | null;
  detectedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface IngestPendingRowTable {
  pendingKey: Generated<number>;
  fileId: number;
  lineNo: number;
  code: string;
  reason: string;
  reservationId: string;
  userId: string;
  serviceId: string;
  status: string;
  reservedAt: string;
  rating: string;
  createdAt: string;
}
