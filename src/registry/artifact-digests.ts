import { createHash } from 'node:crypto';
import { ValidationError } from '../shared/index.ts';

/** A run's stored artifact is missing or differs from what was recorded. */
export class CorruptRunArtifactError extends ValidationError {}

/** One stored file of a run: its object key, size and SHA-256 (hex). */
export interface RecordedArtifact {
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
}

/** The sizes and SHA-256 digests recorded for a run's artifacts, by object key. */
export interface ArtifactDigests {
  readonly runId: string;
  readonly byKey: ReadonlyMap<string, { readonly size: number; readonly sha256: string }>;
}

/** Throws a CorruptRunArtifactError naming the object when `bytes` are not what the run recorded under `key`. */
export function checkArtifact(digests: ArtifactDigests, key: string, bytes: Uint8Array): void {
  const recorded = digests.byKey.get(key);
  if (!recorded) throw new CorruptRunArtifactError(`object ${key} is not among the recorded artifacts of run ${digests.runId}`);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== recorded.size || sha !== recorded.sha256) {
    throw new CorruptRunArtifactError(
      `artifact ${key} of run ${digests.runId} has changed since it was recorded (${bytes.length} bytes, sha256 ${sha.slice(0, 12)}…; recorded ${recorded.size} bytes, ${recorded.sha256.slice(0, 12)}…)`,
    );
  }
}

export function missingArtifact(digests: ArtifactDigests, key: string, where: string): CorruptRunArtifactError {
  return new CorruptRunArtifactError(`artifact ${key} of run ${digests.runId} is missing from ${where}`);
}
