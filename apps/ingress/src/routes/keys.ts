import { Router } from 'express';
import { getScheme, ProblemError } from '@hookflow/shared';
import type { Services } from '../services.js';
import { validate } from '../http/validate.js';
import { createKeyBody } from '../api/schemas.js';
import { keyFileName, presentKeyFile } from '../api/presenters.js';

export function keyRoutes({ webhooks, keyStore, config, cache }: Services): Router {
  const router = Router();

  router.post('/webhooks/:webhookId/keys', async (req, res) => {
    const body = validate(createKeyBody, req.body ?? {});
    const webhook = await webhooks.get(req.params.webhookId);
    const scheme = getScheme(webhook.scheme);
    const key = await keyStore.addPrimary(webhook.id, body.secret ?? scheme.generateSecret(), body.graceSeconds ?? 0);
    cache.invalidate(webhook.id);
    res.status(201).json(presentKeyFile(config.publicUrl, webhook, key, scheme.signatureHeaders[0]!));
  });

  router.get('/webhooks/:webhookId/private-key', async (req, res) => {
    // The key file is a secret: reading it is not a read-only operation.
    if (res.locals.role !== 'admin') throw new ProblemError('forbidden', 'the read-only token cannot download private keys');
    const webhook = await webhooks.get(req.params.webhookId);
    const key = await keyStore.primary(webhook.id);
    if (!key) throw new ProblemError('key_not_found', 'no private key has been generated for this webhook yet');
    const scheme = getScheme(webhook.scheme);
    res.setHeader('Content-Disposition', `attachment; filename="${keyFileName(webhook.id)}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.json(presentKeyFile(config.publicUrl, webhook, key, scheme.signatureHeaders[0]!));
  });
  return router;
}
