import { ValidationError } from '../shared/index.ts';
import type { TriggerKind } from './ports.ts';

/**
 * Run keys make a trigger idempotent: the store refuses a second run with the same key, so a cron tick seen by two
 * schedulers, a landing file listed twice or a repeated manual trigger with the caller's id give one run.
 */
export const cronRunKey = (fireTime: Date): string => `cron@${fireTime.toISOString()}`;
export const fileRunKey = (objectKey: string, sha256: string): string => `file@${objectKey}#${sha256}`;
export const backfillRunKey = (localDate: string): string => `backfill@${localDate}`;

/** `manual@<id>`; the id is the caller's (to make a retried request idempotent) or a fresh uuid v7. */
export function manualRunKey(id: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/.test(id)) {
    throw new ValidationError(`a manual run id must be 1–200 letters, digits, '.', '_', ':', '@' or '-', got ${JSON.stringify(id)}`);
  }
  return `manual@${id}`;
}

/** The trigger a run key names (the part before its first `@`). */
export function triggerOfRunKey(runKey: string): TriggerKind {
  const kind = runKey.slice(0, runKey.indexOf('@'));
  if (kind === 'cron' || kind === 'file' || kind === 'manual' || kind === 'backfill') return kind;
  throw new ValidationError(`not a run key: ${JSON.stringify(runKey)} (expected cron@, file@, manual@ or backfill@)`);
}
