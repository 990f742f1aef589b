import type { Logger } from '../shared/io.ts';
import { BackendUnavailableError, type Clock } from '../shared/index.ts';
import { WarningCode, type RecommendationWarning } from '../registry/index.ts';
import type { Warehouse } from '../warehouse/index.ts';
import type { ServedListRecorder } from '../feedback/index.ts';
import type { ServeMetrics } from './metrics.ts';
import type { FreshHistory } from './fresh-history.ts';
import type { ModelHolder } from './model-holder.ts';
import type { ServedModel } from './served-model.ts';

/** What the route plugins are given (the options of each `routes/*.ts` plugin). */
export interface RouteDeps {
  readonly holder: ModelHolder;
  readonly warehouse: Warehouse;
  readonly metrics: ServeMetrics;
  readonly logger: Logger;
  /** Users per batch request, at most. */
  readonly maxBatchUsers: number;
  /** Records every list served, when recording is on. */
  readonly recorder?: ServedListRecorder | undefined;
  /** Now, for the time a list was served (default: the system clock). */
  readonly clock?: Clock | undefined;
  /** Reservations loaded since the served model's data, which users' lists take into account (serve.freshnessSeconds). */
  readonly fresh?: FreshHistory | undefined;
}

/** The model to answer with, read once per request (a swap during the request does not change it). */
export function servedModel(holder: ModelHolder): ServedModel {
  const current = holder.current;
  if (current === undefined) throw new BackendUnavailableError('no model is loaded yet; retry shortly (GET /readyz says when one is)');
  return current;
}

/** How a response names the model that answered. */
export function modelRef(m: ServedModel): { kind: string; version: string; name: string | null; registry_version: number | null } {
  return { kind: m.loaded.manifest.kind, version: m.loaded.manifest.version, name: m.name, registry_version: m.version };
}

/** A warning for every list while the service catalog in use is older than the last attempt to read it. */
export function catalogWarnings(holder: ModelHolder, m: ServedModel): RecommendationWarning[] {
  if (holder.catalogError === undefined) return [];
  const message =
    m.catalog.readAt === undefined
      ? 'service names and categories are missing: the warehouse could not be read'
      : `service names, categories and regions are as read at ${m.catalog.readAt}: the warehouse could not be read since`;
  return [{ code: WarningCode.CATALOG_STALE, message }];
}
