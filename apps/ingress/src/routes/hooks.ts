import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router } from 'express';
import getRawBody from 'raw-body';
import { z } from 'zod';
import { problem } from '@hookflow/shared';
import type { OperationDoc } from '../api/operation.js';
import { ingest, type BodyRead, type IngestDeps, type IngestResult } from '../ingest/ingest.js';
import { sendJsonText, sendProblem } from '../http/send-problem.js';

export const ingestAcceptedResponse = z
  .object({ deliveryId: z.string(), status: z.enum(['queued', 'held']) })
  .meta({ id: 'IngestAccepted' });

export const ingestDuplicateResponse = z.object({ deliveryId: z.string(), status: z.literal('duplicate') }).meta({ id: 'IngestDuplicate' });

/** The public endpoint as the OpenAPI document shows it; the body is whatever the sender signed. */
export const hookOperations: OperationDoc[] = [
  {
    method: 'post',
    path: '/hooks/{webhookId}',
    summary: 'Ingest a signed event',
    tag: 'ingest',
    body: { schema: z.unknown().describe('any JSON value') },
    headers: [
      {
        name: 'x-signature',
        description: 'scheme uptiq: hex HMAC-SHA256 of the body (optional sha256= prefix); other schemes use their own headers',
      },
      { name: 'idempotency-key', description: 'dedupe key: a repeat inside the window runs the workflow once' },
    ],
    ok: { status: 202, description: 'stored and queued (or held while the webhook is paused)', schema: ingestAcceptedResponse },
    also: [{ status: 200, description: 'a repeated dedupe key: the first delivery', schema: ingestDuplicateResponse }],
    problems: [400, 401, 403, 404, 413, 415, 422, 429, 503],
  },
];

export type HookHandler = (req: IncomingMessage, res: ServerResponse, webhookId: string) => Promise<void>;

/**
 * The public endpoint: reads transport, calls `ingest()`, and maps its outcome to a status. Nothing else, except
 * telling `onOutcome` (metrics) what happened. Written against Node's request and response, so the same handler
 * serves the Express route and the server's fast path (`hookFastPath`).
 */
export function createHookHandler(deps: IngestDeps, onOutcome?: (webhookId: string, result: IngestResult) => void): HookHandler {
  return async (req, res, webhookId) => {
    const result = await ingest(deps, { webhookId, headers: req.headers, readBody: (limit) => readBody(req, limit) });
    onOutcome?.(webhookId, result);
    switch (result.outcome) {
      case 'accepted':
        sendJsonText(res, 202, 'application/json; charset=utf-8', JSON.stringify({ deliveryId: result.deliveryId, status: result.status }));
        return;
      case 'duplicate':
        sendJsonText(res, 200, 'application/json; charset=utf-8', JSON.stringify({ deliveryId: result.deliveryId, status: 'duplicate' }));
        return;
      case 'rejected':
        // The body may be left unread (413, or an early refusal): close the connection rather than drain it.
        if (!req.complete) res.setHeader('Connection', 'close');
        sendProblem(res, result.problem, result.retryAfterSeconds);
        return;
      case 'aborted':
        res.destroy();
        return;
    }
  };
}

/** `POST /hooks/:webhookId` and its 405 for other methods, as an Express router. */
export function hookRoutes(handle: HookHandler): Router {
  const router = Router();
  router.post('/hooks/:webhookId', (req, res) => handle(req, res, req.params.webhookId));
  router.all('/hooks/:webhookId', (_req, res) => {
    res.setHeader('Allow', 'POST');
    sendProblem(res, problem('method_not_allowed', 'webhook endpoints accept POST only'));
  });
  return router;
}

// Exactly `/hooks/<one segment>`, no query: anything else (other methods, trailing slashes, encoded characters)
// goes through Express, whose routing then decides.
const plainHookPath = /^\/hooks\/([A-Za-z0-9_-]{1,200})$/;

/**
 * The server's request listener: a plain `POST /hooks/<id>` goes straight to `handle`; everything else to the
 * Express app. Express's routing costs about a tenth of the ingress's CPU per request on this route, which has no
 * middleware to run; the Express route above stays for every request shape this does not take.
 */
export function hookFastPath(
  handle: HookHandler,
  app: (req: IncomingMessage, res: ServerResponse) => void,
  /** What Express's error handler does for a route that threw (the handler does not throw by design). */
  onError: (err: unknown, req: IncomingMessage, res: ServerResponse) => void,
) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const match = req.method === 'POST' ? plainHookPath.exec(req.url ?? '') : null;
    if (match) handle(req, res, match[1]!).catch((err: unknown) => onError(err, req, res));
    else app(req, res);
  };
}

/** Reads a request body up to `limit` bytes, as `ingest` (and the signal link) want it. */
export async function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  try {
    return { ok: true, body: await getRawBody(req, { limit }) };
  } catch (err) {
    return { ok: false, reason: (err as { type?: string }).type === 'entity.too.large' ? 'too_large' : 'aborted' };
  }
}
