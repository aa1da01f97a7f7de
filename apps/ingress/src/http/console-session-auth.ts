import type { NextFunction, Request, Response } from 'express';
import { parse as parseCookie } from 'cookie';
import { constantTimeEqual, problem } from '@hookflow/shared';
import type { AdminAuthenticator } from './admin-auth.js';
import { sessionCookieName, type ConsoleSession, type ConsoleSessions } from './console-sessions.js';
import { sendProblem } from './send-problem.js';

/**
 * How a write made with the session cookie proves it comes from our own pages: `token` (the API) wants the
 * session's `x-csrf-token`; `same-origin` (pages such as `/admin/queues`, whose scripts cannot send our header)
 * wants the browser's `Sec-Fetch-Site: same-origin`, or an `Origin` equal to the request's own host.
 */
export type CsrfCheck = 'token' | 'same-origin';

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
// The session found for a request, handed from the (async) loader to the (synchronous) authenticator.
const sessionOf = new WeakMap<Request, ConsoleSession>();

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

function csrfPasses(req: Request, session: ConsoleSession, csrf: CsrfCheck): boolean {
  if (readMethods.has(req.method)) return true;
  if (csrf === 'same-origin') return sameOrigin(req);
  const given = req.headers['x-csrf-token'];
  return typeof given === 'string' && constantTimeEqual(given, session.csrfToken);
}

/**
 * Finds the console session the request's cookie names (a Redis read, hence a middleware and not an authenticator)
 * for `consoleSessionRole`. A write made with it that fails the CSRF check gets 403 `csrf_invalid`. Requests with an
 * `Authorization` header are left to that header alone.
 */
export function loadConsoleSession(sessions: ConsoleSessions, csrf: CsrfCheck) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const id = req.headers.authorization === undefined ? sessionIdOf(req) : undefined;
    if (id === undefined) return next();
    sessions.find(id).then((session) => {
      if (!session) return next();
      if (!csrfPasses(req, session, csrf)) {
        const detail =
          csrf === 'token'
            ? 'a write made with the console session needs its x-csrf-token header'
            : 'a write made with the console session must come from this site';
        return sendProblem(res, problem('csrf_invalid', detail));
      }
      sessionOf.set(req, session);
      next();
    }, next);
  };
}

/** For `requireAdmin`'s `authenticators`: the role of the console session `loadConsoleSession` found. */
export const consoleSessionRole: AdminAuthenticator = (req) => sessionOf.get(req)?.role ?? null;
