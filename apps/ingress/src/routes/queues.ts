import { Router } from 'express';
import type { Services } from '../services.js';

export function queueRoutes({ queueOverview }: Services): Router {
  const router = Router();
  router.get('/queues', async (_req, res) => {
    res.json({ items: await queueOverview.list(), nextCursor: null });
  });
  return router;
}
