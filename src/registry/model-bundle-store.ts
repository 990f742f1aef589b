import { createHash } from 'node:crypto';
import { decodeArtifact, encodeArtifact, validateCsr, type CsrMatrix, type ModelKind } from '../models/index.ts';
import { NotFoundError, ValidationError } from '../shared/index.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { ReservationWatermark } from '../warehouse/index.ts';
import type { MetricValues } from '../evaluation/index.ts';
import { checkArtifact, missingArtifact, type ArtifactDigests, type RecordedArtifact } from './artifact-digests.ts';

/** What a trained model needs to answer for external ids: the model, both id maps and what each user has already reserved. */
export interface ModelBundle {
  readonly manifest: ModelManifest;
  readonly model: Uint8Array;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  /** Training interactions (users × items): excluded from a user's recommendations. */
  readonly seen: CsrMatrix;
}

export interface ModelManifest {
  readonly version: string;
  readonly kind: ModelKind;
  readonly params: Readonly<Record<string, unknown>>;
  readonly trainedAt: string;
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
  /** Hold-out metrics of the same settings, and of popularity on the same split. */
  readonly holdout?: { readonly k: number; readonly metrics: MetricValues; readonly popularity: MetricValues; readonly users: number };
  /**
   * How far into the warehouse its data reached (see ReservationWatermark): serving and `pickwise recommend` add
   * the reservations above it to each user's list without retraining. Absent in bundles saved before it existed
   * (then `trainedAt` stands in for it).
   */
  readonly watermark?: ReservationWatermark;
}

const MODELS = 'models';

/** Where a bundle was written, and what: each file's key, size and SHA-256. */
export interface SavedBundle {
  readonly prefix: string;
  readonly artifacts: readonly RecordedArtifact[];
}

/** Where trained models live in the bucket: `models/<kind>/<version>/{manifest.json, model.pwm, ids.json, seen.pwm}`, plus `models/latest.json`. */
export class ModelBundleStore {
  readonly #store: ObjectStore;
  constructor(store: ObjectStore) {
    this.#store = store;
  }

  /**
   * Writes the bundle under `prefix` (default `models/<kind>/<version>`), points `models/latest.json` at it,
   * and returns the prefix with each written file's size and SHA-256 (for the run's records).
   */
  async save(bundle: ModelBundle, prefix = `${MODELS}/${bundle.manifest.kind}/${bundle.manifest.version}`): Promise<SavedBundle> {
    const { kind, version } = bundle.manifest;
    const artifacts: RecordedArtifact[] = [];
    const put = async (name: string, bytes: Uint8Array): Promise<void> => {
      const key = `${prefix}/${name}`;
      await this.#store.put(key, bytes);
      artifacts.push({ key, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    };
    await put('model.pwm', bundle.model);
    await put('ids.json', Buffer.from(JSON.stringify({ users: bundle.userIds, items: bundle.itemIds })));
    const seen = encodeArtifact({
      header: { kind, version: 1, params: {}, shapes: { seen: [bundle.seen.rows, bundle.seen.cols] } },
      buffers: { indptr: bundle.seen.indptr, indices: bundle.seen.indices, data: bundle.seen.data },
    });
    await put('seen.pwm', seen);
    // The manifest is written last: a bundle is complete once its manifest exists.
    await put('manifest.json', Buffer.from(JSON.stringify(bundle.manifest, null, 2)));
    await this.#store.put(`${MODELS}/latest.json`, JSON.stringify({ kind, version, prefix }));
    return { prefix, artifacts };
  }

  /**
   * The newest saved bundle (`models/latest.json`), or the one under `prefix`. With `digests` (a registered
   * version's recorded artifacts), each file is checked against its recorded size and SHA-256 as it is read,
   * so the bytes checked are the bytes used, read once.
   */
  async load(prefix?: string, digests?: ArtifactDigests): Promise<ModelBundle> {
    const where = prefix ?? (await this.latestPrefix());
    const read = async (name: string): Promise<Uint8Array> => {
      const key = `${where}/${name}`;
      if (!digests) return this.#bytes(key);
      if (!(await this.#store.stat(key))) throw missingArtifact(digests, key, this.#store.url);
      const bytes = await this.#bytes(key);
      checkArtifact(digests, key, bytes);
      return bytes;
    };
    const text = async (name: string): Promise<string> => Buffer.from(await read(name)).toString('utf8');
    const manifest = JSON.parse(await text('manifest.json')) as ModelManifest;
    const ids = JSON.parse(await text('ids.json')) as { users: string[]; items: string[] };
    const seenArtifact = decodeArtifact(await read('seen.pwm'));
    const [rows = 0, cols = 0] = seenArtifact.header.shapes['seen'] ?? [];
    const seen: CsrMatrix = {
      rows,
      cols,
      indptr: seenArtifact.buffers['indptr'] as Int32Array,
      indices: seenArtifact.buffers['indices'] as Int32Array,
      data: seenArtifact.buffers['data'] as Float32Array,
    };
    validateCsr(seen);
    if (ids.users.length !== rows || ids.items.length !== cols) {
      throw new ValidationError(`model bundle ${where} is inconsistent: ${ids.users.length}×${ids.items.length} ids for a ${rows}×${cols} matrix`);
    }
    return { manifest, model: await read('model.pwm'), userIds: ids.users, itemIds: ids.items, seen };
  }

  /** Where `models/latest.json` points: the newest saved bundle's prefix. */
  async latestPrefix(): Promise<string> {
    const info = await this.#store.stat(`${MODELS}/latest.json`);
    if (!info) throw new NotFoundError(`no trained model in ${this.#store.url}: run pickwise train first`);
    return (JSON.parse(await this.#text(`${MODELS}/latest.json`)) as { prefix: string }).prefix;
  }

  /** The object's bytes in shared memory: models decode to views on it that worker threads can use without a copy. */
  async #bytes(key: string): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of await this.#store.get(key)) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).length;
    }
    const out = new Uint8Array(new SharedArrayBuffer(total));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  async #text(key: string): Promise<string> {
    return Buffer.from(await this.#bytes(key)).toString('utf8');
  }
}
