import type { NextFunction, Request, Response } from 'express';
import { parse as parseCookie } from 'cookie';
import { constantTimeEqual, problem, type Problem } from '@hookflow/shared';
import { sendProblem } from './send-problem.js';
import { sessionCookieName, type ConsoleSessions } from './console-sessions.js';

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

/**
 * Requires the admin token, or the read-only token for reads (403 `forbidden` on a write). With `sessions`, a console
 * session cookie works as well; its writes need the session's `x-csrf-token` (403 `csrf_invalid`).
 */
export function requireAdmin(auth: AdminAuthOptions, csrf: CsrfCheck = 'token') {
  return (req: Request, res: Response, next: NextFunction): void => {
    checkAdmin(req, auth, csrf).then((check) => {
      if (!check.ok) return sendProblem(res, check.problem);
      res.locals.role = check.role;
      next();
    }, next);
  };
}

/** Where an admin request gets its authority: the bearer token, or a console session cookie. */
export interface AdminAuthOptions {
  admin: string;
  readonly: string | undefined;
  /** Console sessions; without them only bearer tokens are accepted. */
  sessions?: ConsoleSessions;
}

/**
 * How a cookie-authenticated write proves it comes from our own pages: `token` (the API) wants the session's
 * `x-csrf-token`; `same-origin` (pages such as `/admin/queues`, whose scripts cannot send our header) wants the
 * browser's `Sec-Fetch-Site: same-origin` or an `Origin` equal to the request's own host.
 */
export type CsrfCheck = 'token' | 'same-origin';

export type AdminCheck = { ok: true; role: AdminRole; via: 'bearer' | 'session' } | { ok: false; problem: Problem };

/** The value of the console session cookie, if the request carries one. */
export function sessionIdOf(req: Request): string | undefined {
  const header = req.headers.cookie;
  return header ? parseCookie(header)[sessionCookieName] : undefined;
}

function sameOrigin(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Decides whether `req` may use the admin API (or an admin page), by bearer token first, then by session. */
export async function checkAdmin(req: Request, auth: AdminAuthOptions, csrf: CsrfCheck = 'token'): Promise<AdminCheck> {
  const refuseReadonlyWrite = (role: AdminRole): Problem | null =>
    role === 'readonly' && !readMethods.has(req.method) ? problem('forbidden', 'the read-only token cannot make changes') : null;
  const bearer = bearerToken(req);
  if (bearer !== undefined || !auth.sessions) {
    const role = roleOf(bearer, auth);
    if (!role) return { ok: false, problem: problem('unauthorized', 'a valid bearer token is required') };
    const refused = refuseReadonlyWrite(role);
    return refused ? { ok: false, problem: refused } : { ok: true, role, via: 'bearer' };
  }
  const session = await auth.sessions.find(sessionIdOf(req));
  if (!session) return { ok: false, problem: problem('unauthorized', 'a valid bearer token or console session is required') };
  if (!readMethods.has(req.method)) {
    const given = req.headers['x-csrf-token'];
    const passes = csrf === 'token' ? typeof given === 'string' && constantTimeEqual(given, session.csrfToken) : sameOrigin(req);
    if (!passes) {
      const detail = csrf === 'token' ? 'a write made with the console session needs its x-csrf-token header' : 'a write made with the console session must come from this site';
      return { ok: false, problem: problem('csrf_invalid', detail) };
    }
  }
  const refused = refuseReadonlyWrite(session.role);
  return refused ? { ok: false, problem: refused } : { ok: true, role: session.role, via: 'session' };
}

/** True when `req` may see an admin page such as `/admin/queues` (bearer token, or console session + same origin on writes). */
export async function isAdminRequest(req: Request, auth: AdminAuthOptions): Promise<boolean> {
  return (await checkAdmin(req, auth, 'same-origin')).ok;
}

/** Middleware for admin pages (`/admin/queues`): `requireAdmin` with the same-origin CSRF check for session writes. */
export function requireAdminPage(auth: AdminAuthOptions) {
  return requireAdmin(auth, 'same-origin');
}
