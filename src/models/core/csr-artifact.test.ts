import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/index.ts';
import { checkArtifactHeader, historyArtifactParts, readHistory } from './csr-artifact.ts';
import { csrFromCoo } from './csr-ops.ts';
import type { ModelArtifact } from './recommender.ts';

const history = csrFromCoo({ rows: 3, cols: 4, rowIdx: Int32Array.of(0, 0, 2), colIdx: Int32Array.of(1, 3, 0), values: Float32Array.of(1, 2, 3) });

function artifact(overrides: { shape?: number[] | undefined; buffers?: Record<string, Float32Array | Int32Array> } = {}): ModelArtifact {
  const h = historyArtifactParts(history);
  return {
    header: {
      kind: 'ease',
      version: 1,
      params: {},
      shapes: 'shape' in overrides ? (overrides.shape ? { history: overrides.shape } : {}) : { history: h.shape },
    },
    buffers: { ...h.buffers, ...overrides.buffers },
  };
}

describe("a model artifact's history", () => {
  it('reads back what was written, under the buffer names saved artifacts use', () => {
    const parts = historyArtifactParts(history);
    expect(Object.keys(parts.buffers)).toEqual(['historyIndptr', 'historyIndices', 'historyValues']);
    expect(parts.shape).toEqual([3, 4]);
    expect(readHistory(artifact(), 'X')).toEqual(history);
  });

  it('names what is wrong with a damaged one', () => {
    expect(() => readHistory(artifact({ shape: undefined }), 'X.fromArtifact')).toThrow(/^X\.fromArtifact: shapes\.history must be \[rows, cols\]$/);
    expect(() => readHistory(artifact({ buffers: { historyValues: Int32Array.of(1, 2, 3) } }), 'X')).toThrow(
      /X: the history CSR buffers are missing or of the wrong type/,
    );
    expect(() => readHistory(artifact({ buffers: { historyIndices: Int32Array.of(1, 9, 0) } }), 'X')).toThrow(/X: the history matrix is malformed \(/);
    expect(() => readHistory(artifact({ shape: [3, 2] }), 'X')).toThrow(ValidationError);
  });

  it('checks kind and version before anything else', () => {
    expect(() => checkArtifactHeader(artifact(), { kind: 'gf-cf', version: 1, where: 'G' })).toThrow("G: artifact is of kind 'ease'");
    expect(() => checkArtifactHeader(artifact(), { kind: 'ease', version: 2, where: 'E' })).toThrow('E: unsupported artifact version 1 (expected 2)');
    expect(() => checkArtifactHeader(artifact(), { kind: 'ease', version: 1, where: 'E' })).not.toThrow();
  });
});
