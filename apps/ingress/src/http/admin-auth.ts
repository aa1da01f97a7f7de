import type { NextFunction, Request, Response } from 'express';
import { constantTimeEqual, problem } from '@hookflow/shared';
import { sendProblem } from './send-problem.js';

export type AdminRole = 'admin' | 'readonly';

export interface AdminTokens {
  admin: string;
  readonly: string | undefined;
}

/**
 * Another way to recognise an admin (for example the console's session cookie): returns the role the request
 * carries, or null to let the next way decide.
 */
export type AdminAuthenticator = (req: Request) => AdminRole | null;

export interface AdminAuthOptions {
  /** Tried after the bearer token, in order. */
  authenticators?: readonly AdminAuthenticator[];
  /**
   * Also accept HTTP Basic with the token as password (any user name), and send `WWW-Authenticate: Basic` with the
   * 401: a browser then asks for it and resends it with every request of a page, which a bearer header cannot do.
   * Used for the queue dashboard.
   */
  basic?: boolean;
}

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The role a bearer token grants, compared in constant time; null for anything else. */
export function roleOf(token: string | undefined, tokens: AdminTokens): AdminRole | null {
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

/** The password of an `Authorization: Basic` header. */
export function basicPassword(req: Request): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/** The admin role this request carries (bearer token, Basic when allowed, then `authenticators`), or null. */
export function adminRoleOf(req: Request, tokens: AdminTokens, options: AdminAuthOptions = {}): AdminRole | null {
  const role = roleOf(bearerToken(req), tokens) ?? (options.basic ? roleOf(basicPassword(req), tokens) : null);
  if (role) return role;
  for (const authenticate of options.authenticators ?? []) {
    const found = authenticate(req);
    if (found) return found;
  }
  return null;
}

/** Requires an admin: the admin token, or the read-only token for reads (403 `forbidden` on a write). */
export function requireAdmin(tokens: AdminTokens, options: AdminAuthOptions = {}) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const role = adminRoleOf(req, tokens, options);
    if (!role) {
      if (options.basic) res.setHeader('WWW-Authenticate', 'Basic realm="hookflow", charset="UTF-8"');
      return sendProblem(res, problem('unauthorized', 'a valid bearer token is required'));
    }
    if (role === 'readonly' && !readMethods.has(req.method)) {
      return sendProblem(res, problem('forbidden', 'the read-only token cannot make changes'));
    }
    res.locals.role = role;
    next();
  };
}
