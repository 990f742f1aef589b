/** Every path the API answers on, named once: routes, tests, the OpenAPI document and the README refer to these. */
export const RoutePath = {
  userRecommendations: '/v1/users/:userId/recommendations',
  foldIn: '/v1/recommendations',
  batch: '/v1/recommendations/batch',
  similarServices: '/v1/services/:serviceId/similar',
  currentModel: '/v1/models/current',
  feedback: '/v1/feedback',
  health: '/healthz',
  ready: '/readyz',
  metrics: '/metrics',
  openapi: '/openapi.json',
  docs: '/docs',
  dashboard: '/dashboard',
  dashboardAssets: '/dashboard/assets',
} as const;
