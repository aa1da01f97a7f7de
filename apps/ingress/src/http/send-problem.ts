import type { ServerResponse } from 'node:http';
import type { Problem } from '@hookflow/shared';

/**
 * Writes a problem+json answer (RFC 9457); `Retry-After` when the caller should come back later. Uses Node's
 * response API only, so it serves Express routes and the `/hooks` fast path alike.
 */
export function sendProblem(res: ServerResponse, body: Problem, retryAfterSeconds?: number): void {
  if (retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(retryAfterSeconds));
  sendJsonText(res, body.status, 'application/problem+json; charset=utf-8', JSON.stringify(body));
}

/** Status, type and length in one `writeHead`: what `res.json` does, without re-deriving them on every request. */
export function sendJsonText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) }).end(text);
}
