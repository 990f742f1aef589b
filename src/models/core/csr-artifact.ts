import { ValidationError } from '../../shared/index.ts';
import { validateCsr } from './csr-ops.ts';
import type { CsrMatrix } from './csr.ts';
import type { ModelArtifact, ModelKind } from './recommender.ts';

/** Checks that an artifact is of `kind` and `version`; throws a ValidationError saying which is not. */
export function checkArtifactHeader(artifact: ModelArtifact, expected: { kind: ModelKind; version: number; where: string }): void {
  const { header } = artifact;
  const { where } = expected;
  if (header.kind !== expected.kind) throw new ValidationError(`${where}: artifact is of kind '${header.kind}'`);
  if (header.version !== expected.version) {
    throw new ValidationError(`${where}: unsupported artifact version ${header.version} (expected ${expected.version})`);
  }
}

/**
 * The users' histories (the training matrix, which models scoring from it keep because `recommend` receives only
 * user ids) as an artifact stores them: `shapes.history` [users, items] and the buffers `historyIndptr`,
 * `historyIndices`, `historyValues`.
 */
export function historyArtifactParts(history: CsrMatrix): {
  shape: [number, number];
  buffers: { historyIndptr: Int32Array; historyIndices: Int32Array; historyValues: Float32Array };
} {
  return {
    shape: [history.rows, history.cols],
    buffers: { historyIndptr: history.indptr, historyIndices: history.indices, historyValues: history.data },
  };
}

/** The histories of an artifact written with {@link historyArtifactParts}, validated. */
export function readHistory(artifact: ModelArtifact, where: string): CsrMatrix {
  const { buffers } = artifact;
  return csrFromBuffers(where, 'history', artifact.header.shapes.history, [buffers.historyIndptr, buffers.historyIndices, buffers.historyValues]);
}

/** A CSR matrix from an artifact's shape and three buffers; throws a ValidationError naming what is wrong with them. */
export function csrFromBuffers(
  where: string,
  name: string,
  shape: readonly number[] | undefined,
  [indptr, indices, data]: readonly (Float32Array | Int32Array | undefined)[],
): CsrMatrix {
  if (!shape || shape.length !== 2) throw new ValidationError(`${where}: shapes.${name} must be [rows, cols]`);
  if (!(indptr instanceof Int32Array) || !(indices instanceof Int32Array) || !(data instanceof Float32Array)) {
    throw new ValidationError(`${where}: the ${name} CSR buffers are missing or of the wrong type`);
  }
  const m: CsrMatrix = { rows: shape[0]!, cols: shape[1]!, indptr, indices, data };
  try {
    validateCsr(m);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`${where}: the ${name} matrix is malformed (${detail})`, { cause: error });
  }
  return m;
}
