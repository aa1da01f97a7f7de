import { beforeAll, describe, expect, it } from 'vitest';
import { sendSigned, signUptiq, waitForDelivery } from '../support/client.js';
import { useStack } from '../support/use-stack.js';

const ctx = useStack('ingest');
const { prefix, redis } = ctx;
let webhookId: string;
let endpoint: string;
let privateKey: string;

async function deliveryCount(): Promise<number> {
  return redis.zcard(`{${prefix}}:webhook:${webhookId}:deliveries`);
}

async function post(body: string | Buffer, headers: Record<string, string>, url = endpoint) {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  const setup = await ctx.api.setupWebhook('echo');
  webhookId = setup.webhookId;
  endpoint = setup.keyFile.endpoint.replace(/^http:\/\/localhost:\d+/, ctx.stack.baseUrl);
  privateKey = setup.keyFile.privateKey;
});

describe('POST /hooks/{webhookId} (scheme uptiq)', () => {
  it('accepts a request signed like the reference sender, answers 202, and runs echo to succeeded', async () => {
    const payload = { documentId: 'doc-42', pages: 3, text: 'Invoice from ACME' };
    const res = await sendSigned(endpoint, payload, privateKey);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ deliveryId: expect.stringMatching(/^dlv_/), status: 'queued' });
    const delivery = await waitForDelivery(ctx.api, res.body.deliveryId);
    expect(delivery).toMatchObject({
      status: 'succeeded',
      webhookId,
      workflow: 'echo',
      attempts: 1,
      payload,
      result: payload,
      error: null,
    });
    expect(Date.parse(delivery.finishedAt)).toBeGreaterThanOrEqual(Date.parse(delivery.startedAt));
    expect(delivery.headers['x-signature']).toBeUndefined();
    expect(delivery.headers['content-type']).toBe('application/json');
  });

  it('runs 100 concurrent signed requests to succeeded, each with its own payload', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => sendSigned(endpoint, { n: i }, privateKey)));
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(202));
    const ids = new Set(results.map((r) => r.body.deliveryId));
    expect(ids.size).toBe(100);
    const deliveries = await Promise.all(results.map((r) => waitForDelivery(ctx.api, r.body.deliveryId)));
    deliveries.forEach((d, i) => {
      expect(d.status).toBe('succeeded');
      expect(d.result).toEqual({ n: i });
    });
  });

  it('accepts the sha256= prefix and uppercase hex', async () => {
    const body = JSON.stringify({ prefixed: true });
    const sig = signUptiq(body, privateKey);
    expect((await post(body, { 'content-type': 'application/json', 'x-signature': `sha256=${sig}` })).status).toBe(202);
    expect((await post(body, { 'content-type': 'application/json', 'x-signature': sig.toUpperCase() })).status).toBe(202);
  });

  it('accepts a sender that signed JSON.stringify(obj) but sent other whitespace', async () => {
    const obj = { clientId: 'c-1', changes: ['email', 'phone'] };
    const sig = signUptiq(JSON.stringify(obj), privateKey);
    const res = await post(JSON.stringify(obj, null, 2), { 'content-type': 'application/json; charset=utf-8', 'x-signature': sig });
    expect(res.status).toBe(202);
    const delivery = await waitForDelivery(ctx.api, res.body.deliveryId);
    expect(delivery.result).toEqual(obj);
  });

  it('404 webhook_not_found for an unknown webhook, with problem+json', async () => {
    const res = await fetch(`${ctx.stack.baseUrl}/hooks/wh_00000000000000000000000000`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ type: 'about:blank', status: 404, code: 'webhook_not_found' });
  });

  it('401 signature_missing without x-signature, and no delivery is created', async () => {
    const before = await deliveryCount();
    const res = await post('{"a":1}', { 'content-type': 'application/json' });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('signature_missing');
    expect(await deliveryCount()).toBe(before);
  });

  it('401 signature_invalid for a wrong signature or a tampered body, and no delivery is created', async () => {
    const before = await deliveryCount();
    const body = JSON.stringify({ amount: 100 });
    const wrongKey = await post(body, { 'content-type': 'application/json', 'x-signature': signUptiq(body, 'not-the-key') });
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body.code).toBe('signature_invalid');
    expect(JSON.stringify(wrongKey.body)).not.toContain(signUptiq(body, privateKey));
    const tampered = await post(JSON.stringify({ amount: 1000 }), {
      'content-type': 'application/json',
      'x-signature': signUptiq(body, privateKey),
    });
    expect(tampered.status).toBe(401);
    expect(tampered.body.code).toBe('signature_invalid');
    const garbage = await post(body, { 'content-type': 'application/json', 'x-signature': 'zz' });
    expect(garbage.body.code).toBe('signature_invalid');
    expect(await deliveryCount()).toBe(before);
  });

  it('415 unsupported_media_type for a body that is not application/json', async () => {
    const body = 'a=1';
    const res = await post(body, { 'content-type': 'application/x-www-form-urlencoded', 'x-signature': signUptiq(body, privateKey) });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('unsupported_media_type');
  });

  it('400 invalid_json for an authentic body that is not JSON, and no delivery is created', async () => {
    const before = await deliveryCount();
    const body = '{"unterminated": ';
    const res = await post(body, { 'content-type': 'application/json', 'x-signature': signUptiq(body, privateKey) });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_json');
    expect(await deliveryCount()).toBe(before);
  });

  it('answers the same through the Express route for request shapes the fast path leaves to it', async () => {
    // Plain `POST /hooks/<id>` skips Express; a query string or a trailing slash goes through its router instead.
    const body = JSON.stringify({ shape: 'express-route' });
    const headers = { 'content-type': 'application/json', 'x-signature': signUptiq(body, privateKey) };
    for (const url of [`${endpoint}?source=crm`, `${endpoint}/`]) {
      const res = await post(body, headers, url);
      expect(res.status).toBe(202);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect((await waitForDelivery(ctx.api, res.body.deliveryId)).result).toEqual({ shape: 'express-route' });
    }
    const unknown = await post(body, headers, `${ctx.stack.baseUrl}/hooks/wh_%30?x=1`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(unknown.body.code).toBe('webhook_not_found');
  });

  it('405 with Allow: POST for other methods', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(endpoint, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(((await res.json()) as { code: string }).code).toBe('method_not_allowed');
    }
  });

  it('413 payload_too_large over maxBodyBytes, by declared length and by streamed length', async () => {
    const small = await ctx.api.setupWebhook('echo', { options: { maxBodyBytes: 64 } });
    const url = `${ctx.stack.baseUrl}/hooks/${small.webhookId}`;
    const big = JSON.stringify({ filler: 'x'.repeat(200) });
    const declared = await post(big, { 'content-type': 'application/json', 'x-signature': signUptiq(big, small.keyFile.privateKey) }, url);
    expect(declared.status).toBe(413);
    expect(declared.body.code).toBe('payload_too_large');
    // Chunked: no Content-Length, so the limit is enforced while reading.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const chunked = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signUptiq(big, small.keyFile.privateKey) },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { code: string }).code).toBe('payload_too_large');
    // Within the limit the same webhook accepts.
    const ok = JSON.stringify({ ok: 1 });
    expect(
      (await post(ok, { 'content-type': 'application/json', 'x-signature': signUptiq(ok, small.keyFile.privateKey) }, url)).status,
    ).toBe(202);
  });

  it('401 signature_invalid while a webhook has no key yet', async () => {
    const agent = await ctx.api.post('/agents', { name: 'keyless' });
    const webhook = await ctx.api.post(`/agents/${agent.body.id}/webhooks`, { workflow: 'echo' });
    const body = '{}';
    const res = await post(
      body,
      { 'content-type': 'application/json', 'x-signature': signUptiq(body, 'anything') },
      `${ctx.stack.baseUrl}/hooks/${webhook.body.id}`,
    );
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('signature_invalid');
  });

  it('403 webhook_disabled once disabled, 404 once deleted', async () => {
    const setup = await ctx.api.setupWebhook('echo');
    const url = `${ctx.stack.baseUrl}/hooks/${setup.webhookId}`;
    const body = JSON.stringify({ hello: 'world' });
    const headers = { 'content-type': 'application/json', 'x-signature': signUptiq(body, setup.keyFile.privateKey) };
    expect((await ctx.api.patch(`/webhooks/${setup.webhookId}`, { status: 'disabled' })).status).toBe(200);
    const disabled = await post(body, headers, url);
    expect(disabled.status).toBe(403);
    expect(disabled.body.code).toBe('webhook_disabled');
    expect((await ctx.api.patch(`/webhooks/${setup.webhookId}`, { status: 'enabled' })).status).toBe(200);
    expect((await post(body, headers, url)).status).toBe(202);
    expect((await ctx.api.delete(`/webhooks/${setup.webhookId}`)).status).toBe(204);
    const deleted = await post(body, headers, url);
    expect(deleted.status).toBe(404);
    expect(deleted.body.code).toBe('webhook_not_found');
  });
});
