import { Router } from 'express';
import type { Services } from '../services.js';
import { validate } from '../http/validate.js';
import { createAgentBody, listQuery } from '../api/schemas.js';

export function agentRoutes({ agents }: Services): Router {
  const router = Router();
  router.post('/agents', async (req, res) => {
    res.status(201).json(await agents.create(validate(createAgentBody, req.body)));
  });
  router.get('/agents', async (req, res) => {
    const { limit, cursor } = validate(listQuery, req.query, 'query');
    res.json(await agents.list(limit, cursor ?? null));
  });
  router.get('/agents/:agentId', async (req, res) => {
    res.json(await agents.get(req.params.agentId));
  });
  router.delete('/agents/:agentId', async (req, res) => {
    await agents.delete(req.params.agentId);
    res.status(204).end();
  });
  return router;
}
