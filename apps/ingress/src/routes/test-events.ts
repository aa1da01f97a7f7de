import { Router } from 'express';
import { randomUUID } from 'node:crypto';
import { getScheme, ProblemError } from '@hookflow/shared';
import type { Services } from '../services.js';
import { validate } from '../http/validate.js';
import { testEventBody } from '../api/schemas.js';
import { testEventPayload } from '../domain/test-event-payload.js';

/** How long the loopback request may take; ingest answers in milliseconds, so this only bounds a stuck store. */
const loopbackTimeoutMs = 10_000;

/**
 * `POST /webhooks/{id}/test-event` (API.md §5.2, the console's "Send test event"): signs the given payload, else
 * the workflow's first example, else a sample fitting its input schema, with the webhook's primary key exactly as
 * a sender would, and POSTs it to the webhook's own endpoint on this process, so the event takes the real path
 * (verification, input check, queue, worker). Answers with what ingest answered, a refusal (422) included.
 * `GET` shows the payload a `POST` without one would send, so an editor can start from it.
 */
export function testEventRoutes({ webhooks, keyStore, catalog, now }: Services): Router {
  const router = Router();
  router.get('/webhooks/:webhookId/test-event', async (req, res) => {
    const webhook = await webhooks.get(req.params.webhookId);
    res.json(await testEventPayload(catalog, webhook.workflow));
  });

  router.post('/webhooks/:webhookId/test-event', async (req, res) => {
    const body = validate(testEventBody, req.body ?? {});
    const webhook = await webhooks.get(req.params.webhookId);
    const key = await keyStore.primary(webhook.id);
    if (!key) throw new ProblemError('key_not_found', 'generate a private key before sending a test event');
    const payload = body.payload !== undefined ? body.payload : (await testEventPayload(catalog, webhook.workflow)).payload;
    const raw = JSON.stringify(payload);
    const signature = getScheme(webhook.scheme).sign(raw, key.secret, now().getTime(), `msg_${randomUUID()}`);
    // The port this request came in on is one the ingress listens on, whatever PORT said.
    const response = await fetch(`http://127.0.0.1:${req.socket.localPort}/hooks/${webhook.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signature },
      body: raw,
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
