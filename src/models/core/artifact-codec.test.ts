import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CorruptArtifactError, decodeArtifact, encodeArtifact, tableCrc32 } from './artifact-codec.ts';
import type { ModelArtifact } from './recommender.ts';

const artifact: ModelArtifact = {
  header: { kind: 'item-knn', version: 1, params: { neighbours: 2, weighting: 'cosine', nested: { list: [1, 'a', null, true] } }, shapes: { m: [2, 3] } },
  // An odd-length buffer first, so the next one needs padding to stay 8-byte aligned.
  buffers: { ids: Int32Array.of(-1, 0, 2147483647), scores: Float32Array.of(0.5, -2.25, Number.NaN, Infinity, 1e-30) },
};

const text = (bytes: Uint8Array, from: number, to: number) => new TextDecoder().decode(bytes.subarray(from, to));
const headerLength = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);

/** Re-encodes a valid artifact with its header JSON text edited, keeping the payload as it was (so the checksum is stale). */
function withHeaderText(bytes: Uint8Array, edit: (json: string) => string): Uint8Array {
  const length = headerLength(bytes);
  const headerBytes = new TextEncoder().encode(edit(text(bytes, 12, 12 + length)));
  const payload = bytes.subarray(Math.ceil((12 + length) / 8) * 8);
  const start = Math.ceil((12 + headerBytes.length) / 8) * 8;
  const out = new Uint8Array(start + payload.length);
  out.set(bytes.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 12);
  out.set(payload, start);
  return out;
}

function withHeader(bytes: Uint8Array, edit: (header: Record<string, unknown>) => void): Uint8Array {
  return withHeaderText(bytes, (json) => {
    const header = JSON.parse(json) as Record<string, unknown>;
    edit(header);
    return JSON.stringify(header);
  });
}

describe('artifact codec', () => {
  const bytes = encodeArtifact(artifact);

  it('round-trips header and buffers bit for bit', () => {
    expect(text(bytes, 0, 8)).toBe('PWMODEL1');
    const decoded = decodeArtifact(bytes);
    expect(decoded.header).toEqual(artifact.header);
    expect(Object.keys(decoded.buffers)).toEqual(['ids', 'scores']);
    expect(decoded.buffers.ids).toBeInstanceOf(Int32Array);
    expect([...decoded.buffers.ids!]).toEqual([-1, 0, 2147483647]);
    expect(decoded.buffers.scores).toBeInstanceOf(Float32Array);
    expect([...decoded.buffers.scores!]).toEqual([0.5, -2.25, Number.NaN, Infinity, Float32Array.of(1e-30)[0]]);
  });

  it('decodes views on aligned input and copies from unaligned input', () => {
    expect(decodeArtifact(bytes).buffers.ids!.buffer).toBe(bytes.buffer);
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    const decoded = decodeArtifact(shifted);
    expect(decoded.buffers.ids!.buffer).not.toBe(shifted.buffer);
    expect([...decoded.buffers.ids!]).toEqual([-1, 0, 2147483647]);
  });

  it('round-trips empty buffers and empty params', () => {
    const empty: ModelArtifact = { header: { kind: 'popular', version: 3, params: {}, shapes: {} }, buffers: { none: new Float32Array(0) } };
    expect(decodeArtifact(encodeArtifact(empty))).toEqual(empty);
  });

  it('refuses to encode what would not decode identically', () => {
    const bad =
      (patch: Partial<ModelArtifact['header']>, buffers: ModelArtifact['buffers'] = {}) =>
      () =>
        encodeArtifact({ header: { ...artifact.header, ...patch }, buffers });
    expect(bad({ params: { when: new Date(0) } })).toThrow(/params.when is not plain JSON/);
    expect(bad({ params: { lr: Number.NaN } })).toThrow(/params.lr is not plain JSON/);
    expect(bad({ kind: 'svd' as 'als' })).toThrow(/unknown kind/);
    expect(bad({}, { x: new Float64Array(1) as unknown as Float32Array })).toThrow(/Float32Array or an Int32Array/);
    expect(bad({}, { 'a b': new Float32Array(1) })).toThrow(/buffer name/);
  });

  describe('rejects corruption with a clear error', () => {
    const expectCorrupt = (input: Uint8Array, message: RegExp) => {
      expect(() => decodeArtifact(input)).toThrow(CorruptArtifactError);
      expect(() => decodeArtifact(input)).toThrow(message);
      expect(() => decodeArtifact(input)).toThrow(/^Model artifact is corrupted: /);
    };

    it('truncated anywhere', () => {
      expectCorrupt(bytes.subarray(0, 5), /truncated: 5 bytes, shorter than the 12-byte preamble/);
      expectCorrupt(bytes.subarray(0, 20), /truncated: the header declares \d+ bytes but only 8 follow/);
      expectCorrupt(bytes.subarray(0, bytes.length - 4), /truncated: expected \d+ bytes \(payload of 40\), got/);
      expectCorrupt(bytes.subarray(0, 12 + headerLength(bytes)), /truncated/);
    });

    it('every truncation and every flipped bit, wherever it falls', () => {
      for (let length = 0; length < bytes.length; length++) {
        expect(() => decodeArtifact(bytes.subarray(0, length)), `truncated to ${length}`).toThrow(CorruptArtifactError);
      }
      for (let at = 0; at < bytes.length; at++) {
        for (const bit of [0x01, 0x80]) {
          const copy = bytes.slice();
          copy[at]! ^= bit;
          expect(() => decodeArtifact(copy), `byte ${at} ^ ${bit}`).toThrow(CorruptArtifactError);
        }
      }
    });

    it('trailing bytes', () => {
      const longer = new Uint8Array(bytes.length + 8);
      longer.set(bytes);
      expectCorrupt(longer, /8 unexpected bytes after the payload/);
    });

    it('wrong magic', () => {
      const copy = bytes.slice();
      copy[7] = '2'.charCodeAt(0);
      expectCorrupt(copy, /wrong magic bytes \(expected "PWMODEL1"\)/);
    });

    it('header that is not JSON or not UTF-8', () => {
      const copy = bytes.slice();
      copy[12] = '['.charCodeAt(0) + 1; // '{' becomes '\\'
      expectCorrupt(copy, /the header is not valid JSON/);
      const invalidUtf8 = bytes.slice();
      invalidUtf8[13] = 0xff;
      expectCorrupt(invalidUtf8, /not valid UTF-8/);
    });

    it('header of the wrong shape', () => {
      expectCorrupt(
        withHeader(bytes, (h) => (h.kind = 'svd')),
        /bad header: unknown kind "svd"/,
      );
      expectCorrupt(
        withHeader(bytes, (h) => (h.version = '1')),
        /version must be a positive integer, got "1"/,
      );
      expectCorrupt(
        withHeader(bytes, (h) => (h.params = [1])),
        /params must be an object/,
      );
      expectCorrupt(
        withHeader(bytes, (h) => (h.shapes = { m: [2, -3] })),
        /shapes.m must be an array of non-negative integers/,
      );
      expectCorrupt(
        withHeader(bytes, (h) => (h.buffers = 'ids')),
        /buffers must be an array/,
      );
      expectCorrupt(
        withHeaderText(bytes, (json) => `{"__proto__":{"polluted":true},${json.slice(1)}`),
        /unexpected member "__proto__"/,
      );
      expectCorrupt(
        withHeader(bytes, (h) => delete h.checksum),
        /checksum must be/,
      );
    });

    it('buffer offset or length out of range', () => {
      const entry = (h: Record<string, unknown>, i: number) => (h.buffers as Record<string, unknown>[])[i]!;
      expectCorrupt(
        withHeader(bytes, (h) => (entry(h, 1).offset = 4096)),
        /buffer "scores" spans bytes 4096\.\.4116, outside the 40-byte payload/,
      );
      expectCorrupt(
        withHeader(bytes, (h) => (entry(h, 1).length = 1e6)),
        /buffer "scores" spans bytes 16\.\.4000016, outside/,
      );
      expectCorrupt(
        withHeader(bytes, (h) => (entry(h, 1).offset = 12)),
        /offset 12 is not a non-negative multiple of 8/,
      );
      expectCorrupt(
        withHeader(bytes, (h) => (entry(h, 1).offset = 8)),
        /overlaps the previous buffer/,
      );
      expectCorrupt(
        withHeader(bytes, (h) => (entry(h, 0).length = -1)),
        /length -1 is not a non-negative integer/,
      );
      expectCorrupt(
        withHeader(bytes, (h) => (entry(h, 1).name = 'ids')),
        /buffer name "ids" appears twice/,
      );
    });

    it('wrong dtype', () => {
      const entry = (h: Record<string, unknown>) => (h.buffers as Record<string, unknown>[])[1]!;
      expectCorrupt(
        withHeader(bytes, (h) => (entry(h).dtype = 'f64')),
        /buffer "scores" has unknown dtype "f64" \(expected "f32" or "i32"\)/,
      );
      // A well-formed but swapped dtype passes the shape checks and is caught by the checksum.
      expectCorrupt(
        withHeader(bytes, (h) => (entry(h).dtype = 'i32')),
        /checksum mismatch/,
      );
    });

    it('flipped payload byte → checksum error', () => {
      const copy = bytes.slice();
      copy[copy.length - 10]! ^= 0x01;
      expectCorrupt(copy, /checksum mismatch \(header says [0-9a-f]{8}, content gives [0-9a-f]{8}\): the bytes were altered or damaged/);
    });

    it('edited parameter value → checksum error', () => {
      expectCorrupt(
        withHeader(bytes, (h) => ((h.params as Record<string, unknown>).neighbours = 3)),
        /checksum mismatch/,
      );
    });
  });
});

describe('artifact checksum', () => {
  it("the table CRC-32 (for Node before 20.15) is zlib's, alone and continued", () => {
    expect(tableCrc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const bytes = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 2654435761) >>> 24);
    const head = bytes.subarray(0, 777);
    expect(tableCrc32(bytes, tableCrc32(head))).toBe(zlib.crc32(bytes, zlib.crc32(head)));
  });
});
