import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger, ProblemError } from '@hookflow/shared';
import { errorHandler } from '../http/error-handler.js';
import { adminOperations, Answer, defineEndpoints, expressPath, mountEndpoints } from './endpoint.js';

const thing = z.object({ id: z.string(), size: z.number().int() });

const endpoints = defineEndpoints({
  create: {
    method: 'post',
    path: '/shelves/{shelfId}/things',
    summary: 'Create',
    tag: 't',
    body: { schema: z.object({ size: z.number().int() }).strict() },
    ok: { status: 201, description: 'created', schema: thing },
    problems: [400],
  },
  touch: {
    method: 'post',
    path: '/things/{thingId}/touch',
    summary: 'Touch',
    tag: 't',
    body: { schema: z.object({ times: z.number().optional() }).strict(), optional: true },
    ok: { status: 200, description: 'touched', schema: z.object({ times: z.number() }) },
    problems: [400],
  },
  named: {
    method: 'put',
    path: '/named/{name}',
    summary: 'Put',
    tag: 't',
    body: { schema: z.object({ name: z.string(), size: z.number() }), what: 'named thing', fromPath: ['name'] },
    ok: { status: 201, description: 'new', schema: z.object({ name: z.string(), size: z.number() }) },
    also: [{ status: 200, description: 'again' }],
    problems: [400],
  },
  secret: {
    method: 'get',
    path: '/things/{thingId}/secret',
    summary: 'Secret',
    tag: 't',
    adminOnly: 'admins only',
    ok: { status: 200, description: 'the secret', schema: z.object({ secret: z.string() }) },
    problems: [403],
  },
  list: {
    method: 'get',
    path: '/things',
    summary: 'List',
    tag: 't',
    query: z.object({ limit: z.coerce.number().int().min(1).default(5) }),
    ok: { status: 200, description: 'a page', schema: z.object({ limit: z.number() }) },
    problems: [400],
  },
  remove: {
    method: 'delete',
    path: '/things/{thingId}',
    summary: 'Remove',
    tag: 't',
    ok: { status: 204, description: 'removed' },
    problems: [404],
  },
});

const seen = new Set<string>();
const router = mountEndpoints(endpoints, {
  create: async ({ params, body }) => ({ id: `${params.shelfId}-thing`, size: body.size }),
  touch: async ({ body }) => ({ times: body.times ?? 1 }),
  named: async ({ params, body }) => {
    const again = seen.has(params.name);
    seen.add(params.name);
    return again ? new Answer(200, body) : body;
  },
  secret: async ({ params }) => ({ secret: `of ${params.thingId}` }),
  list: async ({ query }) => ({ limit: query.limit }),
  remove: async ({ params }) => {
    if (params.thingId !== 'known') throw new ProblemError('not_found', `no thing ${params.thingId}`);
  },
});

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(express.json());
  // Stands in for the admin guard, which sets the caller's role.
  app.use((req, res, next) => {
    res.locals.role = req.headers['x-role'] ?? 'admin';
    next();
  });
  app.use(router);
  app.use(errorHandler(createLogger({ name: 'endpoint-test', level: 'silent' })));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), body: text ? (JSON.parse(text) as any) : undefined };
}

describe('mountEndpoints', () => {
  it("parses the body, passes the path parameters, and answers the result under the endpoint's status", async () => {
    expect(await call('POST', '/shelves/s1/things', { size: 3 })).toMatchObject({ status: 201, body: { id: 's1-thing', size: 3 } });
  });

  it('refuses a bad body with 400 invalid_request listing every bad field, before the handler runs', async () => {
    const refused = await call('POST', '/shelves/s1/things', { size: 'big', colour: 'red' });
    expect(refused.status).toBe(400);
    expect(refused.type).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'invalid_request', detail: expect.stringMatching(/^the request body is invalid: /) });
    expect(refused.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['', 'size']);
    expect((await call('POST', '/shelves/s1/things')).body).toMatchObject({ code: 'invalid_request' });
  });

  it('reads an absent optional body as {}', async () => {
    expect(await call('POST', '/things/t1/touch')).toMatchObject({ status: 200, body: { times: 1 } });
    expect(await call('POST', '/things/t1/touch', { times: 4 })).toMatchObject({ status: 200, body: { times: 4 } });
    expect((await call('POST', '/things/t1/touch', { times: 'x' })).status).toBe(400);
  });

  it('fills body fields in from the path when left out, names the body in refusals, and answers another status when the handler says so', async () => {
    expect(await call('PUT', '/named/alpha', { size: 1 })).toMatchObject({ status: 201, body: { name: 'alpha', size: 1 } });
    expect(await call('PUT', '/named/alpha', { size: 2 })).toMatchObject({ status: 200, body: { name: 'alpha', size: 2 } });
    expect((await call('PUT', '/named/alpha', { name: 'alpha', size: 3 })).body).toEqual({ name: 'alpha', size: 3 });
    // A body that names it too is parsed as sent (the service decides whether the two may differ).
    expect((await call('PUT', '/named/alpha', { name: 'beta', size: 4 })).body).toEqual({ name: 'beta', size: 4 });
    expect((await call('PUT', '/named/alpha', {})).body.detail).toMatch(/^the named thing is invalid: size/);
  });

  it('refuses the read-only role an admin-only endpoint, reads included', async () => {
    expect(await call('GET', '/things/t1/secret')).toMatchObject({ status: 200, body: { secret: 'of t1' } });
    expect(await call('GET', '/things/t1/secret', undefined, { 'x-role': 'readonly' })).toMatchObject({
      status: 403,
      body: { code: 'forbidden', detail: 'admins only' },
    });
  });

  it('parses the query with its defaults, and answers an empty result with no body', async () => {
    expect((await call('GET', '/things')).body).toEqual({ limit: 5 });
    expect((await call('GET', '/things?limit=9')).body).toEqual({ limit: 9 });
    expect((await call('GET', '/things?limit=0')).body).toMatchObject({
      code: 'invalid_request',
      detail: expect.stringMatching(/^the query is invalid: limit/),
    });
    expect(await call('DELETE', '/things/known')).toEqual({ status: 204, type: null, body: undefined });
    expect(await call('DELETE', '/things/other')).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });
});

describe('adminOperations', () => {
  it('documents each endpoint under /api/v1 behind the admin token, with the body it parses', () => {
    const operations = adminOperations(router.endpoints);
    expect(operations.map((op) => `${op.method} ${op.path}`)).toEqual(Object.values(endpoints).map((e) => `${e.method} /api/v1${e.path}`));
    expect(operations.every((op) => op.admin)).toBe(true);
    expect(operations.find((op) => op.path === '/api/v1/things/{thingId}/touch')?.body).toEqual({
      schema: endpoints.touch.body.schema,
      optional: true,
      fromPath: [],
    });
    expect(operations.find((op) => op.path === '/api/v1/named/{name}')?.body).toMatchObject({ optional: false, fromPath: ['name'] });
    expect(expressPath('/agents/{agentId}/records/{collection}/{key}')).toBe('/agents/:agentId/records/:collection/:key');
  });
});
