import { Router } from 'express';
import { randomUUID } from 'node:crypto';
import { getScheme, ProblemError } from '@hookflow/shared';
import type { Services } from '../services.js';

/** How long the loopback request may take; ingest answers in milliseconds, so this only bounds a stuck store. */
const loopbackTimeoutMs = 10_000;

/**
 * `POST /webhooks/{id}/test-event` (an extension of API.md for the console's "Send test event"): signs a sample
 * payload with the webhook's primary key, exactly as a sender would, and POSTs it to the webhook's own endpoint on
 * this process, so the event takes the real path (verification, queue, worker). Answers with what ingest answered.
 */
export function testEventRoutes({ webhooks, keyStore, now }: Services): Router {
  const router = Router();
  router.post('/webhooks/:webhookId/test-event', async (req, res) => {
    const webhook = await webhooks.get(req.params.webhookId);
    const key = await keyStore.primary(webhook.id);
    if (!key) throw new ProblemError('key_not_found', 'generate a private key before sending a test event');
    const sentAt = now();
    const payload = { type: 'hookflow.test_event', webhookId: webhook.id, sentAt: sentAt.toISOString(), message: 'Test event sent from the Hookflow console' };
    const body = JSON.stringify(payload);
    const signature = getScheme(webhook.scheme).sign(body, key.secret, sentAt.getTime(), `msg_${randomUUID()}`);
    // The port this request came in on is one the ingress listens on, whatever PORT said.
    const response = await fetch(`http://127.0.0.1:${req.socket.localPort}/hooks/${webhook.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signature },
      body,
      signal: AbortSignal.timeout(loopbackTimeoutMs),
    }).catch(() => {
      throw new ProblemError('unavailable', 'the test event could not reach the webhook endpoint');
    });
    const text = await response.text();
    let answer: unknown = text;
    try {
      answer = JSON.parse(text);
    } catch {
      // not JSON: pass the text along
    }
    res.json({ payload, response: { status: response.status, body: answer } });
  });
  return router;
}
