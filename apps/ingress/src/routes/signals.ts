import { Router, type Response } from 'express';
import { problem } from '@hookflow/shared';
import { sendJsonText, sendProblem } from '../http/send-problem.js';
import { readBody } from './hooks.js';
import { signalPage } from '../signals/signal-page.js';
import { signalAsAdmin, signalWithToken, type SignalDeps, type SignalResult } from '../signals/signals.js';

/** Maps what taking a signal did to its answer: 202 with what was resumed, or its problem. */
function answer(res: Response, result: SignalResult): void {
  switch (result.outcome) {
    case 'resumed':
      sendJsonText(res, 202, 'application/json; charset=utf-8', JSON.stringify({ deliveryId: result.deliveryId, signal: result.signal, status: 'resumed' }));
      return;
    case 'rejected':
      if (!res.req.complete) res.setHeader('Connection', 'close');
      sendProblem(res, result.problem);
      return;
    case 'aborted':
      res.destroy();
      return;
  }
}

/** The public signal link (API.md §5.5): POST resumes the wait it names; GET shows a person a page to do that. */
export function signalLinkRoutes(deps: SignalDeps): Router {
  const router = Router();
  router.post('/signals/:token', async (req, res) => {
    answer(res, await signalWithToken(deps, { token: req.params.token, headers: req.headers, readBody: (limit) => readBody(req, limit) }));
  });
  router.get('/signals/:token', (req, res) => {
    const claims = deps.tokens.verify(req.params.token, deps.now());
    const page = signalPage(claims.ok ? { signal: claims.signal, expiresAt: claims.expiresAt } : 'invalid');
    res.status(page.status).set(page.headers).send(page.html);
  });
  router.all('/signals/:token', (_req, res) => {
    res.setHeader('Allow', 'GET, POST');
    sendProblem(res, problem('method_not_allowed', 'signal links accept GET (a page) and POST (the signal)'));
  });
  return router;
}

/** `POST /api/v1/deliveries/{deliveryId}/signals/{name}`: an admin resumes a wait without its link. */
export function signalAdminRoutes(deps: SignalDeps): Router {
  const router = Router();
  router.post('/deliveries/:deliveryId/signals/:name', async (req, res) => {
    answer(res, await signalAsAdmin(deps, req.params.deliveryId, req.params.name, req.body));
  });
  return router;
}
