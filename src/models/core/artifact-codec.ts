import zlib from 'node:zlib';
import { ValidationError } from '../../shared/index.ts';
import type { ModelArtifact, ModelKind } from './recommender.ts';

/**
 * Binary layout of a model artifact (all integers little-endian):
 *
 *   bytes 0..8    magic "PWMODEL1"
 *   bytes 8..12   uint32 H = byte length of the header
 *   bytes 12..12+H  UTF-8 JSON header:
 *       { kind, version, params, shapes,
 *         buffers: [{ name, dtype: 'f32' | 'i32', offset, length }],   offset in bytes from the payload start, length in elements
 *         payloadBytes,
 *         checksum: { algorithm: 'crc32', value: 8 hex digits } }
 *   zero padding to the next multiple of 8, then the payload: each buffer's raw elements at its 8-byte-aligned offset.
 *
 * The CRC32 covers the header as serialised without its `checksum` member, followed by the whole payload, so a
 * damaged parameter is caught as surely as a damaged factor. Decoding only ever calls `JSON.parse` (no reviver)
 * and checks the result member by member: an artifact can carry data, never code or classes.
 */
const MAGIC = 'PWMODEL1';
const PREAMBLE_BYTES = 12;
const ALIGN = 8;

/** Runtime list of model kinds; `satisfies` fails to compile when ModelKind gains a member not listed here. */
const MODEL_KINDS = { popular: true, 'item-knn': true, als: true, bpr: true, ease: true, rp3beta: true, 'gf-cf': true } as const satisfies Record<
  ModelKind,
  true
>;
const BUFFER_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const HEADER_KEYS = ['kind', 'version', 'params', 'shapes', 'buffers', 'payloadBytes', 'checksum'] as const;
const BUFFER_KEYS = ['name', 'dtype', 'offset', 'length'] as const;
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

type Dtype = 'f32' | 'i32';
/** One buffer's place in the payload: offset in bytes from the payload start, length in elements. */
type BufferEntry = { readonly name: string; readonly dtype: Dtype; readonly offset: number; readonly length: number };

/** Thrown by `decodeArtifact` for any damaged or forged input; the message says what is wrong. */
export class CorruptArtifactError extends ValidationError {
  constructor(problem: string) {
    super(`Model artifact is corrupted: ${problem}`);
  }
}

/** Serialises an artifact into the layout above. Throws a ValidationError for headers that are not plain JSON data. */
export function encodeArtifact(artifact: ModelArtifact): Uint8Array {
  const { kind, version, params, shapes } = artifact.header;
  const fail = (problem: string): never => {
    throw new ValidationError(`Cannot encode model artifact: ${problem}`);
  };
  if (!Object.hasOwn(MODEL_KINDS, kind)) fail(`unknown kind ${JSON.stringify(kind)}`);
  if (!Number.isSafeInteger(version) || version < 1) fail(`version must be a positive integer, got ${version}`);
  if (!isPlainObject(params)) fail('params must be a plain object');
  const nonJson = findNonJson(params, 'params');
  if (nonJson) fail(`${nonJson} is not plain JSON data (finite numbers, strings, booleans, null, arrays, plain objects)`);
  const shapeProblem = checkShapes(shapes);
  if (shapeProblem) fail(shapeProblem);

  const entries: BufferEntry[] = [];
  let payloadBytes = 0;
  for (const [name, array] of Object.entries(artifact.buffers)) {
    if (!BUFFER_NAME.test(name)) fail(`buffer name ${JSON.stringify(name)} must match ${BUFFER_NAME}`);
    const dtype: Dtype | undefined = array instanceof Float32Array ? 'f32' : array instanceof Int32Array ? 'i32' : undefined;
    if (!dtype) fail(`buffer ${name} must be a Float32Array or an Int32Array`);
    entries.push({ name, dtype: dtype!, offset: payloadBytes, length: array.length });
    payloadBytes += alignUp(array.byteLength);
  }

  const unsigned = { kind, version, params, shapes, buffers: entries, payloadBytes };
  const unsignedBytes = utf8(JSON.stringify(unsigned));
  const payload = new Uint8Array(payloadBytes);
  for (const entry of entries) writeBlock(payload, entry, artifact.buffers[entry.name]!);
  const checksum = { algorithm: 'crc32', value: hex32(crc32(payload, crc32(unsignedBytes))) };
  const headerBytes = utf8(JSON.stringify({ ...unsigned, checksum }));

  const payloadStart = alignUp(PREAMBLE_BYTES + headerBytes.length);
  const out = new Uint8Array(payloadStart + payloadBytes);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  new DataView(out.buffer).setUint32(MAGIC.length, headerBytes.length, true);
  out.set(headerBytes, PREAMBLE_BYTES);
  out.set(payload, payloadStart);
  return out;
}

/**
 * Parses and verifies an artifact: magic, header JSON and its shape, buffer dtypes, offsets and lengths within the
 * payload, exact total length, checksum. Any defect throws a CorruptArtifactError; a damaged artifact never turns
 * into a model. Arrays are zero-copy views on `bytes` when it is suitably aligned (they then alias the input), copies otherwise.
 */
export function decodeArtifact(bytes: Uint8Array): ModelArtifact {
  if (!(bytes instanceof Uint8Array)) throw new CorruptArtifactError('input is not a Uint8Array');
  if (bytes.length < PREAMBLE_BYTES) {
    throw new CorruptArtifactError(`truncated: ${bytes.length} bytes, shorter than the ${PREAMBLE_BYTES}-byte preamble`);
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC.charCodeAt(i)) throw new CorruptArtifactError(`wrong magic bytes (expected "${MAGIC}"): not a pickwise model file`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  if (PREAMBLE_BYTES + headerLength > bytes.length) {
    throw new CorruptArtifactError(`truncated: the header declares ${headerLength} bytes but only ${bytes.length - PREAMBLE_BYTES} follow the preamble`);
  }
  const headerBytes = bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new CorruptArtifactError('the header is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CorruptArtifactError(`the header is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const header = checkHeader(parsed);

  const payloadStart = alignUp(PREAMBLE_BYTES + headerLength);
  const expectedLength = payloadStart + header.payloadBytes;
  if (bytes.length < expectedLength) {
    throw new CorruptArtifactError(`truncated: expected ${expectedLength} bytes (payload of ${header.payloadBytes}), got ${bytes.length}`);
  }
  if (bytes.length > expectedLength) {
    throw new CorruptArtifactError(`${bytes.length - expectedLength} unexpected bytes after the payload (expected ${expectedLength} bytes in all)`);
  }
  for (let i = PREAMBLE_BYTES + headerLength; i < payloadStart; i++) {
    if (bytes[i] !== 0) throw new CorruptArtifactError(`non-zero padding byte at offset ${i} between header and payload`);
  }
  const payload = bytes.subarray(payloadStart);
  // Re-serialising the parsed header reproduces the encoder's bytes exactly (same key order, canonical numbers).
  const unsigned: Record<string, unknown> = { ...(parsed as Record<string, unknown>) };
  delete unsigned.checksum;
  const actual = hex32(crc32(payload, crc32(utf8(JSON.stringify(unsigned)))));
  if (actual !== header.checksum) {
    throw new CorruptArtifactError(`checksum mismatch (header says ${header.checksum}, content gives ${actual}): the bytes were altered or damaged`);
  }

  const buffers: Record<string, Float32Array | Int32Array> = {};
  for (const entry of header.buffers) buffers[entry.name] = readBlock(bytes, payloadStart + entry.offset, entry);
  return { header: { kind: header.kind, version: header.version, params: header.params, shapes: header.shapes }, buffers };
}

interface CheckedHeader {
  readonly kind: ModelKind;
  readonly version: number;
  readonly params: Record<string, unknown>;
  readonly shapes: Record<string, readonly number[]>;
  readonly buffers: readonly BufferEntry[];
  readonly payloadBytes: number;
  readonly checksum: string;
}

/** Member-by-member validation of the parsed header; throws CorruptArtifactError naming the first bad member. */
function checkHeader(value: unknown): CheckedHeader {
  const bad = (problem: string): never => {
    throw new CorruptArtifactError(`bad header: ${problem}`);
  };
  if (!isPlainObject(value)) return bad('not a JSON object');
  for (const key of Object.keys(value)) {
    if (!(HEADER_KEYS as readonly string[]).includes(key)) bad(`unexpected member "${key}"`);
  }
  const { kind, version, params, shapes, buffers, payloadBytes, checksum } = value;
  if (typeof kind !== 'string' || !Object.hasOwn(MODEL_KINDS, kind)) bad(`unknown kind ${JSON.stringify(kind)}`);
  if (!Number.isSafeInteger(version) || (version as number) < 1) bad(`version must be a positive integer, got ${JSON.stringify(version)}`);
  if (!isPlainObject(params)) bad('params must be an object');
  const shapeProblem = checkShapes(shapes);
  if (shapeProblem) bad(shapeProblem);
  if (!isByteCount(payloadBytes)) bad(`payloadBytes must be a non-negative integer, got ${JSON.stringify(payloadBytes)}`);
  if (!isPlainObject(checksum) || checksum.algorithm !== 'crc32' || typeof checksum.value !== 'string' || !/^[0-9a-f]{8}$/.test(checksum.value)) {
    bad('checksum must be { algorithm: "crc32", value: 8 lowercase hex digits }');
  }
  if (!Array.isArray(buffers)) return bad('buffers must be an array');

  const entries: BufferEntry[] = [];
  const names = new Set<string>();
  let end = 0;
  for (const [i, raw] of buffers.entries()) {
    if (!isPlainObject(raw)) return bad(`buffers[${i}] is not an object`);
    for (const key of Object.keys(raw)) {
      if (!(BUFFER_KEYS as readonly string[]).includes(key)) bad(`buffers[${i}] has unexpected member "${key}"`);
    }
    const { name, dtype, offset, length } = raw;
    if (typeof name !== 'string' || !BUFFER_NAME.test(name)) return bad(`buffers[${i}] has an invalid name ${JSON.stringify(name)}`);
    if (names.has(name)) bad(`buffer name "${name}" appears twice`);
    names.add(name);
    if (dtype !== 'f32' && dtype !== 'i32') bad(`buffer "${name}" has unknown dtype ${JSON.stringify(dtype)} (expected "f32" or "i32")`);
    if (!isByteCount(offset) || offset % ALIGN !== 0) bad(`buffer "${name}" offset ${JSON.stringify(offset)} is not a non-negative multiple of ${ALIGN}`);
    if (!isByteCount(length)) bad(`buffer "${name}" length ${JSON.stringify(length)} is not a non-negative integer`);
    const o = offset as number;
    const byteEnd = o + 4 * (length as number);
    if (o < end) bad(`buffer "${name}" at offset ${o} overlaps the previous buffer (which ends at ${end})`);
    if (byteEnd > (payloadBytes as number)) {
      bad(`buffer "${name}" spans bytes ${o}..${byteEnd}, outside the ${payloadBytes as number}-byte payload`);
    }
    end = byteEnd;
    entries.push({ name, dtype: dtype as Dtype, offset: o, length: length as number });
  }
  return {
    kind: kind as ModelKind,
    version: version as number,
    params: params as Record<string, unknown>,
    shapes: shapes as Record<string, readonly number[]>,
    buffers: entries,
    payloadBytes: payloadBytes as number,
    checksum: (checksum as { value: string }).value,
  };
}

function checkShapes(shapes: unknown): string | undefined {
  if (!isPlainObject(shapes)) return 'shapes must be an object of integer arrays';
  for (const [name, dims] of Object.entries(shapes)) {
    if (!Array.isArray(dims) || !dims.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      return `shapes.${name} must be an array of non-negative integers`;
    }
  }
  return undefined;
}

function writeBlock(payload: Uint8Array, entry: BufferEntry, array: Float32Array | Int32Array): void {
  if (LITTLE_ENDIAN) {
    payload.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), entry.offset);
    return;
  }
  const view = new DataView(payload.buffer, payload.byteOffset + entry.offset, array.byteLength);
  for (let i = 0; i < array.length; i++) {
    if (entry.dtype === 'f32') view.setFloat32(4 * i, array[i]!, true);
    else view.setInt32(4 * i, array[i]!, true);
  }
}

function readBlock(bytes: Uint8Array, start: number, entry: BufferEntry): Float32Array | Int32Array {
  const absolute = bytes.byteOffset + start;
  const f32 = entry.dtype === 'f32';
  if (LITTLE_ENDIAN && absolute % 4 === 0) {
    return f32 ? new Float32Array(bytes.buffer, absolute, entry.length) : new Int32Array(bytes.buffer, absolute, entry.length);
  }
  const out = f32 ? new Float32Array(entry.length) : new Int32Array(entry.length);
  const view = new DataView(bytes.buffer, absolute, 4 * entry.length);
  for (let i = 0; i < entry.length; i++) out[i] = f32 ? view.getFloat32(4 * i, true) : view.getInt32(4 * i, true);
  return out;
}

/** Plain JSON object: what JSON.parse produces, or a literal; not an array, class instance or typed array. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Path of the first value that JSON would not round-trip exactly, or undefined when all is plain data. */
function findNonJson(value: unknown, path: string): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findNonJson(item, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const found = findNonJson(item, `${path}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return path;
}

function isByteCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function alignUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** zlib's own CRC-32 (Node 20.15 and later): about 10× the table loop below, which older versions use. */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib's crc32); pass the previous result to continue a stream. */
function crc32(bytes: Uint8Array, previous = 0): number {
  return nativeCrc32 ? nativeCrc32(bytes, previous) : tableCrc32(bytes, previous);
}

/** {@link crc32} without zlib's. */
export function tableCrc32(bytes: Uint8Array, previous = 0): number {
  let c = ~previous;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
