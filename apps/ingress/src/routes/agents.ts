import { Router, type Response } from 'express';
import { ProblemError, type OutboundSecret } from '@hookflow/shared';
import type { Services } from '../services.js';
import { validate } from '../http/validate.js';
import { createAgentBody, listQuery, rotateOutboundSecretBody } from '../api/schemas.js';

/** A rotation without `graceSeconds` keeps the old secret signing for a day, so receivers have time to switch. */
const defaultGraceSeconds = 86_400;

export function agentRoutes({ agents, outboundSecrets }: Services): Router {
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

  // The secret itself is in the answer, so even reading it takes the admin token, not the read-only one.
  router.get('/agents/:agentId/outbound-secret', async (req, res) => {
    requireAdminRole(res);
    await agents.get(req.params.agentId);
    res.json(presentSecret(await outboundSecrets.get(req.params.agentId)));
  });
  router.post('/agents/:agentId/outbound-secret', async (req, res) => {
    requireAdminRole(res);
    const { graceSeconds = defaultGraceSeconds } = validate(rotateOutboundSecretBody, req.body ?? {});
    await agents.get(req.params.agentId);
    res.json(presentSecret(await outboundSecrets.rotate(req.params.agentId, graceSeconds)));
  });
  return router;
}

function requireAdminRole(res: Response): void {
  if (res.locals.role !== 'admin') throw new ProblemError('forbidden', 'the outbound secret needs the admin token');
}

/** The previous secret stays server-side: notify sends its signature too, so a receiver needs only the current one. */
function presentSecret({ secret, scheme, previousExpiresAt }: OutboundSecret) {
  return { secret, scheme, previousExpiresAt };
}
