import { request as httpRequest } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLogger, createRedis, getScheme, waitUntilReady } from '@hookflow/shared';
import { loadConfig } from '../../apps/ingress/src/config.js';
import { createServices } from '../../apps/ingress/src/services.js';
import { createServer } from 'node:http';
import { createRequestListener } from '../../apps/ingress/src/app.js';
import { useStack } from '../support/use-stack.js';

const ctx = useStack('hostile');
const { prefix, redis } = ctx;
const hooks: { id: string; scheme: string; secret: string }[] = [];

beforeAll(async () => {
  for (const scheme of ['uptiq', 'standard-webhooks']) {
    const setup = await ctx.api.setupWebhook('echo', { scheme, options: { maxBodyBytes: 256 * 1024 } });
    hooks.push({ id: setup.webhookId, scheme, secret: setup.keyFile.privateKey });
  }
});

interface RawResponse {
  status: number;
  body: string;
}

/** A raw HTTP/1.1 request with any method, headers and bytes (fetch would refuse or rewrite some of them). */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  chunked: boolean,
): Promise<RawResponse | 'connection-closed'> {
  const url = new URL(ctx.stack.baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: chunked ? headers : { ...headers, 'content-length': String(body.length) },
        timeout: 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => resolve('connection-closed'));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within 20 s: ${method} ${path}`)));
    // The server may answer (413, 401…) and close before reading a large body: that is allowed, a hang is not.
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? resolve('connection-closed') : reject(err),
    );
    req.end(body);
  });
}

const pollutingKeys = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString', 'valueOf'];

/** JSON text meant to hurt: prototype keys, deep nesting, long strings, duplicate keys, odd numbers. */
const hostileJson = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.constantFrom(...pollutingKeys).map((k) => `{"${k}":{"polluted":"yes","isAdmin":true},"a":{"${k}":{"polluted":1}}}`),
  fc.constant('{"constructor":{"prototype":{"polluted":"yes"}}}'),
  fc.integer({ min: 1, max: 100_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 1, max: 50_000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc.integer({ min: 0, max: 300_000 }).map((n) => JSON.stringify({ s: 'x'.repeat(n) })),
  fc.constantFrom('{"a":1,"a":2}', '1e999999', '-0', '"\\ud800"', 'null', '[]', '""', '{"x":"\\u0000"}', '\ufeff{}'),
);

const bodyBytes = fc.oneof(
  hostileJson.map((text) => Buffer.from(text, 'utf8')),
  fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]), Buffer.from([0xc3, 0x28]), Buffer.alloc(0)),
  fc.integer({ min: 256 * 1024, max: 1_500_000 }).map((n) => Buffer.alloc(n, 0x20)),
);

const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/json; charset=utf-16',
    'application/json;;;',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    '',
  ),
  fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
);

const headerValue = fc.oneof(
  fc.string({ maxLength: 80 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
  fc.constantFrom(
    'sha256=' + '0'.repeat(64),
    'v1,' + 'A'.repeat(44),
    't=1,v1=' + 'f'.repeat(64),
    'v0=' + 'a'.repeat(64),
    '1',
    '-1',
    '99999999999999999999',
  ),
);

const extraHeaderNames = [
  'x-signature',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'idempotency-key',
  'content-encoding',
  'x-forwarded-for',
  'transfer-encoding-x',
  'constructor',
  'prototype',
  'x-hub-signature-256',
  'stripe-signature',
  'expect-x',
  'authorization',
];

const hostileRequest = fc.record({
  method: fc.oneof(
    fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
    fc.stringMatching(/^[A-Z]{1,12}$/),
  ),
  target: fc.oneof(
    fc.constant('real' as const),
    fc.constant('real' as const),
    fc.constantFrom(
      '/hooks/wh_00000000000000000000000000',
      '/hooks/__proto__',
      '/hooks/constructor',
      '/hooks/%00',
      '/hooks/..%2f..%2fapi',
      '/hooks/',
    ),
    fc.string({ maxLength: 30 }).map((s) => `/hooks/${encodeURIComponent(s)}`),
  ),
  hook: fc.nat(hooks.length === 0 ? 1 : hooks.length - 1),
  contentType,
  body: bodyBytes,
  extra: fc.dictionary(fc.constantFrom(...extraHeaderNames), headerValue, { maxKeys: 5 }),
  contentEncoding: fc.option(fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'x-bogus'), { nil: undefined }),
  sign: fc.boolean(),
  chunked: fc.boolean(),
});

describe('hostile input against the real ingress', () => {
  it('never answers 5xx other than 503, never crashes, never stores an unsigned request, never hangs', async () => {
    const accepted = new Set<string>();
    let validlySigned = 0;
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (r) => {
        const hook = hooks[r.hook % hooks.length]!;
        const path = r.target === 'real' ? `/hooks/${hook.id}` : r.target;
        const headers: Record<string, string> = { ...r.extra };
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.contentEncoding) headers['content-encoding'] = r.contentEncoding;
        let signed = false;
        if (r.sign && r.target === 'real') {
          Object.assign(headers, getScheme(hook.scheme).sign(r.body.toString('utf8'), hook.secret, Date.now()));
          // Only a body whose bytes survive the UTF-8 round trip is really signed.
          signed = Buffer.from(r.body.toString('utf8'), 'utf8').equals(r.body);
          if (signed) validlySigned++;
        }
        const res = await send(r.method, path, headers, r.body, r.chunked);
        if (res === 'connection-closed') return;
        expect(res.status < 500 || res.status === 503, `${res.status} ${res.body.slice(0, 200)}`).toBe(true);
        if (res.status >= 200 && res.status < 300) {
          expect(signed, `2xx for a request without a valid signature: ${r.method} ${path}`).toBe(true);
          expect(r.method).toBe('POST');
          const answer = JSON.parse(res.body) as { deliveryId: string };
          if (res.status === 202) accepted.add(answer.deliveryId);
        } else if (res.status !== 405 && res.status !== 404 && res.body) {
          expect(JSON.parse(res.body)).toMatchObject({ type: 'about:blank', status: res.status, code: expect.any(String) });
        }
      }),
      { numRuns: 250, interruptAfterTimeLimit: 40_000 },
    );

    // Still alive and well.
    expect(ctx.stack.ingress.child.exitCode).toBeNull();
    expect((await fetch(`${ctx.stack.baseUrl}/healthz`)).status).toBe(200);
    expect(ctx.stack.worker!.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${ctx.stack.workerPort}/healthz`)).status).toBe(200);

    // Every stored delivery is one the property saw accepted with a valid signature.
    const stored = new Set<string>();
    for (const hook of hooks) for (const id of await redis.zrange(`{${prefix}}:webhook:${hook.id}:deliveries`, '0', '-1')) stored.add(id);
    expect([...stored].sort()).toEqual([...accepted].sort());
    expect(validlySigned).toBeGreaterThan(0);
  }, 90_000);

  it('stores prototype-polluting payloads as plain data (own keys kept, nothing merged)', async () => {
    const hook = hooks[0]!;
    const raw = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"n":1}';
    const headers = { 'content-type': 'application/json', ...getScheme(hook.scheme).sign(raw, hook.secret, Date.now()) };
    const res = await send('POST', `/hooks/${hook.id}`, headers, Buffer.from(raw), false);
    expect(res).not.toBe('connection-closed');
    const { status, body } = res as RawResponse;
    expect(status).toBe(202);
    const { deliveryId } = JSON.parse(body) as { deliveryId: string };
    expect(await redis.hget(`{${prefix}}:delivery:${deliveryId}`, 'payload')).toBe(raw);
    const delivery = (await ctx.api.get(`/deliveries/${deliveryId}`)).body;
    expect(Object.keys(delivery.payload)).toEqual(['__proto__', 'constructor', 'n']);
    expect(delivery.polluted).toBeUndefined();
    expect((await ctx.api.get('/agents')).body.polluted).toBeUndefined();
  });

  it('does not pollute Object.prototype in the ingest path (checked in-process, on the same Express app and Redis)', async () => {
    const config = loadConfig({
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      HOOKFLOW_REDIS_PREFIX: prefix,
      HOOKFLOW_ADMIN_TOKEN: ctx.stack.adminToken,
      HOOKFLOW_MASTER_KEY: ctx.stack.env.HOOKFLOW_MASTER_KEY,
      PORT: '0',
    });
    const connection = createRedis(config.redisUrl, 'producer');
    await waitUntilReady(connection, config.redisUrl);
    const services = createServices(config, createLogger({ name: 'ingress-test', level: 'silent' }), connection);
    const server = createServer(createRequestListener(services)).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    try {
      const hook = hooks[0]!;
      const payloads = fc.sample(
        fc
          .constantFrom(...pollutingKeys)
          .chain((k) =>
            fc.constantFrom(
              `{"${k}":{"polluted":"yes"}}`,
              `{"a":{"${k}":{"polluted":"yes"}}}`,
              `[{"${k}":{"prototype":{"polluted":"yes"}}}]`,
            ),
          ),
        30,
      );
      for (const raw of payloads) {
        const headers = {
          'content-type': 'application/json',
          ...getScheme(hook.scheme).sign(raw, hook.secret, Date.now()),
          'idempotency-key': raw,
        };
        const res = await fetch(`${base}/hooks/${hook.id}`, { method: 'POST', headers, body: raw });
        expect([200, 202]).toContain(res.status);
        await fetch(`${base}/api/v1/agents`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ctx.stack.adminToken}`, 'content-type': 'application/json' },
          body: raw,
        });
      }
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    } finally {
      services.backlog.stop();
      await new Promise((r) => server.close(r));
      await services.queues.close();
      connection.disconnect();
    }
  });
});
