import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createKeys } from '@hookflow/shared';
import { signUptiq } from '../support/client.js';
import { useStack } from '../support/use-stack.js';

// The public edge under abuse (API.md §5.1, and the paging line of §5.2), against the real ingress. Small limits
// where the defaults would need large requests to reach.
const canonicalMaxBytes = 2048;
const maxWebhooksPerAgent = 6;
const ctx = useStack('edge', {
  worker: false,
  env: { HOOKFLOW_CANONICAL_MAX_BYTES: String(canonicalMaxBytes), HOOKFLOW_MAX_WEBHOOKS_PER_AGENT: String(maxWebhooksPerAgent) },
});
const keys = () => createKeys(ctx.prefix);

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request: any path bytes (fetch would normalise some), any headers. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawResponse> {
  const url = new URL(ctx.stack.baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within 20 s: ${method} ${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs `text` exactly as given, signed (uptiq) over `signedText` (default: the same text). */
function postHook(webhookId: string, text: string, privateKey: string, signedText = text, contentType = 'application/json') {
  return raw('POST', `/hooks/${webhookId}`, { 'content-type': contentType, 'x-signature': signUptiq(signedText, privateKey) }, text);
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const codeOf = (res: RawResponse) => (JSON.parse(res.body) as { code: string }).code;

describe('work before authentication is bounded, and what is stored is what was signed', () => {
  it('stores the canonical form when only it matched: duplicate keys cannot smuggle other bytes in', async () => {
    const { webhookId, keyFile } = await ctx.api.setupWebhook('echo');
    const signed = '{"amount":100,"to":"alice"}';
    const res = await postHook(webhookId, '{"amount":999999,"to":"mallory","amount":100,"to":"alice"}', keyFile.privateKey, signed);
    expect(res.status).toBe(202);
    const { deliveryId } = JSON.parse(res.body) as { deliveryId: string };
    expect(await ctx.redis.hget(keys().delivery(deliveryId), 'payload')).toBe(signed);
    expect((await ctx.api.get(`/deliveries/${deliveryId}`)).body.payload).toEqual({ amount: 100, to: 'alice' });
  });

  it('still stores the raw bytes when they are what was signed', async () => {
    const { webhookId, keyFile } = await ctx.api.setupWebhook('echo');
    const text = '{ "b": 1,   "a": [1, 2] }';
    const res = await postHook(webhookId, text, keyFile.privateKey);
    expect(res.status).toBe(202);
    expect(await ctx.redis.hget(keys().delivery((JSON.parse(res.body) as { deliveryId: string }).deliveryId), 'payload')).toBe(text);
  });

  it('tries the canonical fallback only up to HOOKFLOW_CANONICAL_MAX_BYTES', async () => {
    const { webhookId, keyFile } = await ctx.api.setupWebhook('echo');
    const value = (n: number) => ({ items: Array.from({ length: n }, (_, i) => ({ i })) });
    const small = value(20);
    const large = value(200);
    const smallPretty = JSON.stringify(small, null, 2);
    const largePretty = JSON.stringify(large, null, 2);
    expect(smallPretty.length).toBeLessThanOrEqual(canonicalMaxBytes);
    expect(largePretty.length).toBeGreaterThan(canonicalMaxBytes);
    expect((await postHook(webhookId, smallPretty, keyFile.privateKey, JSON.stringify(small))).status).toBe(202);
    const refused = await postHook(webhookId, largePretty, keyFile.privateKey, JSON.stringify(large));
    expect(refused.status).toBe(401);
    expect(codeOf(refused)).toBe('signature_invalid');
    // Signed over its own bytes, the same large body is accepted: only the re-serialisation is bounded.
    expect((await postHook(webhookId, largePretty, keyFile.privateKey)).status).toBe(202);
  });
});

describe('depth', () => {
  it('answers an authentic body deeper than maxDepth (default 64) 400 payload_too_deep and stores nothing', async () => {
    const { webhookId, keyFile } = await ctx.api.setupWebhook('echo');
    expect((await postHook(webhookId, nested(64), keyFile.privateKey)).status).toBe(202);
    const deep = await postHook(webhookId, nested(65), keyFile.privateKey);
    expect(deep.status).toBe(400);
    expect(codeOf(deep)).toBe('payload_too_deep');
    const deepObject = '{"a":'.repeat(6000) + '1' + '}'.repeat(6000);
    expect(codeOf(await postHook(webhookId, deepObject, keyFile.privateKey))).toBe('payload_too_deep');
    // Brackets inside strings are text, not depth.
    expect((await postHook(webhookId, JSON.stringify({ s: '['.repeat(500) }), keyFile.privateKey)).status).toBe(202);
    // Not authentic: 401 before any depth is looked at.
    expect(
      (await raw('POST', `/hooks/${webhookId}`, { 'content-type': 'application/json', 'x-signature': '0'.repeat(64) }, nested(6000)))
        .status,
    ).toBe(401);
    expect(await ctx.redis.zcard(keys().webhookDeliveries(webhookId))).toBe(2);
  });

  it('honours the webhook option maxDepth and refuses one out of range', async () => {
    const { webhookId, keyFile } = await ctx.api.setupWebhook('echo', { options: { maxDepth: 2 } });
    expect((await postHook(webhookId, '{"a":[1]}', keyFile.privateKey)).status).toBe(202);
    expect(codeOf(await postHook(webhookId, '{"a":[[1]]}', keyFile.privateKey))).toBe('payload_too_deep');
    const agent = (await ctx.api.post('/agents', { name: 'depth' })).body;
    for (const maxDepth of [0, 1001, 'deep']) {
      const res = await ctx.api.post(`/agents/${agent.id}/webhooks`, { workflow: 'echo', options: { maxDepth } });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_request');
    }
  });

  it('serves a record stored deeper than anything presentable, with an error field instead of a 500', async () => {
    const { webhookId } = await ctx.api.setupWebhook('echo');
    const listed = await ctx.api.get(`/webhooks/${webhookId}/deliveries`);
    expect(listed.status).toBe(200);
    const id = 'dlv_deeprecord0000000000000000';
    const deep = nested(6000);
    const now = new Date().toISOString();
    await ctx.redis
      .multi()
      .hset(keys().delivery(id), {
        id,
        webhookId,
        agentId: 'agt_deeprecord000000000000000',
        workflow: 'echo',
        status: 'failed',
        receivedAt: now,
        attempts: '1',
        headers: '{}',
        payload: deep,
        result: 'not json',
        error: JSON.stringify({ code: 'x', message: 'failed' }),
        'step:s1': `{"id":"s1","type":"transform","status":"succeeded","attempts":1,"startedAt":"${now}","finishedAt":"${now}","output":${deep}}`,
        queue: 'default',
      })
      .zadd(keys().webhookDeliveries(webhookId), Date.now(), id)
      .exec();

    const one = await ctx.api.get(`/deliveries/${id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id,
      status: 'failed',
      payload: null,
      result: null,
      error: { code: 'x' },
      presentationError: { code: 'record_unpresentable' },
    });
    expect(one.body.presentationError.message).toContain('payload');
    expect(one.body.presentationError.message).toContain('s1');
    expect(one.body.steps).toEqual([expect.objectContaining({ id: 's1', type: 'transform', status: 'succeeded' })]);
    expect(one.body.steps[0].output).toBeUndefined();

    const list = await ctx.api.get(`/webhooks/${webhookId}/deliveries`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((d: { id: string }) => d.id)).toEqual([id]);
  });

  it('serves an agent record a workflow stored too deep, with an error field', async () => {
    const agent = (await ctx.api.post('/agents', { name: 'records' })).body;
    const now = new Date().toISOString();
    await ctx.redis
      .multi()
      .set(keys().record(agent.id, 'docs', 'deep'), `{"collection":"docs","key":"deep","value":{"a":${nested(6000)}},"updatedAt":"${now}"}`)
      .set(keys().record(agent.id, 'docs', 'fine'), JSON.stringify({ collection: 'docs', key: 'fine', value: { a: 1 }, updatedAt: now }))
      .zadd(keys().records(agent.id, 'docs'), 0, 'deep', 0, 'fine')
      .exec();
    const one = await ctx.api.get(`/agents/${agent.id}/records/docs/deep`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      collection: 'docs',
      key: 'deep',
      value: null,
      updatedAt: now,
      presentationError: { code: 'record_unpresentable' },
    });
    const list = await ctx.api.get(`/agents/${agent.id}/records/docs`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: { key: string; value: unknown }) => [r.key, r.value])).toEqual([
      ['deep', null],
      ['fine', { a: 1 }],
    ]);
  });
});

describe('requests that cannot be decoded', () => {
  it('answers undecodable paths 400 invalid_request and logs no stack trace', async () => {
    for (const [method, path] of [
      ['POST', '/hooks/%c0'],
      ['GET', '/console/%'],
      ['GET', '/api/v1/agents/%E0%A4%A'],
      ['GET', '/hooks/%ff%fe'],
    ] as const) {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${ctx.stack.adminToken}` };
      const res = await raw(method, path, headers, method === 'POST' ? '{}' : undefined);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ status: 400, code: 'invalid_request' });
    }
    await new Promise((r) => setTimeout(r, 200)); // let the log lines reach the pipe
    const output = ctx.stack.ingress.output();
    expect(output).not.toContain('unexpected error');
    expect(output).not.toMatch(/"level":50/);
    expect(output).not.toMatch(/URIError|\n\s+at /);
  });

  it('answers malformed admin bodies 400 invalid_request, however malformed', async () => {
    const auth = { authorization: `Bearer ${ctx.stack.adminToken}`, 'content-type': 'application/json' };
    for (const body of ['{"name":', '[1,2', '{"name":"x"}}', nested(5000), '{"name":' + '{"a":'.repeat(3000) + '1' + '}'.repeat(3001)]) {
      const res = await raw('POST', '/api/v1/agents', auth, body);
      expect(res.status, body.slice(0, 40)).toBe(400);
      expect(codeOf(res)).toBe('invalid_request');
    }
  });

  it('answers a charset other than utf-8 415, on ingest and on the admin API', async () => {
    const { webhookId, keyFile } = await ctx.api.setupWebhook('echo');
    const utf16 = Buffer.from('{"n":1}', 'utf16le');
    for (const charset of ['utf-16', 'UTF-16LE', 'iso-8859-1', '"latin1"']) {
      const res = await raw(
        'POST',
        `/hooks/${webhookId}`,
        { 'content-type': `application/json; charset=${charset}`, 'x-signature': signUptiq(utf16.toString('utf8'), keyFile.privateKey) },
        utf16,
      );
      expect(res.status, charset).toBe(415);
      expect(codeOf(res)).toBe('unsupported_media_type');
    }
    for (const charset of ['utf-8', 'UTF-8', '"utf-8"']) {
      expect(
        (await postHook(webhookId, '{"n":2}', keyFile.privateKey, '{"n":2}', `application/json; charset=${charset}`)).status,
        charset,
      ).toBe(202);
    }
    const admin = await raw(
      'POST',
      '/api/v1/agents',
      { authorization: `Bearer ${ctx.stack.adminToken}`, 'content-type': 'application/json; charset=utf-16' },
      Buffer.from('{"name":"x"}', 'utf16le'),
    );
    expect(admin.status).toBe(415);
    expect(codeOf(admin)).toBe('unsupported_media_type');
  });
});

describe('lists and growth', () => {
  it("pages an agent's webhooks (oldest first) and caps how many an agent may have", async () => {
    const agent = (await ctx.api.post('/agents', { name: 'many hooks' })).body;
    const created: string[] = [];
    for (let i = 0; i < maxWebhooksPerAgent; i++)
      created.push((await ctx.api.post(`/agents/${agent.id}/webhooks`, { workflow: 'echo', name: `hook ${i}` })).body.id);
    const over = await ctx.api.post(`/agents/${agent.id}/webhooks`, { workflow: 'echo' });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('limit_reached');

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await ctx.api.get(
        `/agents/${agent.id}/webhooks?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.body.items.map((w) => w.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(2);
    expect(seen).toEqual(created);
    expect((await ctx.api.get(`/agents/${agent.id}/webhooks`)).body.items).toHaveLength(maxWebhooksPerAgent);

    for (const query of ['limit=0', 'limit=201', 'limit=x', 'cursor=not-a-cursor']) {
      const res = await ctx.api.get(`/agents/${agent.id}/webhooks?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.code).toBe('invalid_request');
    }

    // Deleting one makes room again.
    expect((await ctx.api.delete(`/webhooks/${created[0]}`)).status).toBe(204);
    expect((await ctx.api.post(`/agents/${agent.id}/webhooks`, { workflow: 'echo' })).status).toBe(201);
  });

  it('lists webhooks created before the ordered index existed', async () => {
    const agent = (await ctx.api.post('/agents', { name: 'older hooks' })).body;
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await ctx.api.post(`/agents/${agent.id}/webhooks`, { workflow: 'echo' })).body.id);
    await ctx.redis.del(keys().agentWebhookOrder(agent.id));
    expect((await ctx.api.get(`/agents/${agent.id}/webhooks`)).body.items.map((w: { id: string }) => w.id)).toEqual(ids);
  });

  it('keeps the last 20 versions of a workflow', async () => {
    const definition = (n: number) => ({
      name: 'many-versions',
      description: `v${n}`,
      steps: [{ id: 'out', type: 'transform', expression: String(n) }],
    });
    for (let n = 1; n <= 30; n++) expect((await ctx.api.call('PUT', '/workflows/many-versions', definition(n))).status).toBeLessThan(300);
    const versions = (await ctx.redis.hkeys(keys().workflowVersions('many-versions'))).map(Number).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
    expect((await ctx.api.get('/workflows/many-versions')).body).toMatchObject({ version: 30 });
  });
});

describe('security headers', () => {
  it('sends nosniff and refuses framing on the console and the queue dashboard, and never X-Powered-By', async () => {
    const auth = { authorization: `Bearer ${ctx.stack.adminToken}` };
    for (const [path, headers] of [
      ['/console/', {}],
      ['/admin/queues', auth],
      ['/admin/queues/api/queues', auth],
      ['/api/v1/agents', auth],
      ['/healthz', {}],
      ['/nowhere', {}],
    ] as const) {
      const res = await raw('GET', path, headers);
      expect(res.status, path).toBeLessThan(500);
      expect(res.headers['x-powered-by'], path).toBeUndefined();
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['x-frame-options'], path).toBe('DENY');
      expect(String(res.headers['content-security-policy']), path).toContain("frame-ancestors 'none'");
    }
    const hook = await raw('POST', '/hooks/wh_00000000000000000000000000', { 'content-type': 'application/json' }, '{}');
    expect(hook.headers['x-powered-by']).toBeUndefined();
  });
});
