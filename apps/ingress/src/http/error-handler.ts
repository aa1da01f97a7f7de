import type { IncomingMessage, ServerResponse } from 'node:http';
import { jsonDepthExceeds, maxWebhookDepth, problem, ProblemError, type Logger } from '@hookflow/shared';
import { sendProblem } from './send-problem.js';

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
}

/**
 * Last stop for errors: expected refusals become their problem; body-parser errors their 4xx; a store outage 503;
 * anything else is logged and answered 500 without detail (no stack trace ever reaches a client).
 */
export function errorHandler(log: Logger) {
  return (err: unknown, req: IncomingMessage, res: ServerResponse, _next?: unknown): void => {
    if (res.headersSent) return void res.end();
    if (err instanceof ProblemError) return sendProblem(res, err.problem);
    const httpError = err as HttpError;
    if (httpError.type === 'entity.parse.failed')
      return sendProblem(res, problem('invalid_request', 'the request body is not valid JSON', { errors: [] }));
    if (httpError.type === 'entity.too.large') return sendProblem(res, problem('payload_too_large', 'the request body is too large'));
    if (httpError.type === 'encoding.unsupported' || httpError.type === 'charset.unsupported') {
      return sendProblem(res, problem('unsupported_media_type', 'unsupported content encoding or charset'));
    }
    if (httpError.type === tooDeepType) {
      return sendProblem(res, problem('invalid_request', `the request body nests deeper than ${maxWebhookDepth} levels`, { errors: [] }));
    }
    if (isStoreUnavailable(err)) return sendProblem(res, problem('unavailable', 'the store is unreachable; retry later'), 5);
    const status = httpError.status ?? httpError.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // A request Express or a parser refused (a path that is not valid percent-encoding, say): the client's fault,
      // so a warning with what was refused, never a stack trace.
      log.warn(
        {
          method: req.method,
          path: pathOf(req).slice(0, 200),
          reason: withoutSignalToken(req, (err as Error).message ?? '').slice(0, 200),
        },
        'request refused',
      );
      return sendProblem(res, problem('invalid_request', 'the request could not be decoded', { errors: [] }));
    }
    log.error({ err, method: req.method, path: pathOf(req) }, 'unexpected error');
    sendProblem(res, problem('internal_error', 'an unexpected error occurred'));
  };
}

function pathOf(req: IncomingMessage): string {
  return withoutSignalToken(req, (req.url ?? '').split('?')[0]!);
}

/** `text` for a log line: a signal link's token is a credential, so wherever it appears it is left out. */
function withoutSignalToken(req: IncomingMessage, text: string): string {
  const token = /^\/signals\/([^/?]+)/.exec(req.url ?? '')?.[1];
  return token ? text.replaceAll(token, '<token>') : text;
}

/** The `type` of the error `rejectDeepJson` raises (body-parser keeps a verify error's own type). */
export const tooDeepType = 'entity.too.deep';

/**
 * For `express.json({ verify })`: refuses a body nested deeper than any webhook may accept, before it is parsed.
 * Validating such a value recursively would run out of stack; nothing an admin sends needs to be that deep.
 */
export function rejectDeepJson(_req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
  if (jsonDepthExceeds(body, maxWebhookDepth)) throw Object.assign(new Error('the body is nested too deep'), { type: tooDeepType });
}

/** ioredis's errors while Redis is unreachable (offline queue disabled, connection closed, timeouts). */
export function isStoreUnavailable(err: unknown): boolean {
  const message = err instanceof Error ? err.message : '';
  return /Stream isn't writeable|Connection is closed|ECONNREFUSED|Command timed out|enableOfflineQueue|MaxRetriesPerRequest|Reached the max retries/i.test(
    message,
  );
}
