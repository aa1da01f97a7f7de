import type { Response } from 'express';
import type { Problem } from '@hookflow/shared';

/** Writes a problem+json answer (RFC 9457); `Retry-After` when the caller should come back later. */
export function sendProblem(res: Response, body: Problem, retryAfterSeconds?: number): void {
  if (retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(retryAfterSeconds));
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}
