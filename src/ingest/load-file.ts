import type { Transaction } from 'kysely';
import { FileRejectedError } from '../shared/errors.ts';
import type { LandingKind } from '../shared/domain.ts';
import {
  checkHeader, describeHeaderProblem, isReject, RejectCode, RETRYABLE_CODES, userValidator, serviceValidator, reservationValidator,
  type ReservationRow, type ServiceRow, type UserRow, type RejectCode as RejectCodeT,
} from '../preprocess/index.ts';
import type { ObjectStore } from '../storage/index.ts';
import { StarWriter, type WarehouseDb, type WarehouseDialect } from '../warehouse/index.ts';
import { readCsvRecords, type CsvRecord } from './csv-records.ts';
import type { QuarantineFile } from './quarantine-file.ts';

export interface LoadFileOptions {
  readonly store: ObjectStore;
  readonly trx: Transaction<WarehouseDb>;
  readonly dialect: WarehouseDialect;
  readonly key: string;
  readonly kind: LandingKind;
  readonly fileId: number;
  /** UTC text stamped on every written row's `updated_at`. */
  readonly now: string;
  readonly quarantine: QuarantineFile;
  /** Size of the file in bytes: decides whether indexes are rebuilt after the load rather than maintained. */
  readonly sizeBytes: number;
  readonly onProgress?: (bytes: number) => void;
}

export interface LoadFileResult {
  readonly rowsTotal: number;
  readonly rowsOk: number;
  readonly rowsRejected: number;
  /** Header columns outside the contract (ignored). */
  readonly extraColumns: readonly string[];
  /** Rejected reservations that may load later (unknown user/service), stored in `ingest_pending_row`. */
  readonly pending: number;
}

/**
 * Streams one landing file into the warehouse inside the caller's transaction: parse, validate, quarantine,
 * write. Throws {@link FileRejectedError} when the file as a whole is unusable (no header, missing columns).
 */
export async function loadLandingFile(options: LoadFileOptions): Promise<LoadFileResult> {
  const { trx, kind, quarantine } = options;
  const writer = new StarWriter({ db: trx, dialect: options.dialect, fileId: options.fileId, now: options.now });
  let header: string[] | undefined;
  let headerProblem: string | undefined;
  let extraColumns: readonly string[] = [];
  let validate: ((fields: readonly string[]) => UserRow | ServiceRow | ReservationRow | { code: RejectCodeT; reason: string }) | undefined;
  let rowsTotal = 0;
  let rowsOk = 0;
  const pendingParams: { line: number; code: string; reason: string; fields: readonly string[] }[] = [];
  let pendingCount = 0;
  const keys = kind === 'reservations' ? await writer.keyMaps() : undefined;
  const reservationIndex: number[] = [];

  const rejectRecord = (line: number, code: RejectCodeT, reason: string, fields: readonly string[]): Promise<void> => quarantine.add(line, code, reason, fields);

  const onRecords = async (records: CsvRecord[]): Promise<void> => {
    if (validate === undefined || header === undefined) return;
    const valid: (UserRow | ServiceRow | ReservationRow)[] = [];
    for (const record of records) {
      rowsTotal++;
      const fields = record.fields;
      if (fields.length !== header.length) {
        const hint = fields.length < header.length ? ' (truncated line, or an unquoted line break?)' : ' (an unquoted comma inside a value?)';
        await rejectRecord(record.line, RejectCode.FIELD_COUNT, `${fields.length} fields, expected ${header.length}${hint}`, fields);
        continue;
      }
      if (hasReplacementChar(fields)) {
        await rejectRecord(record.line, RejectCode.INVALID_UTF8, 'contains bytes that are not valid UTF-8 (re-export the file as UTF-8)', fields);
        continue;
      }
      const row = validate(fields);
      if (isReject(row)) {
        await rejectRecord(record.line, row.code, row.reason, fields);
        continue;
      }
      if (keys !== undefined) {
        const r = row as ReservationRow;
        const unknown = !keys.users.has(r.userId)
          ? { code: RejectCode.UNKNOWN_USER, reason: `user_id '${r.userId}' is not in the warehouse yet (load its users file, then run pickwise ingest --retry-quarantine)` }
          : !keys.services.has(r.serviceId)
            ? { code: RejectCode.UNKNOWN_SERVICE, reason: `service_id '${r.serviceId}' is not in the warehouse yet (load its services file, then run pickwise ingest --retry-quarantine)` }
            : undefined;
        if (unknown !== undefined) {
          await rejectRecord(record.line, unknown.code, unknown.reason, fields);
          if (RETRYABLE_CODES.has(unknown.code)) pendingParams.push({ line: record.line, code: unknown.code, reason: unknown.reason, fields });
          continue;
        }
      }
      valid.push(row);
    }
    rowsOk += valid.length;
    if (kind === 'users') await writer.writeUsers(valid as UserRow[]);
    else if (kind === 'services') await writer.writeServices(valid as ServiceRow[]);
    else await writer.writeReservations(valid as ReservationRow[], keys!);
    if (pendingParams.length >= 500) await flushPending();
  };

  const flushPending = async (): Promise<void> => {
    if (pendingParams.length === 0) return;
    const rows = pendingParams.splice(0, pendingParams.length);
    pendingCount += rows.length;
    const at = (f: readonly string[], column: string): string => f[reservationIndex[RESERVATION_COLUMNS.indexOf(column)] ?? -1] ?? '';
    for (let i = 0; i < rows.length; i += 500) {
      await trx
        .insertInto('ingestPendingRow')
        .values(rows.slice(i, i + 500).map((p) => ({
          fileId: options.fileId, lineNo: p.line, code: p.code, reason: p.reason,
          reservationId: at(p.fields, 'reservation_id'), userId: at(p.fields, 'user_id'), serviceId: at(p.fields, 'service_id'),
          status: at(p.fields, 'status'), reservedAt: at(p.fields, 'reserved_at'), rating: at(p.fields, 'rating'), createdAt: options.now,
        })))
        .execute();
    }
  };

  // A file that adds about as many facts as the table holds loads faster with its indexes rebuilt once.
  let finishBulkLoad: (() => Promise<void>) | undefined;
  if (kind === 'reservations') {
    const top = await trx.selectFrom('factReservation').select((eb) => eb.fn.max('reservationKey').as('n')).executeTakeFirst();
    if (options.sizeBytes / BYTES_PER_ROW_ESTIMATE > Number(top?.n ?? 0) * 0.5) finishBulkLoad = await options.dialect.beginBulkLoad(trx, 'fact_reservation');
  }
  const source = await options.store.get(options.key);
  // A retried load of the same file version replaces its earlier pending rows.
  await trx.deleteFrom('ingestPendingRow').where('fileId', '=', options.fileId).execute();
  await readCsvRecords(source, {
    onHeader(fields) {
      header = fields;
      const check = checkHeader(kind, fields);
      if (check.missing.length > 0) {
        headerProblem = describeHeaderProblem(kind, check, fields);
        throw new FileRejectedError(`${options.key}: ${headerProblem}`);
      }
      extraColumns = check.extra;
      quarantine.setHeader(fields);
      if (kind === 'users') validate = userValidator(check.index);
      else if (kind === 'services') validate = serviceValidator(check.index);
      else {
        validate = reservationValidator(check.index);
        for (const c of RESERVATION_COLUMNS) reservationIndex.push(check.index[c] ?? -1);
      }
    },
    onRecords,
    async onParseFailure(failure) {
      rowsTotal++;
      await rejectRecord(failure.line, RejectCode.PARSE_ERROR, failure.message, []);
    },
    onProgress: options.onProgress,
  }).then((summary) => {
    if (!summary.sawHeader) {
      throw new FileRejectedError(
        summary.bytes === 0
          ? `${options.key}: the file is empty (0 bytes); expected a header row and data rows`
          : `${options.key}: the file has no header row (only blank lines)`,
      );
    }
  });
  await flushPending();
  await finishBulkLoad?.();
  return { rowsTotal, rowsOk, rowsRejected: quarantine.count, extraColumns, pending: pendingCount };
}

const BYTES_PER_ROW_ESTIMATE = 60;
const RESERVATION_COLUMNS = ['reservation_id', 'user_id', 'service_id', 'status', 'reserved_at', 'rating'];

function hasReplacementChar(fields: readonly string[]): boolean {
  for (let i = 0; i < fields.length; i++) if (fields[i]!.indexOf('\uFFFD') !== -1) return true;
  return false;
}
