import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The server's Prometheus metrics, in their own registry (no global state). */
export function createServeMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pickwise_' });
  return {
    registry,
    requests: new Counter({
      name: 'pickwise_http_requests_total',
      help: 'HTTP requests by route, method and status',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'pickwise_http_request_duration_seconds',
      help: 'HTTP request latency by route, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    served: new Counter({
      name: 'pickwise_recommendations_served_total',
      help: 'Recommendation lists served, by model version and basis',
      labelNames: ['model', 'basis'],
      registers: [registry],
    }),
    loadSeconds: new Gauge({ name: 'pickwise_model_load_seconds', help: 'Seconds the serving model took to load and verify', registers: [registry] }),
    feedbackEvents: new Counter({
      name: 'pickwise_feedback_events_total',
      help: 'Feedback events received, by type, outcome (stored, duplicate, rejected) and attribution (list, window, none; empty unless stored)',
      labelNames: ['type', 'status', 'attribution'],
      registers: [registry],
    }),
    servedListsRecorded: new Counter({
      name: 'pickwise_served_lists_recorded_total',
      help: 'Served lists taken into the recording buffer',
      registers: [registry],
    }),
    servedListsWritten: new Counter({
      name: 'pickwise_served_lists_written_total',
      help: 'Served lists committed to the warehouse (rec_list, rec_impression)',
      registers: [registry],
    }),
    servedListsDropped: new Counter({
      name: 'pickwise_served_lists_dropped_total',
      help: 'Served lists not recorded: the buffer was full (feedback.maxBufferedLists) or the disk refused the batch',
      registers: [registry],
    }),
    servedListsPending: new Gauge({
      name: 'pickwise_served_lists_pending',
      help: 'Served lists waiting on disk for the warehouse (it was away or slow)',
      registers: [registry],
    }),
    modelSwaps: new Counter({
      name: 'pickwise_model_swaps_total',
      help: 'Times the served model was replaced by another one without a restart (the first load not counted)',
      registers: [registry],
    }),
    modelLoadFailures: new Counter({
      name: 'pickwise_model_load_failures_total',
      help: 'Models the registry named that could not be loaded (the previous one stayed served)',
      registers: [registry],
    }),
    model: new Gauge({
      name: 'pickwise_model_info',
      help: 'The model being served (value 1)',
      labelNames: ['kind', 'version', 'name', 'registry_version'],
      registers: [registry],
    }),
  };
}

export type ServeMetrics = ReturnType<typeof createServeMetrics>;
