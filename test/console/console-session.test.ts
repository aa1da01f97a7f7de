import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '@hookflow/shared';
import { useStack } from '../support/use-stack.js';
import { ensureConsoleBuilt } from './console-browser.js';

/** The console's session: cookie flags, CSRF on cookie writes, sign-out, and what `/console` serves. */
const readonlyToken = `test-readonly-${randomBytes(12).toString('hex')}`;
// The console is built (if it is not yet) before the stack starts, as the first hook.
beforeAll(() => ensureConsoleBuilt());
const ctx = useStack('console-session', { worker: false, env: { HOOKFLOW_READONLY_TOKEN: readonlyToken } });
const { prefix, redis } = ctx;

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(
  method: string,
  path: string,
  options: { cookie?: string; csrf?: string; body?: unknown; contentType?: string; bearer?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrf) headers['x-csrf-token'] = options.csrf;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const res = await fetch(`${ctx.stack.baseUrl}${path}`, {
    method,
    headers,
    redirect: 'manual',
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (HTML): keep the text
  }
  return { status: res.status, headers: res.headers, body };
}

/** Signs in with `token`; returns the `name=value` cookie pair, its full Set-Cookie line and the CSRF token. */
async function signIn(token: string) {
  const res = await call('POST', '/console/session', { body: { token } });
  expect(res.status).toBe(201);
  const setCookie = res.headers.getSetCookie().find((line) => line.startsWith('hookflow_session='));
  expect(setCookie).toBeDefined();
  return { cookie: setCookie!.split(';')[0]!, setCookie: setCookie!, csrf: res.body.csrfToken as string, body: res.body };
}

describe('console sign-in session', () => {
  it('sets an httpOnly, SameSite=Strict session cookie for the admin token, stored in Redis with an expiry', async () => {
    const { setCookie, cookie, body } = await signIn(ctx.stack.adminToken);
    const attributes = setCookie.split(';').map((part) => part.trim().toLowerCase());
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=strict');
    expect(attributes).toContain('path=/');
    expect(attributes.find((a) => a.startsWith('max-age='))).toBe('max-age=28800');
    // Plain http here: the cookie is marked Secure only when the public URL is https.
    expect(attributes).not.toContain('secure');
    expect(body).toEqual({
      signedIn: true,
      role: 'admin',
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
    });
    const sessionValue = cookie.split('=')[1]!;
    expect(JSON.stringify(body)).not.toContain(sessionValue);
    // Redis holds a hash of the cookie value, never the value itself, and lets it expire.
    const sessionKeys = await redis.keys(createKeys(prefix).consoleSession('*'));
    expect(sessionKeys).toHaveLength(1);
    expect(sessionKeys[0]).not.toContain(sessionValue);
    const ttl = await redis.ttl(sessionKeys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(28_800);
    await call('DELETE', '/console/session', { cookie });
  });

  it('refuses a wrong token (401) and a form-encoded sign-in (400), setting no cookie', async () => {
    const wrong = await call('POST', '/console/session', { body: { token: 'x'.repeat(40) } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('unauthorized');
    expect(wrong.headers.getSetCookie()).toEqual([]);
    const form = await call('POST', '/console/session', {
      body: `token=${ctx.stack.adminToken}`,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(400);
    expect(form.body.code).toBe('invalid_request');
    expect(form.headers.getSetCookie()).toEqual([]);
  });

  it('tells a page whether it is signed in, with the CSRF token only to the session holder', async () => {
    expect((await call('GET', '/console/session')).body).toEqual({ signedIn: false });
    expect((await call('GET', '/console/session', { cookie: 'hookflow_session=forged' })).body).toEqual({ signedIn: false });
    const { cookie, csrf } = await signIn(ctx.stack.adminToken);
    const again = await call('GET', '/console/session', { cookie });
    expect(again.body).toMatchObject({ signedIn: true, role: 'admin', csrfToken: csrf });
    expect(again.headers.get('cache-control')).toBe('no-store');
  });

  it('lets the session read the API, and refuses cookie writes without the right x-csrf-token (403 csrf_invalid)', async () => {
    const { cookie, csrf } = await signIn(ctx.stack.adminToken);
    expect((await call('GET', '/api/v1/agents', { cookie })).status).toBe(200);
    const before = (await ctx.api.get('/agents')).body.items.length;

    const noHeader = await call('POST', '/api/v1/agents', { cookie, body: { name: 'csrf victim' } });
    expect(noHeader.status).toBe(403);
    expect(noHeader.body).toMatchObject({ code: 'csrf_invalid', status: 403 });
    // One character off (always a different one: a token may itself end in "A").
    const nearMiss = `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}`;
    expect(nearMiss).not.toBe(csrf);
    const wrongHeader = await call('POST', '/api/v1/agents', { cookie, csrf: nearMiss, body: { name: 'csrf victim' } });
    expect(wrongHeader.status).toBe(403);
    expect(wrongHeader.body.code).toBe('csrf_invalid');
    const otherSession = await signIn(ctx.stack.adminToken);
    const crossed = await call('DELETE', '/api/v1/agents/agt_00000000000000000000000000', { cookie, csrf: otherSession.csrf });
    expect(crossed.body.code).toBe('csrf_invalid');
    expect((await ctx.api.get('/agents')).body.items.length).toBe(before);

    const ok = await call('POST', '/api/v1/agents', { cookie, csrf, body: { name: 'made in the console' } });
    expect(ok.status).toBe(201);
    expect(ok.body.name).toBe('made in the console');
  });

  it('leaves bearer-token calls as they were: no CSRF header needed, a bad bearer is refused even with a session', async () => {
    expect((await call('POST', '/api/v1/agents', { bearer: ctx.stack.adminToken, body: { name: 'bearer' } })).status).toBe(201);
    const { cookie, csrf } = await signIn(ctx.stack.adminToken);
    const badBearer = await call('POST', '/api/v1/agents', { cookie, csrf, bearer: 'wrong-token-wrong-token', body: { name: 'x' } });
    expect(badBearer.status).toBe(401);
    expect((await call('GET', '/api/v1/agents')).status).toBe(401);
  });

  it('opens the queue dashboard at /admin/queues with the same session', async () => {
    expect((await call('GET', '/admin/queues')).status).toBe(401);
    const { cookie } = await signIn(ctx.stack.adminToken);
    const page = await call('GET', '/admin/queues', { cookie });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('gives a read-only token a read-only session', async () => {
    const { cookie, csrf, body } = await signIn(readonlyToken);
    expect(body.role).toBe('readonly');
    expect((await call('GET', '/api/v1/agents', { cookie })).status).toBe(200);
    const write = await call('POST', '/api/v1/agents', { cookie, csrf, body: { name: 'nope' } });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('forbidden');
  });

  it('signs out: the cookie is cleared, the session is gone from Redis and no longer opens the API', async () => {
    const { cookie, csrf } = await signIn(ctx.stack.adminToken);
    const countBefore = (await redis.keys(createKeys(prefix).consoleSession('*'))).length;
    const out = await call('DELETE', '/console/session', { cookie, csrf });
    expect(out.status).toBe(204);
    const cleared = out.headers.getSetCookie().find((line) => line.startsWith('hookflow_session='));
    expect(cleared).toMatch(/^hookflow_session=;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect((await redis.keys(createKeys(prefix).consoleSession('*'))).length).toBe(countBefore - 1);
    expect((await call('GET', '/api/v1/agents', { cookie })).status).toBe(401);
    expect((await call('GET', '/console/session', { cookie })).body).toEqual({ signedIn: false });
  });
});

describe('POST /api/v1/webhooks/{id}/test-event', () => {
  it("signs the workflow's example with the webhook key and answers what the endpoint answered", async () => {
    const agent = await ctx.api.post('/agents', { name: 'test events' });
    const webhook = await ctx.api.post(`/agents/${agent.body.id}/webhooks`, { workflow: 'echo', name: 'keyless' });
    const keyless = await ctx.api.post(`/webhooks/${webhook.body.id}/test-event`);
    expect(keyless.status).toBe(404);
    expect(keyless.body.code).toBe('key_not_found');

    await ctx.api.post(`/webhooks/${webhook.body.id}/keys`, {});
    const sent = await ctx.api.post(`/webhooks/${webhook.body.id}/test-event`);
    expect(sent.status).toBe(200);
    expect(sent.body.response).toEqual({ status: 202, body: { deliveryId: expect.stringMatching(/^dlv_/), status: 'queued' } });
    const delivery = await ctx.api.get(`/deliveries/${sent.body.response.body.deliveryId}`);
    expect(delivery.body.payload).toEqual(sent.body.payload);
    // echo's own example (a workflow's first `examples` entry is what a test event sends when given none).
    expect(delivery.body.payload).toMatchObject({ type: 'hookflow.test_event' });
    expect(delivery.body.headers['x-signature']).toBeUndefined();

    // A disabled webhook refuses it like any other request; the refusal is passed along, not hidden.
    await ctx.api.patch(`/webhooks/${webhook.body.id}`, { status: 'disabled' });
    const refused = await ctx.api.post(`/webhooks/${webhook.body.id}/test-event`);
    expect(refused.body.response).toMatchObject({ status: 403, body: { code: 'webhook_disabled' } });
    expect((await ctx.api.post('/webhooks/wh_00000000000000000000000000/test-event')).body.code).toBe('webhook_not_found');
  });
});

describe('the /console pages', () => {
  it('serves the app with a strict CSP, index.html for app paths, 404 for a missing file, and /console → /console/', async () => {
    const index = await call('GET', '/console/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.body).toContain('<div id="root">');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const deep = await call('GET', '/console/agents/agt_x/triggers');
    expect(deep.status).toBe(200);
    expect(deep.body).toBe(index.body);
    const missing = await call('GET', '/console/assets/missing.js');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
    const bare = await call('GET', '/console');
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe('/console/');
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(index.body as string)?.[1];
    const script = await fetch(`${ctx.stack.baseUrl}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toContain('immutable');
  });
});
