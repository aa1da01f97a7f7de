import { Router, type Request } from 'express';
import getRawBody from 'raw-body';
import { problem } from '@hookflow/shared';
import { ingest, type BodyRead, type IngestDeps, type IngestResult } from '../ingest/ingest.js';
import { sendProblem } from '../http/send-problem.js';

/**
 * The public route: reads transport, calls `ingest()`, and maps its outcome to a status. Nothing else, except
 * telling `onOutcome` (metrics) what happened.
 */
export function hookRoutes(deps: IngestDeps, onOutcome?: (webhookId: string, result: IngestResult) => void): Router {
  const router = Router();

  router.post('/hooks/:webhookId', async (req, res) => {
    const result = await ingest(deps, {
      webhookId: req.params.webhookId,
      headers: req.headers,
      readBody: (limit) => readBody(req, limit),
    });
    onOutcome?.(req.params.webhookId, result);
    switch (result.outcome) {
      case 'accepted':
        res.status(202).json({ deliveryId: result.deliveryId, status: result.status });
        return;
      case 'duplicate':
        res.status(200).json({ deliveryId: result.deliveryId, status: 'duplicate' });
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
  });

  router.all('/hooks/:webhookId', (_req, res) => {
    res.setHeader('Allow', 'POST');
    sendProblem(res, problem('method_not_allowed', 'webhook endpoints accept POST only'));
  });
  return router;
}

async function readBody(req: Request, limit: number): Promise<BodyRead> {
  try {
    return { ok: true, body: await getRawBody(req, { limit }) };
  } catch (err) {
    return { ok: false, reason: (err as { type?: string }).type === 'entity.too.large' ? 'too_large' : 'aborted' };
  }
}
