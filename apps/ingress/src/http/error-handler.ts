import type { IncomingMessage, ServerResponse } from 'node:http';
import { problem, ProblemError, type Logger } from '@hookflow/shared';
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
    if (httpError.type === 'entity.parse.failed') return sendProblem(res, problem('invalid_request', 'the request body is not valid JSON', { errors: [] }));
    if (httpError.type === 'entity.too.large') return sendProblem(res, problem('payload_too_large', 'the request body is too large'));
    if (httpError.type === 'encoding.unsupported' || httpError.type === 'charset.unsupported') {
      return sendProblem(res, problem('unsupported_media_type', 'unsupported content encoding or charset'));
    }
    if (isStoreUnavailable(err)) return sendProblem(res, problem('unavailable', 'the store is unreachable; retry later'), 5);
    log.error({ err, method: req.method, path: (req.url ?? '').split('?')[0] }, 'unexpected error');
    sendProblem(res, problem('internal_error', 'an unexpected error occurred'));
  };
}

/** ioredis's errors while Redis is unreachable (offline queue disabled, connection closed, timeouts). */
export function isStoreUnavailable(err: unknown): boolean {
  const message = err instanceof Error ? err.message : '';
  return /Stream isn't writeable|Connection is closed|ECONNREFUSED|Command timed out|enableOfflineQueue|MaxRetriesPerRequest|Reached the max retries/i.test(message);
}
