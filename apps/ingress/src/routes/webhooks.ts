import { Router } from 'express';
import { ProblemError, type WebhookRecord } from '@hookflow/shared';
import type { Services } from '../services.js';
import { validate } from '../http/validate.js';
import { createWebhookBody, listQuery, updateWebhookBody } from '../api/schemas.js';
import { presentWebhook } from '../api/presenters.js';

export function webhookRoutes(services: Services): Router {
  const { agents, webhooks, keyStore, workflows, config, cache } = services;
  const router = Router();
  const present = async (webhook: WebhookRecord) => presentWebhook(config.publicUrl, webhook, await keyStore.list(webhook.id));
  const requireWorkflow = async (name: string) => {
    if (!(await workflows.find(name))) throw new ProblemError('workflow_not_found', `no workflow named ${name}`);
  };

  router.post('/agents/:agentId/webhooks', async (req, res) => {
    const body = validate(createWebhookBody, req.body);
    const agent = await agents.get(req.params.agentId);
    await requireWorkflow(body.workflow);
    const webhook = await webhooks.create({ ...body, agentId: agent.id });
    res.status(201).json(await present(webhook));
  });

  router.get('/agents/:agentId/webhooks', async (req, res) => {
    const { limit, cursor } = validate(listQuery, req.query, 'query');
    const agent = await agents.get(req.params.agentId);
    const page = await webhooks.pageByAgent(agent.id, limit, cursor ?? null);
    res.json({ items: await Promise.all(page.items.map(present)), nextCursor: page.nextCursor });
  });

  router.get('/webhooks/:webhookId', async (req, res) => {
    res.json(await present(await webhooks.get(req.params.webhookId)));
  });

  router.patch('/webhooks/:webhookId', async (req, res) => {
    const patch = validate(updateWebhookBody, req.body);
    if (patch.workflow !== undefined) await requireWorkflow(patch.workflow);
    const { before, after } = await webhooks.update(req.params.webhookId, patch);
    // Other replicas hear of it over pub/sub; this one forgets at once, so the very next request sees the change.
    cache.invalidate(after.id);
    if (after.status === 'enabled' && before.status !== 'enabled') await services.deliveryLog.releaseAfterResume(after);
    res.json(await present(after));
  });

  router.delete('/webhooks/:webhookId', async (req, res) => {
    await webhooks.delete(req.params.webhookId);
    cache.invalidate(req.params.webhookId);
    res.status(204).end();
  });
  return router;
}
