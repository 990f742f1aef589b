import type { LandingKind } from '../shared/index.ts';

/**
 * The landing contract: what the business uploads under `landing/`. The kind of a file is given by its
 * name prefix; columns are matched by header name (any order); extra columns are ignored with a warning.
 */
export const LANDING_COLUMNS = {
  users: ['user_id', 'signup_at', 'gender', 'birth_year', 'region'],
  services: ['service_id', 'name', 'category', 'region', 'price', 'created_at'],
  reservations: ['reservation_id', 'user_id', 'service_id', 'status', 'reserved_at', 'rating'],
  feedback: ['event_id', 'recommendation_id', 'user_id', 'service_id', 'type', 'at'],
} as const satisfies Record<LandingKind, readonly string[]>;

/**
 * Load order within one run: dimensions before the facts that reference them, and feedback last, so that its
 * events find the users and services (and flags only what is still unknown) of the same run.
 */
export const KIND_ORDER: readonly LandingKind[] = ['users', 'services', 'reservations', 'feedback'];

/** `landing/users_2024-05.csv` → `users`; anything else → undefined. */
export function kindOfFile(fileName: string): LandingKind | undefined {
  const lower = fileName.toLowerCase();
  if (!lower.endsWith('.csv')) return undefined;
  for (const kind of KIND_ORDER) if (lower.startsWith(kind)) return kind;
  return undefined;
}

/** Where each contract column sits in a file's header. */
export type ColumnIndex = Readonly<Record<string, number>>;

export interface HeaderCheck {
  readonly index: ColumnIndex;
  /** Header columns that are not in the contract (ignored). */
  readonly extra: readonly string[];
  /** Contract columns absent from the header (the file is rejected when any is missing). */
  readonly missing: readonly string[];
  /** A delimiter the header seems to use instead of commas, when that explains the missing columns. */
  readonly suspectedDelimiter: string | undefined;
}

/** Matches a header row against the contract of `kind`. Names are trimmed and compared case-insensitively. */
export function checkHeader(kind: LandingKind, header: readonly string[]): HeaderCheck {
  const names = header.map((h) => h.trim().toLowerCase());
  const index: Record<string, number> = {};
  const expected: readonly string[] = LANDING_COLUMNS[kind];
  names.forEach((n, i) => {
    if (expected.includes(n) && index[n] === undefined) index[n] = i;
  });
  const missing = expected.filter((c) => index[c] === undefined);
  const extra = header.filter((_, i) => !expected.includes(names[i] ?? ''));
  let suspectedDelimiter: string | undefined;
  if (missing.length > 0 && header.length <= 2) {
    const joined = header.join(',');
    suspectedDelimiter = [';', '\t', '|'].find((d) => joined.split(d).length >= expected.length - 1);
  }
  return { index, extra, missing, suspectedDelimiter };
}

/** A human-readable explanation of why a header is unusable. */
export function describeHeaderProblem(kind: LandingKind, check: HeaderCheck, header: readonly string[]): string {
  const delimiterName: Record<string, string> = { ';': 'semicolon', '\t': 'tab', '|': 'pipe' };
  if (check.suspectedDelimiter !== undefined) {
    const name = delimiterName[check.suspectedDelimiter] ?? check.suspectedDelimiter;
    return `the header looks ${name}-separated ('${header.join(',').slice(0, 80)}'): pickwise reads comma-separated files; re-export the file with commas`;
  }
  return `missing required column(s) ${check.missing.join(', ')} for a ${kind} file; expected header: ${LANDING_COLUMNS[kind].join(',')} (found: ${header.join(',').slice(0, 200)})`;
}
