import { BackendUnavailableError, quoteInput } from '../shared/index.ts';
import type { ServiceCatalogRows } from '../warehouse/index.ts';
import type { LoadedModel } from './loaded-model.ts';
import { WarningCode, type RecommendationWarning } from './recommendation-warnings.ts';

/** Recommend only services of this category and/or in this region (names as in the landing files). */
export interface ServiceFilter {
  readonly category?: string | undefined;
  readonly region?: string | undefined;
}

/** The model's dense ids a filter allows (ascending), and what the caller should be told about the filter. */
export interface FilteredCandidates {
  readonly candidates: Int32Array;
  readonly warnings: readonly RecommendationWarning[];
}

/** What a list shows beside a service id; null where the warehouse has no row for the service. */
export interface ServiceLabel {
  readonly name: string | null;
  readonly category: string | null;
}

/** The catalog rows and when they were read. */
export interface CatalogRead {
  readonly rows: ServiceCatalogRows;
  /** ISO-8601. */
  readonly readAt: string;
}

const NO_LABEL: ServiceLabel = { name: null, category: null };
const LISTED_NAMES = 12;

/**
 * The warehouse's services as one model sees them: each of the model's services' name and category, and its
 * dense ids per category and per region. It is built from rows read once (per model load, and again when a
 * server refreshes it), so lists and filters answer from memory and keep answering while the database is away.
 * Services newer than the model are not in it and cannot be recommended until the next training.
 */
export class ServiceCatalog {
  /** When the rows were read; undefined when they never could be. */
  readonly readAt: string | undefined;
  readonly #labels: readonly ServiceLabel[];
  readonly #byCategory: ReadonlyMap<string, Int32Array>;
  readonly #byRegion: ReadonlyMap<string, Int32Array>;
  readonly #unreadCause: unknown;

  private constructor(o: {
    readAt: string | undefined;
    labels: readonly ServiceLabel[];
    byCategory: ReadonlyMap<string, Int32Array>;
    byRegion: ReadonlyMap<string, Int32Array>;
    unreadCause?: unknown;
  }) {
    this.readAt = o.readAt;
    this.#labels = o.labels;
    this.#byCategory = o.byCategory;
    this.#byRegion = o.byRegion;
    this.#unreadCause = o.unreadCause;
  }

  /** The catalog of `model`'s services from rows read from the warehouse. */
  static build(model: Pick<LoadedModel, 'itemIds' | 'itemIndex'>, read: CatalogRead): ServiceCatalog {
    const labels: ServiceLabel[] = new Array<ServiceLabel>(model.itemIds.length).fill(NO_LABEL);
    const byCategory = new Map<string, number[]>(read.rows.categories.map((c) => [c, []]));
    const byRegion = new Map<string, number[]>(read.rows.regions.map((r) => [r, []]));
    for (const s of read.rows.services) {
      const dense = model.itemIndex.get(s.serviceId);
      if (dense === undefined) continue;
      labels[dense] = { name: s.name, category: s.category };
      byCategory.get(s.category)?.push(dense);
      if (s.region !== null) byRegion.get(s.region)?.push(dense);
    }
    const sorted = (m: Map<string, number[]>) => new Map([...m].map(([k, ids]) => [k, Int32Array.from(ids).sort()]));
    return new ServiceCatalog({ readAt: read.readAt, labels, byCategory: sorted(byCategory), byRegion: sorted(byRegion) });
  }

  /** A catalog that could not be read (`cause`): lists show no names, and filters cannot be applied. */
  static unread(model: Pick<LoadedModel, 'itemIds'>, cause: unknown): ServiceCatalog {
    return new ServiceCatalog({
      readAt: undefined,
      labels: new Array<ServiceLabel>(model.itemIds.length).fill(NO_LABEL),
      byCategory: new Map(),
      byRegion: new Map(),
      unreadCause: cause,
    });
  }

  /** Name and category of the model's service `item` (a dense id). */
  label(item: number): ServiceLabel {
    return this.#labels[item] ?? NO_LABEL;
  }

  /**
   * The model's services in `filter.category` and `filter.region` (both when both are given), with a warning
   * when a name is unknown to the warehouse or when no service the model knows matches. Throws a
   * BackendUnavailableError when the catalog was never read.
   */
  filter(filter: ServiceFilter): FilteredCandidates {
    if (this.readAt === undefined) {
      throw new BackendUnavailableError(
        'category and region filters need the service catalog, which could not be read from the warehouse yet; retry when the database is back, or ask without the filter',
        { cause: this.#unreadCause },
      );
    }
    const warnings: RecommendationWarning[] = [];
    const sets: Int32Array[] = [];
    let unknown = false;
    for (const [kind, value, index, code] of [
      ['category', filter.category, this.#byCategory, WarningCode.UNKNOWN_CATEGORY],
      ['region', filter.region, this.#byRegion, WarningCode.UNKNOWN_REGION],
    ] as const) {
      if (value === undefined) continue;
      const ids = index.get(value);
      if (ids === undefined) {
        unknown = true;
        warnings.push({ code, message: `no ${kind} ${quoteInput(value)} in the warehouse${suggest(value, index)}` });
      } else {
        sets.push(ids);
      }
    }
    if (unknown) return { candidates: new Int32Array(0), warnings };
    const candidates = sets.length === 0 ? Int32Array.from(this.#labels.keys()) : sets.reduce((a, b) => intersectSorted(a, b));
    if (candidates.length === 0) {
      const parts = [
        filter.category === undefined ? '' : `in category ${quoteInput(filter.category)}`,
        filter.region === undefined ? '' : `in region ${quoteInput(filter.region)}`,
      ].filter(Boolean);
      const each = sets.length > 1 ? ` (it knows ${sets[0]!.length} in the category and ${sets[1]!.length} in the region)` : '';
      warnings.push({
        code: WarningCode.NO_MATCHING_SERVICE,
        message: `no service the model knows is ${parts.join(' and ')}${each}; services added since the model was trained join at the next training`,
      });
    }
    return { candidates, warnings };
  }
}

/** Ids in both ascending arrays, ascending. */
function intersectSorted(a: Int32Array, b: Int32Array): Int32Array {
  const out: number[] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    if (a[i]! < b[j]!) i++;
    else if (a[i]! > b[j]!) j++;
    else {
      out.push(a[i]!);
      i++;
      j++;
    }
  }
  return Int32Array.from(out);
}

/** ": did you mean 'Busan'?" for a name differing only in case, else the known names (the first few). */
function suggest(value: string, index: ReadonlyMap<string, unknown>): string {
  const names = [...index.keys()];
  const close = names.find((n) => n.toLowerCase() === value.trim().toLowerCase());
  if (close !== undefined) return `; did you mean '${close}'?`;
  if (names.length === 0) return ' (it has none yet)';
  const more = names.length > LISTED_NAMES ? `, and ${names.length - LISTED_NAMES} more` : '';
  return ` (known: ${names.slice(0, LISTED_NAMES).join(', ')}${more})`;
}
