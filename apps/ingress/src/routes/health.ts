import { Router } from 'express';
import { z } from 'zod';
import type { RedisClient } from '@hookflow/shared';
import type { OperationDoc } from '../api/operation.js';

export const healthResponse = z.object({ status: z.string() }).meta({ id: 'Health' });

export const healthOperations: OperationDoc[] = [
  {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness',
    tag: 'health',
    ok: { status: 200, description: 'the process runs', schema: healthResponse },
    problems: [],
  },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness',
    tag: 'health',
    ok: { status: 200, description: 'the store is reachable', schema: healthResponse },
    also: [{ status: 503, description: 'the store is unreachable', schema: healthResponse }],
    problems: [],
  },
];

/** Liveness, readiness (is Redis answering?) — no auth, cheap, never hanging. */
export function healthRoutes(redis: RedisClient): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const ok = await Promise.race([
      redis.ping().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1_000).unref()),
    ]);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable' });
  });
  return router;
}
