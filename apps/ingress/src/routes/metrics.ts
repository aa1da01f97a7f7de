import { Router } from 'express';
import type { OperationDoc } from '../api/operation.js';

export const metricsOperations: OperationDoc[] = [
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tag: 'health',
    ok: { status: 200, description: 'Prometheus text format', contentType: 'text/plain' },
    problems: [],
  },
];

/** Prometheus text format, no auth (API.md §2): keep labels free of anything secret or per-tenant. */
export function metricsRoutes(registry: { contentType: string; metrics(): Promise<string> }): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });
  return router;
}
