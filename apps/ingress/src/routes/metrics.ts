import { Router } from 'express';

/** Prometheus text format, no auth (API.md §2): keep labels free of anything secret or per-tenant. */
export function metricsRoutes(registry: { contentType: string; metrics(): Promise<string> }): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });
  return router;
}
