import express, { Router, type Response } from 'express';
import { z } from 'zod';
import { join } from 'node:path';
import { installRoot, problem, ProblemError } from '@hookflow/shared';
import { roleOf, type AdminTokens } from '../http/admin-auth.js';
import { sessionIdOf } from '../http/console-session-auth.js';
import { sessionCookieName, sessionTtlSeconds, type ConsoleSession, type ConsoleSessions } from '../http/console-sessions.js';
import { sendProblem } from '../http/send-problem.js';
import { validate } from '../http/validate.js';
import type { OperationDoc } from '../api/operation.js';
import { timestamp } from '../api/schemas.js';

/** Where `npm run build` puts the console (apps/console/dist), found from this file so the cwd does not matter. */
export const defaultConsoleDir = join(installRoot(import.meta.dirname), 'apps', 'console', 'dist');

export interface ConsoleRouteOptions {
  /** The tokens that may sign in (the read-only one gets a read-only session). */
  tokens: AdminTokens;
  sessions: ConsoleSessions;
  /** Marks the session cookie `Secure` (the public URL is https). */
  secureCookies: boolean;
  /** The built console; defaults to apps/console/dist. */
  distDir?: string;
}

// The console's scripts and styles are all files of its own build: nothing inline, nothing from elsewhere, no framing.
const securityHeaders = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** `POST /console/session`: the admin (or read-only) token, exchanged for the console's session cookie. */
export const consoleSignInBody = z.object({ token: z.string().min(1, 'must not be empty').max(1000) }).strict();

export const consoleSessionResponse = z
  .object({
    signedIn: z.boolean(),
    role: z.enum(['admin', 'readonly']).optional(),
    csrfToken: z.string().optional(),
    expiresAt: timestamp.optional(),
  })
  .meta({ id: 'ConsoleSession', description: 'whether this browser is signed in; role, csrfToken and expiresAt while it is' });

export const consoleOperations: OperationDoc[] = [
  {
    method: 'post',
    path: '/console/session',
    summary: 'Console sign-in: sets the httpOnly, SameSite=Strict session cookie; writes made with it need x-csrf-token',
    tag: 'console',
    body: { schema: consoleSignInBody },
    ok: { status: 201, description: 'signed in', schema: consoleSessionResponse },
    problems: [400, 401],
  },
  {
    method: 'get',
    path: '/console/session',
    summary: 'Whether this browser is signed in, with its CSRF token',
    tag: 'console',
    ok: { status: 200, description: 'the session, or signedIn: false', schema: consoleSessionResponse },
    problems: [],
  },
  {
    method: 'delete',
    path: '/console/session',
    summary: 'Console sign-out: ends the session and clears its cookie',
    tag: 'console',
    ok: { status: 204, description: 'signed out' },
    problems: [],
  },
];

function presentSession(session: ConsoleSession) {
  return { signedIn: true, role: session.role, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}

/**
 * The web console: its sign-in session (`/console/session`) and its static files, with index.html for every other
 * path under `/console` so the single-page app can route them itself.
 */
export function consoleRoutes({ tokens, sessions, secureCookies, distDir = defaultConsoleDir }: ConsoleRouteOptions): Router {
  const router = Router();

  // A JSON body only: a cross-site HTML form cannot send one without a CORS preflight, which we never grant.
  router.post('/console/session', express.json({ limit: '4kb' }), async (req, res) => {
    const { token } = validate(consoleSignInBody, req.body ?? {});
    const role = roleOf(token, tokens);
    if (!role) throw new ProblemError('unauthorized', 'that is not a valid admin token');
    const { id, session } = await sessions.create(role);
    res.cookie(sessionCookieName, id, {
      httpOnly: true,
      sameSite: 'strict',
      secure: secureCookies || req.secure,
      path: '/',
      maxAge: sessionTtlSeconds * 1000,
    });
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(presentSession(session));
  });

  // Lets a reloaded page learn whether it is signed in, and its CSRF token (the cookie itself is unreadable to scripts).
  // Not being signed in is an ordinary answer here (200), not an error the browser would log on every first visit.
  router.get('/console/session', async (req, res) => {
    const session = await sessions.find(sessionIdOf(req));
    res.setHeader('Cache-Control', 'no-store');
    res.json(session ? presentSession(session) : { signedIn: false });
  });

  router.delete('/console/session', async (req, res) => {
    await sessions.delete(sessionIdOf(req));
    res.clearCookie(sessionCookieName, { httpOnly: true, sameSite: 'strict', secure: secureCookies || req.secure, path: '/' });
    res.status(204).end();
  });

  router.use('/console', (_req, res, next) => {
    res.set(securityHeaders);
    next();
  });
  router.use(
    '/console',
    express.static(distDir, {
      index: false,
      redirect: false,
      setHeaders: (res, path) => {
        // Vite puts a content hash in every asset name, so those never change; index.html must always be fresh.
        res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );

  router.get('/console{/*rest}', (req, res) => {
    // The app's asset URLs are relative to /console/, so the bare /console must gain its slash first.
    if (req.originalUrl.split('?')[0] === '/console') return res.redirect(302, '/console/');
    // A missing file (it has an extension) is a 404; anything else is a page of the app.
    if (/\.[a-z0-9]+$/i.test(req.path)) return sendProblem(res, problem('not_found', `no such file: ${req.path}`));
    sendIndex(res, distDir);
  });
  return router;
}

function sendIndex(res: Response, distDir: string): void {
  res.setHeader('Cache-Control', 'no-cache');
  res.sendFile(join(distDir, 'index.html'), (err) => {
    if (err && !res.headersSent) sendProblem(res, problem('not_found', 'the console is not built: run `npm run build`'));
  });
}
