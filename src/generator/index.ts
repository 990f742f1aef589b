/**
 * Public API of the landing-file generator: realistic, seeded users/services/reservations CSVs for demos,
 * tests and benchmarks. The caller supplies the sink (files, object store, memory).
 */
export {
  generateLanding,
  DEFAULT_PERIOD,
  type GenerateLandingOptions,
  type LandingFileSummary,
  type LandingFileWriter,
  type LandingSink,
  type LandingSummary,
} from './generate-landing.ts';
export { LANDING_FILES, LANDING_HEADERS } from './landing-rows.ts';
export { DIRTY_KINDS, type DirtyKind, type DirtyKindOf, type LandingFileKind } from './dirty-rows.ts';
export { STATUSES, type ReservationStatus } from './reservations.ts';
export { Rng, type MutableIndexed } from '../shared/index.ts';
export { StoreSink } from './store-sink.ts';
