import type { NextFunction, Request, Response } from 'express';
import { constantTimeEqual, problem } from '@hookflow/shared';
import { sendProblem } from './send-problem.js';

export type AdminRole = 'admin' | 'readonly';

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The role a bearer token grants, compared in constant time; null for anything else. */
export function roleOf(token: string | undefined, tokens: { admin: string; readonly: string | undefined }): AdminRole | null {
  if (!token) return null;
  // Both comparisons always run, so timing does not reveal which token was close.
  const isAdmin = constantTimeEqual(token, tokens.admin);
  const isReadonly = tokens.readonly !== undefined && constantTimeEqual(token, tokens.readonly);
  return isAdmin ? 'admin' : isReadonly ? 'readonly' : null;
}

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** Requires the admin token, or the read-only token for reads (403 `forbidden` on a write). */
export function requireAdmin(tokens: { admin: string; readonly: string | undefined }) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const role = roleOf(bearerToken(req), tokens);
    if (!role) return sendProblem(res, problem('unauthorized', 'a valid bearer token is required'));
    if (role === 'readonly' && !readMethods.has(req.method)) {
      return sendProblem(res, problem('forbidden', 'the read-only token cannot make changes'));
    }
    res.locals.role = role;
    next();
  };
}
