import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The ingress's Prometheus metrics, in a registry of their own (no global state, so tests and several apps in one
 * process do not collide). Labels are low-cardinality on purpose: a scheme, a status, an error code — never a
 * webhook id.
 */
export function createIngressMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hookflow_ingress_' });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'hookflow_ingress_requests_total',
      help: 'Requests to /hooks/{webhookId} by signing scheme and HTTP status',
      labelNames: ['scheme', 'status'] as const,
      registers,
    }),
    verificationFailures: new Counter({
      name: 'hookflow_ingress_verification_failures_total',
      help: 'Requests refused because authentication failed, by scheme and problem code',
      labelNames: ['scheme', 'code'] as const,
      registers,
    }),
    duplicates: new Counter({
      name: 'hookflow_ingress_duplicates_total',
      help: 'Requests answered 200 duplicate (dedupe key seen inside the window)',
      labelNames: ['scheme'] as const,
      registers,
    }),
    rateLimited: new Counter({
      name: 'hookflow_ingress_rate_limited_total',
      help: "Requests refused 429 by a webhook's rate limit",
      labelNames: ['scheme'] as const,
      registers,
    }),
    enqueueDuration: new Histogram({
      name: 'hookflow_ingress_enqueue_duration_seconds',
      help: 'Time from handing a delivery to the enqueuer until Redis confirmed its record and job',
      labelNames: ['result'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3],
      registers,
    }),
  };
}

export type IngressMetrics = ReturnType<typeof createIngressMetrics>;
