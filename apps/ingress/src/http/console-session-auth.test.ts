import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '@hookflow/shared';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { requireAdmin } from './admin-auth.js';
import { ConsoleSessions } from './console-sessions.js';
import { consoleSessionRole, loadConsoleSession } from './console-session-auth.js';

/**
 * The guard of pages such as Bull Board at /admin/queues, assembled as app.ts does: the bearer token (or Basic) or the
 * console session opens them; a page's own scripts cannot send our CSRF header, so a session write must come from
 * the same origin.
 */
const prefix = testPrefix('admin-page-auth');
const redis = testRedis();
const adminToken = 'page-admin-token-0123456789';
let server: Server;
let base: string;
let sessionCookie: string;

beforeAll(async () => {
  const sessions = new ConsoleSessions(redis, createKeys(prefix));
  const tokens = { admin: adminToken, readonly: undefined };
  const app = express();
  app.use(
    '/admin/queues',
    loadConsoleSession(sessions, 'same-origin'),
    requireAdmin(tokens, { basic: true, authenticators: [consoleSessionRole] }),
    (req, res) => {
      res.json({ method: req.method, role: res.locals.role });
    },
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sessionCookie = `hookflow_session=${(await sessions.create('admin')).id}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

async function visit(method: string, headers: Record<string, string>) {
  const res = await fetch(`${base}/admin/queues/api/queues`, { method, headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the /admin/queues guard with console sessions', () => {
  it('opens with the console session cookie, and with the bearer token', async () => {
    expect(await visit('GET', { cookie: sessionCookie })).toEqual({ status: 200, body: { method: 'GET', role: 'admin' } });
    expect((await visit('GET', { authorization: `Bearer ${adminToken}` })).status).toBe(200);
  });

  it('refuses anyone else with 401', async () => {
    expect((await visit('GET', {})).body.code).toBe('unauthorized');
    expect((await visit('GET', { cookie: 'hookflow_session=forged' })).status).toBe(401);
    expect((await visit('GET', { authorization: 'Bearer wrong-wrong-wrong' })).status).toBe(401);
  });

  it('accepts a session write from the same origin and refuses a cross-site one (403 csrf_invalid)', async () => {
    expect((await visit('PUT', { cookie: sessionCookie, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await visit('PUT', { cookie: sessionCookie, origin: base })).status).toBe(200);
    const crossSite = await visit('PUT', { cookie: sessionCookie, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.code).toBe('csrf_invalid');
    expect((await visit('PUT', { cookie: sessionCookie, origin: 'https://evil.example' })).body.code).toBe('csrf_invalid');
    expect((await visit('PUT', { cookie: sessionCookie })).status).toBe(403);
  });
});
