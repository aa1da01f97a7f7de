import { Router } from 'express';
import type { Services } from '../services.js';

export function workflowRoutes({ workflows }: Services): Router {
  const router = Router();
  router.get('/workflows', async (_req, res) => {
    res.json({ items: await workflows.list(), nextCursor: null });
  });
  return router;
}
