import { AliasTable } from './alias-table.ts';
import { CATEGORIES, REGIONS, REGION_GROUPS } from './catalog.ts';
import type { Services } from './world.ts';

/** Services that can be proposed, and an alias table over their popularity (its indices point into `ids`). */
export interface SamplingTable {
  readonly ids: Int32Array;
  readonly popularity: AliasTable;
}

/**
 * Popularity-weighted proposal tables at the levels a customer browses: everything, their metro area, their
 * district, and one category in their district. Every slot holds a usable table: a level with no provider
 * falls back to the next coarser one, so the hot loop never checks for emptiness.
 */
export interface CandidateTables {
  readonly global: SamplingTable;
  /** Indexed by REGION_GROUPS position. */
  readonly byGroup: readonly SamplingTable[];
  /** Indexed by REGIONS position. */
  readonly byRegion: readonly SamplingTable[];
  /** Indexed by `region * CATEGORIES.length + category`. */
  readonly byRegionCategory: readonly SamplingTable[];
  /** Indexed by `group * CATEGORIES.length + category`. */
  readonly byGroupCategory: readonly SamplingTable[];
}

function table(ids: readonly number[], popularity: Float64Array): SamplingTable {
  return { ids: Int32Array.from(ids), popularity: new AliasTable(ids.map((s) => popularity[s] as number)) };
}

/** Builds the proposal tables; needs at least one service. */
export function buildCandidateTables(services: Services): CandidateTables {
  const buckets = (key: (s: number) => number, size: number): number[][] => {
    const out = Array.from({ length: size }, () => [] as number[]);
    for (let s = 0; s < services.count; s++) out[key(s)]?.push(s);
    return out;
  };
  const pop = services.popularity;
  const regionOf = (s: number) => services.region[s] ?? 0;
  const categoryOf = (s: number) => services.category[s] ?? 0;
  const groupOfRegion = REGIONS.map((r) => r.group);
  const nCat = CATEGORIES.length;

  const global = table(
    Array.from({ length: services.count }, (_, s) => s),
    pop,
  );
  const byGroup = buckets((s) => groupOfRegion[regionOf(s)] ?? 0, REGION_GROUPS.length).map((ids) => (ids.length > 0 ? table(ids, pop) : global));
  const byRegion = buckets(regionOf, REGIONS.length).map((ids, r) => (ids.length > 0 ? table(ids, pop) : (byGroup[groupOfRegion[r] ?? 0] ?? global)));
  const byGroupCategory = buckets((s) => (groupOfRegion[regionOf(s)] ?? 0) * nCat + categoryOf(s), REGION_GROUPS.length * nCat).map((ids) =>
    ids.length > 0 ? table(ids, pop) : undefined,
  );
  const byCategory = buckets(categoryOf, nCat).map((ids) => (ids.length > 0 ? table(ids, pop) : undefined));
  // A category missing in the district is looked for in the metro area, then nationwide, then given up for
  // the district's general table.
  const byRegionCategory = buckets((s) => regionOf(s) * nCat + categoryOf(s), REGIONS.length * nCat).map((ids, i) => {
    if (ids.length > 0) return table(ids, pop);
    const r = Math.floor(i / nCat);
    const c = i % nCat;
    return byGroupCategory[(groupOfRegion[r] ?? 0) * nCat + c] ?? byCategory[c] ?? byRegion[r] ?? global;
  });
  const byGroupCategoryFilled = byGroupCategory.map((t, i) => t ?? byCategory[i % nCat] ?? byGroup[Math.floor(i / nCat)] ?? global);
  return { global, byGroup, byRegion, byRegionCategory, byGroupCategory: byGroupCategoryFilled };
}
