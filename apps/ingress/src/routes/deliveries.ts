import { Router } from 'express';
import { ProblemError } from '@hookflow/shared';
import type { Services } from '../services.js';
import { validate } from '../http/validate.js';
import { listDeliveriesQuery } from '../api/schemas.js';

export function deliveryRoutes({ deliveries, deliveryLog }: Services): Router {
  const router = Router();
  router.get('/webhooks/:webhookId/deliveries', async (req, res) => {
    const query = validate(listDeliveriesQuery, req.query, 'query');
    res.json(await deliveryLog.list(req.params.webhookId, query));
  });
  router.post('/webhooks/:webhookId/deliveries/retry-failed', async (req, res) => {
    res.status(202).json({ retried: await deliveryLog.retryFailed(req.params.webhookId) });
  });
  router.get('/deliveries/:deliveryId', async (req, res) => {
    const delivery = await deliveries.get(req.params.deliveryId);
    if (!delivery) throw new ProblemError('delivery_not_found', `delivery ${req.params.deliveryId} does not exist`);
    res.json(delivery);
  });
  router.post('/deliveries/:deliveryId/cancel', async (req, res) => {
    res.json(await deliveryLog.cancel(req.params.deliveryId));
  });
  router.post('/deliveries/:deliveryId/replay', async (req, res) => {
    const { deliveryId, replayOf, status } = await deliveryLog.replay(req.params.deliveryId);
    res.status(202).json({ deliveryId, replayOf, status });
  });
  return router;
}
