import type { NextFunction, Request, Response } from 'express';
import { problem } from '@hookflow/shared';
import { foreignCharset } from './charset.js';
import { sendProblem } from './send-problem.js';

/**
 * On every response Express serves (the console, the queue dashboard, the API; not the `/hooks` fast path, whose
 * answers are JSON for machines): no content sniffing, and no page of ours inside another site's frame (the
 * dashboard's buttons act with the admin's session). Routes may set a stricter policy of their own (the console does).
 */
export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
  next();
}

/** 415 for an admin request body declared in a charset other than UTF-8, which the JSON parser would decode anyway. */
export function refuseForeignCharset(req: Request, res: Response, next: NextFunction): void {
  if (foreignCharset(req.headers['content-type']) !== undefined)
    return sendProblem(res, problem('unsupported_media_type', 'the charset must be utf-8'));
  next();
}
