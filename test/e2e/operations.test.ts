import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createKeys } from '@hookflow/shared';
import { sendSigned, signUptiq, waitForDelivery } from '../support/client.js';
import { useStack } from '../support/use-stack.js';

const readonlyToken = `test-readonly-${randomBytes(12).toString('hex')}`;
const retention = { count: 5, seconds: 3_600 };
const ctx = useStack('operations', {
  env: {
    HOOKFLOW_READONLY_TOKEN: readonlyToken,
    HOOKFLOW_RETENTION_COUNT: String(retention.count),
    HOOKFLOW_RETENTION_SECONDS: String(retention.seconds),
  },
});
const { prefix, redis } = ctx;
const keys = createKeys(prefix);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sum of a metric's samples whose labels include `labels` (Prometheus text format). */
async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  let sum = 0;
  for (const line of (await res.text()).split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) sum += Number(match[3]);
  }
  return sum;
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

describe('retention', () => {
  it('keeps at most HOOKFLOW_RETENTION_COUNT deliveries per webhook, newest ones, each with the age TTL', async () => {
    const setup = await ctx.api.setupWebhook('echo');
    const endpoint = `${ctx.stack.baseUrl}/hooks/${setup.webhookId}`;
    const ids: string[] = [];
    for (let i = 0; i < 4 * retention.count; i++) {
      await sleep(2); // distinct arrival times: "newest" has one meaning
      const res = await sendSigned(endpoint, { i }, setup.keyFile.privateKey);
      expect(res.status).toBe(202);
      ids.push(res.body.deliveryId);
      // Each finishes before the next arrives: retention removes only finished deliveries, so one that finished before
      // an older one (runs in parallel threads need not finish in arrival order) may go while the older still runs.
      await waitForDelivery(ctx.api, res.body.deliveryId);
    }
    const newest = ids.slice(-retention.count);
    // The index is trimmed as the deliveries finish.
    const index = keys.webhookDeliveries(setup.webhookId);
    await eventually(
      () => redis.zcard(index),
      (n) => n === retention.count,
      'deliveries in the index',
    );

    expect(await redis.zrange(index, '0', '-1')).toEqual(newest);
    for (const id of ids) {
      const kept = newest.includes(id);
      expect(await redis.exists(keys.delivery(id)), id).toBe(kept ? 1 : 0);
      if (kept) {
        const ttl = await redis.ttl(keys.delivery(id));
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(retention.seconds);
      }
    }
    const listed = await ctx.api.get(`/webhooks/${setup.webhookId}/deliveries?limit=200`);
    expect(listed.body.items.map((d: { id: string }) => d.id)).toEqual([...newest].reverse());
    expect((await ctx.api.get(`/deliveries/${ids[0]}`)).status).toBe(404);
  });
});

describe('metrics', () => {
  it('ingress /metrics counts requests by scheme and status, verification failures and enqueue latency', async () => {
    const url = `${ctx.stack.baseUrl}/metrics`;
    const setup = await ctx.api.setupWebhook('echo');
    const endpoint = `${ctx.stack.baseUrl}/hooks/${setup.webhookId}`;
    const accepted = () => metric(url, 'hookflow_ingress_requests_total', { scheme: 'uptiq', status: '202' });
    const refused = () => metric(url, 'hookflow_ingress_requests_total', { scheme: 'uptiq', status: '401' });
    const failures = () => metric(url, 'hookflow_ingress_verification_failures_total', { scheme: 'uptiq', code: 'signature_invalid' });
    const enqueued = () => metric(url, 'hookflow_ingress_enqueue_duration_seconds_count', { result: 'stored' });
    const before = { accepted: await accepted(), refused: await refused(), failures: await failures(), enqueued: await enqueued() };

    for (let i = 0; i < 3; i++) expect((await sendSigned(endpoint, { i }, setup.keyFile.privateKey)).status).toBe(202);
    const body = '{"forged":true}';
    const forged = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signUptiq(body, 'wrong') },
      body,
    });
    expect(forged.status).toBe(401);

    // Counted right after the answer is sent, so read until the counters caught up.
    await eventually(accepted, (n) => n >= before.accepted + 3, 'accepted requests');
    await eventually(refused, (n) => n >= before.refused + 1, 'refused requests');
    await eventually(failures, (n) => n >= before.failures + 1, 'verification failures');
    expect(await enqueued()).toBeGreaterThanOrEqual(before.enqueued + 3);
    const text = await (await fetch(url)).text();
    expect(text).not.toContain(setup.webhookId);
    expect(text).toMatch(/^# TYPE hookflow_ingress_duplicates_total counter/m);
    expect(text).toMatch(/^# TYPE hookflow_ingress_rate_limited_total counter/m);
  });

  it('worker /metrics counts deliveries by workflow and outcome, their duration, and shows queue depth', async () => {
    const url = `http://127.0.0.1:${ctx.stack.workerPort}/metrics`;
    const succeeded = () => metric(url, 'hookflow_worker_deliveries_total', { workflow: 'echo', outcome: 'succeeded' });
    const timed = () => metric(url, 'hookflow_worker_delivery_duration_seconds_count', { workflow: 'echo', outcome: 'succeeded' });
    const before = { succeeded: await succeeded(), timed: await timed() };
    const setup = await ctx.api.setupWebhook('echo');
    const res = await sendSigned(`${ctx.stack.baseUrl}/hooks/${setup.webhookId}`, { hello: 'metrics' }, setup.keyFile.privateKey);
    await waitForDelivery(ctx.api, res.body.deliveryId);
    await eventually(succeeded, (n) => n >= before.succeeded + 1, 'succeeded deliveries');
    expect(await timed()).toBeGreaterThanOrEqual(before.timed + 1);
    const text = await (await fetch(url)).text();
    expect(text).toMatch(/^hookflow_queue_depth\{queue="default",state="wait"\} \d+$/m);
    expect(text).toMatch(/^# TYPE hookflow_worker_retries_total counter/m);
    expect(text).not.toContain(setup.webhookId);
    expect((await fetch(`http://127.0.0.1:${ctx.stack.workerPort}/healthz`)).status).toBe(200);
  });
});

describe('queues', () => {
  it('GET /queues lists default and every webhook queue with counts and workers', async () => {
    await ctx.api.setupWebhook('echo', { options: { queue: 'bulk' } });
    const res = await ctx.api.get('/queues');
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    const byName = Object.fromEntries(res.body.items.map((q: { name: string }) => [q.name, q]));
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['default', 'bulk']));
    expect(byName.default).toMatchObject({
      workers: 1,
      isPaused: false,
      counts: { waiting: expect.any(Number), active: expect.any(Number), delayed: 0, failed: 0, paused: 0 },
    });
    expect(byName.default.counts.completed).toBeGreaterThan(0);
    // No worker serves `bulk` (HOOKFLOW_QUEUES is default).
    expect(byName.bulk.workers).toBe(0);
    expect((await fetch(`${ctx.stack.baseUrl}/api/v1/queues`)).status).toBe(401);
  });

  it('reports the jobs of a paused queue under paused (BullMQ 6 keeps them in wait)', async () => {
    const setup = await ctx.api.setupWebhook('echo', { options: { queue: 'pausable' } });
    const paused = await fetch(`${ctx.stack.baseUrl}/admin/queues/api/queues/pausable/pause`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ctx.stack.adminToken}` },
    });
    expect(paused.status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await sendSigned(`${ctx.stack.baseUrl}/hooks/${setup.webhookId}`, { i }, setup.keyFile.privateKey)).status).toBe(202);
    const pausable = (await ctx.api.get('/queues')).body.items.find((q: { name: string }) => q.name === 'pausable');
    expect(pausable).toMatchObject({ isPaused: true, counts: { waiting: 0, paused: 2 } });
    await fetch(`${ctx.stack.baseUrl}/admin/queues/api/queues/pausable/resume`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ctx.stack.adminToken}` },
    });
    const resumed = (await ctx.api.get('/queues')).body.items.find((q: { name: string }) => q.name === 'pausable');
    expect(resumed).toMatchObject({ isPaused: false, counts: { waiting: 2, paused: 0 } });
  });

  it('the dashboard at /admin/queues is for admins only: 401 without a token, 200 with the bearer or Basic token', async () => {
    const page = `${ctx.stack.baseUrl}/admin/queues`;
    const anonymous = await fetch(page);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(((await anonymous.json()) as { code: string }).code).toBe('unauthorized');
    expect((await fetch(page, { headers: { authorization: 'Bearer not-the-token-at-all' } })).status).toBe(401);
    expect((await fetch(`${page}/api/queues`)).status).toBe(401);

    const bearer = await fetch(page, { headers: { authorization: `Bearer ${ctx.stack.adminToken}` } });
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await bearer.text()).toContain('Hookflow queues');
    const basic = await fetch(page, {
      headers: { authorization: `Basic ${Buffer.from(`admin:${ctx.stack.adminToken}`).toString('base64')}` },
    });
    expect(basic.status).toBe(200);

    const apiQueues = await fetch(`${page}/api/queues`, { headers: { authorization: `Bearer ${ctx.stack.adminToken}` } });
    expect(apiQueues.status).toBe(200);
    const names = ((await apiQueues.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name);
    expect(names).toContain('default');
    // The read-only token may look but not act.
    expect((await fetch(`${page}/api/queues`, { headers: { authorization: `Bearer ${readonlyToken}` } })).status).toBe(200);
    const pause = await fetch(`${page}/api/queues/default/pause`, { method: 'PUT', headers: { authorization: `Bearer ${readonlyToken}` } });
    expect(pause.status).toBe(403);
    expect((await ctx.api.get('/queues')).body.items.find((q: { name: string }) => q.name === 'default').isPaused).toBe(false);
  });
});

describe('OpenAPI', () => {
  it('serves a valid OpenAPI 3.1 document covering every endpoint of API.md', async () => {
    const res = await fetch(`${ctx.stack.baseUrl}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const document = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    const validator = new Validator();
    const result = await validator.validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');

    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const v1 = (s: string) => s.replace(' /', ' /api/v1/');
    const apiMd = [
      'POST /hooks/{webhookId}',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
      ...[
        'POST /agents',
        'GET /agents',
        'GET /agents/{agentId}',
        'DELETE /agents/{agentId}',
        'GET /workflows',
        'PUT /workflows/{name}',
        'GET /workflows/{name}',
        'DELETE /workflows/{name}',
        'POST /agents/{agentId}/webhooks',
        'GET /agents/{agentId}/webhooks',
        'GET /webhooks/{webhookId}',
        'PATCH /webhooks/{webhookId}',
        'DELETE /webhooks/{webhookId}',
        'POST /webhooks/{webhookId}/keys',
        'GET /webhooks/{webhookId}/private-key',
        'GET /webhooks/{webhookId}/deliveries',
        'GET /deliveries/{deliveryId}',
        'POST /deliveries/{deliveryId}/replay',
        'POST /deliveries/{deliveryId}/cancel',
        'POST /webhooks/{webhookId}/deliveries/retry-failed',
        'GET /queues',
        'POST /webhooks/{webhookId}/test-event',
        'GET /agents/{agentId}/outbound-secret',
        'POST /agents/{agentId}/outbound-secret',
        'POST /deliveries/{deliveryId}/signals/{name}',
        // Endpoints added beyond API.md (extensions): records of store steps and the console's test-event preview.
        'GET /agents/{agentId}/records/{collection}',
        'GET /agents/{agentId}/records/{collection}/{key}',
        'GET /webhooks/{webhookId}/test-event',
      ].map(v1),
      'GET /admin/queues',
      'POST /signals/{token}',
      'GET /signals/{token}',
    ];
    expect(operations).toEqual(expect.arrayContaining(apiMd));

    // Generated from the request schemas: the limits the API enforces are the ones documented.
    const list = document.paths['/api/v1/webhooks/{webhookId}/deliveries']!.get as {
      parameters: Array<{ name: string; schema: Record<string, unknown> }>;
    };
    expect(list.parameters.find((p) => p.name === 'limit')!.schema).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 200,
      default: 50,
    });
    expect(list.parameters.find((p) => p.name === 'status')!.schema.enum).toEqual([
      'held',
      'queued',
      'running',
      'retrying',
      'succeeded',
      'failed',
      'cancelled',
      'waiting',
      'superseded',
    ]);
    const create = document.paths['/api/v1/agents']!.post as { requestBody: { content: Record<string, { schema: Record<string, any> }> } };
    expect(create.requestBody.content['application/json']!.schema).toMatchObject({
      required: ['name'],
      additionalProperties: false,
      properties: { name: { maxLength: 100 } },
    });
  });
});
