/** The feature store: id maps and the weighted interaction log built from the warehouse. */
export { IdIndex } from './id-index.ts';
export { DEFAULT_WEIGHTING, interactionWeight, type InteractionWeighting } from './interaction-weights.ts';
export { loadInteractionLog, parseWarehouseTime, type InteractionLog } from './interaction-log.ts';
