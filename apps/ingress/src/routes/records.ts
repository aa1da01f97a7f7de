import { Router } from 'express';
import { ProblemError } from '@hookflow/shared';
import type { Services } from '../services.js';
import { validate } from '../http/validate.js';
import { listQuery } from '../api/schemas.js';

/** Agent records written by `store` steps, read-only: `{ collection, key, value, updatedAt }`. */
export function recordRoutes({ agents, records }: Services): Router {
  const router = Router();
  router.get('/agents/:agentId/records/:collection', async (req, res) => {
    const { limit, cursor } = validate(listQuery, req.query, 'query');
    const agent = await agents.get(req.params.agentId);
    res.json(await records.list(agent.id, req.params.collection, limit, cursor ?? null));
  });

  router.get('/agents/:agentId/records/:collection/:key', async (req, res) => {
    const agent = await agents.get(req.params.agentId);
    const record = await records.get(agent.id, req.params.collection, req.params.key);
    if (!record) throw new ProblemError('not_found', `no record ${req.params.key.slice(0, 100)} in collection ${req.params.collection.slice(0, 64)}`);
    res.json(record);
  });
  return router;
}
