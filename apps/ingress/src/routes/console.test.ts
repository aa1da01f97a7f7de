import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '@hookflow/shared';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { ConsoleSessions } from '../http/console-sessions.js';
import { consoleRoutes } from './console.js';

/** Behind an https public URL the session cookie must be `Secure`; and a console that was never built says so. */
const prefix = testPrefix('console-routes');
const redis = testRedis();
const adminToken = 'console-admin-token-0123456789';
let server: Server;
let base: string;

beforeAll(async () => {
  const sessions = new ConsoleSessions(redis, createKeys(prefix));
  const emptyDist = mkdtempSync(join(tmpdir(), 'hookflow-console-'));
  const app = express();
  app.use(consoleRoutes({ tokens: { admin: adminToken, readonly: undefined }, sessions, secureCookies: true, distDir: emptyDist }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

describe('consoleRoutes', () => {
  it('marks the session cookie Secure when the public URL is https', async () => {
    const res = await fetch(`${base}/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: adminToken }),
    });
    expect(res.status).toBe(201);
    const cookie = res.headers
      .getSetCookie()[0]!
      .split(';')
      .map((part) => part.trim().toLowerCase());
    expect(cookie).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=strict', 'path=/']));
  });

  it('answers 404 not_found naming `npm run build` when the console was not built', async () => {
    const res = await fetch(`${base}/console/agents`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toContain('npm run build');
  });
});
