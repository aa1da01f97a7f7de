import { Router, type Response } from 'express';
import { z } from 'zod';
import { problem } from '@hookflow/shared';
import type { OperationDoc } from '../api/operation.js';
import type { SignalResult, SignalService } from '../domain/signals.js';
import { signalPage } from '../http/signal-page.js';
import { sendJsonText, sendProblem } from '../http/send-problem.js';
import { defineEndpoints, mountEndpoints } from './endpoint.js';
import { readBody } from './hooks.js';

export const signalResumedResponse = z
  .object({ deliveryId: z.string(), signal: z.string(), status: z.literal('resumed') })
  .meta({ id: 'SignalResumed', description: 'the signal was taken: the wait step finished with its body, and the delivery goes on' });

const anyJson = z.unknown().describe('any JSON value: the wait step’s output');

/** The public signal link (API.md §5.5) as the OpenAPI document shows it. */
export const signalLinkOperations: OperationDoc[] = [
  {
    method: 'post',
    path: '/signals/{token}',
    summary: "A wait step's signed link: the token is the credential (one delivery, one signal, until the wait's deadline; one use). The JSON body becomes the step's output",
    tag: 'signals',
    body: { schema: anyJson },
    ok: { status: 202, description: 'resumed', schema: signalResumedResponse },
    problems: [400, 401, 404, 409, 413, 415],
  },
  {
    method: 'get',
    path: '/signals/{token}',
    summary: 'The page a person opening the link sees: the signal and its deadline, with Approve / Reject buttons that POST to the same URL (an invalid link: a 401 page)',
    tag: 'signals',
    ok: { status: 200, description: 'HTML page', contentType: 'text/html' },
    problems: [],
  },
];

/** Maps what taking a signal through its link did to the answer: 202 with what was resumed, or its problem. */
function answer(res: Response, result: SignalResult): void {
  switch (result.outcome) {
    case 'resumed':
      sendJsonText(res, 202, 'application/json; charset=utf-8', JSON.stringify(result.resumed));
      return;
    case 'rejected':
      // The body may be left unread (413, or a refusal before it): close the connection rather than drain it.
      if (!res.req.complete) res.setHeader('Connection', 'close');
      sendProblem(res, result.problem);
      return;
    case 'aborted':
      res.destroy();
      return;
  }
}

/** `POST` and `GET /signals/{token}`: public, the token is the credential. */
export function signalLinkRoutes(signals: SignalService): Router {
  const router = Router();
  router.post('/signals/:token', async (req, res) => {
    answer(res, await signals.withToken({ token: req.params.token, headers: req.headers, readBody: (limit) => readBody(req, limit) }));
  });
  router.get('/signals/:token', (req, res) => {
    const page = signalPage(signals.claims(req.params.token) ?? 'invalid');
    res.status(page.status).set(page.headers).send(page.html);
  });
  router.all('/signals/:token', (_req, res) => {
    res.setHeader('Allow', 'GET, POST');
    sendProblem(res, problem('method_not_allowed', 'signal links accept GET (a page) and POST (the signal)'));
  });
  return router;
}

export const signalEndpoints = defineEndpoints({
  signal: {
    method: 'post',
    path: '/deliveries/{deliveryId}/signals/{name}',
    summary: 'Resume a delivery waiting at a wait step for signal {name}: the JSON body (none: null) becomes the step output; once per signal',
    tag: 'signals',
    body: { schema: anyJson, what: 'signal body' },
    ok: { status: 202, description: 'resumed', schema: signalResumedResponse },
    problems: [400, 404, 409],
  },
});

/** The admin's signal: what a link does, for a decision made elsewhere or a link that was lost. */
export function signalRoutes({ signals }: { signals: SignalService }) {
  return mountEndpoints(signalEndpoints, {
    signal: ({ params, body }) => signals.asAdmin(params.deliveryId, params.name, body),
  });
}
