import { KIND_ORDER, kindOfFile } from '../preprocess/index.ts';
import type { LandingKind } from '../shared/index.ts';
import { baseName, type ObjectInfo, type ObjectStore } from '../storage/index.ts';

export interface LandingObject {
  readonly info: ObjectInfo;
  readonly name: string;
  /** undefined when the name matches no kind of the landing contract. */
  readonly kind: LandingKind | undefined;
}

/** Every object under the landing prefix, dimensions first (users, services, then reservations), then by key. */
export async function listLanding(store: ObjectStore, prefix: string): Promise<LandingObject[]> {
  const found: LandingObject[] = [];
  for await (const info of store.list(prefix)) {
    const name = baseName(info.key);
    if (name.startsWith('.')) continue; // editor and OS droppings (.DS_Store, partial uploads)
    found.push({ info, name, kind: kindOfFile(name) });
  }
  const rank = (k: LandingKind | undefined): number => (k === undefined ? KIND_ORDER.length : KIND_ORDER.indexOf(k));
  return found.sort((a, b) => rank(a.kind) - rank(b.kind) || (a.info.key < b.info.key ? -1 : a.info.key > b.info.key ? 1 : 0));
}

/** `raw/YYYY/MM/DD/<sha256-prefix>-<name>` for the day the file was detected (UTC). */
export function backupKeyFor(rawPrefix: string, detectedAt: Date, sha256: string, name: string): string {
  const y = detectedAt.getUTCFullYear();
  const m = String(detectedAt.getUTCMonth() + 1).padStart(2, '0');
  const d = String(detectedAt.getUTCDate()).padStart(2, '0');
  return `${rawPrefix.replace(/\/?$/, '/')}${y}/${m}/${d}/${sha256.slice(0, 12)}-${name}`;
}

/** `quarantine/<sha256-prefix>-<name>.rejects.csv`: one per file version, so a new version never overwrites old rejects. */
export function quarantineKeyFor(quarantinePrefix: string, sha256: string, name: string): string {
  return `${quarantinePrefix.replace(/\/?$/, '/')}${sha256.slice(0, 12)}-${name.replace(/\.csv$/i, '')}.rejects.csv`;
}
