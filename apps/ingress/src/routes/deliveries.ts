import { Router } from 'express';
import { ProblemError } from '@hookflow/shared';
import type { Services } from '../services.js';

export function deliveryRoutes({ deliveries }: Services): Router {
  const router = Router();
  router.get('/deliveries/:deliveryId', async (req, res) => {
    const delivery = await deliveries.get(req.params.deliveryId);
    if (!delivery) throw new ProblemError('delivery_not_found', `delivery ${req.params.deliveryId} does not exist`);
    res.json(delivery);
  });
  return router;
}
