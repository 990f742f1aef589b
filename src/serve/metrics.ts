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
    model: new Gauge({
      name: 'pickwise_model_info',
      help: 'The model being served (value 1)',
      labelNames: ['kind', 'version', 'name', 'registry_version'],
      registers: [registry],
    }),
  };
}

export type ServeMetrics = ReturnType<typeof createServeMetrics>;
