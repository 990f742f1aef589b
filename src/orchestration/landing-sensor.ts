import { createHash } from 'node:crypto';
import { baseName, type ObjectInfo, type ObjectStore } from '../storage/index.ts';
import { LedgerRepo, SETTLED_STATUSES, type Warehouse } from '../warehouse/index.ts';
import type { LandingFile, LandingSource } from './scheduler-types.ts';

/** What the sensor asks the ingest ledger: whether an ingest already settled a file. */
export interface LandingLedger {
  /** An ingest settled this key with this etag and size: the file has not changed since. */
  settledUnchanged(info: ObjectInfo): Promise<boolean>;
  /** An ingest settled this exact version (key and content). */
  settledVersion(key: string, sha256: string): Promise<boolean>;
}

/** The ingest ledger of the warehouse (`ingest_file`), as the sensor asks it. */
export function warehouseLandingLedger(warehouse: Pick<Warehouse, 'db'>): LandingLedger {
  const ledger = new LedgerRepo(warehouse.db);
  return {
    settledUnchanged: async (info) => (await ledger.findUnchanged(info.key, info.etag, info.size)) !== undefined,
    settledVersion: async (key, sha256) => {
      const entry = await ledger.findVersion(key, sha256);
      return entry !== undefined && SETTLED_STATUSES.includes(entry.status);
    },
  };
}

/**
 * The landing sensor: files under the landing prefix that no ingest has settled, each with the hash of its content
 * (the run key `file@<key>#<sha256>` names the version, so a file replaced later gets a run of its own). It runs in
 * the scheduler's tick and holds no worker slot. Unchanged files cost a ledger look-up; a file is hashed once per
 * version (etag and size) while this process lives.
 */
export class LandingSensor implements LandingSource {
  readonly #store: ObjectStore;
  readonly #prefix: string;
  readonly #ledger: LandingLedger;
  readonly #hashes = new Map<string, { version: string; sha256: string }>();

  constructor(o: { readonly store: ObjectStore; readonly prefix: string; readonly ledger: LandingLedger }) {
    this.#store = o.store;
    this.#prefix = o.prefix;
    this.#ledger = o.ledger;
  }

  async newFiles(prefix: string = this.#prefix): Promise<readonly LandingFile[]> {
    const found: LandingFile[] = [];
    for await (const info of this.#store.list(prefix)) {
      if (baseName(info.key).startsWith('.')) continue; // editor and OS droppings, partial uploads
      if (await this.#ledger.settledUnchanged(info)) continue;
      const sha256 = await this.#sha256(info);
      if (await this.#ledger.settledVersion(info.key, sha256)) continue;
      found.push({ key: info.key, sha256, size: info.size, modifiedAt: info.modifiedAt });
    }
    return found;
  }

  async #sha256(info: ObjectInfo): Promise<string> {
    const version = `${info.etag}|${info.size}`;
    const known = this.#hashes.get(info.key);
    if (known?.version === version) return known.sha256;
    const hash = createHash('sha256');
    for await (const chunk of await this.#store.get(info.key)) hash.update(chunk as Buffer);
    const sha256 = hash.digest('hex');
    this.#hashes.set(info.key, { version, sha256 });
    return sha256;
  }
}
