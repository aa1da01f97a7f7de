import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getScheme, newId } from '@hookflow/shared';
import { refusalOf, testIngressDomain } from '../../../../test/support/ingress-domain.js';

const ctx = testIngressDomain('domain-test-events');
const { testEvents, webhooks, keys } = ctx.domain;

/** Stands in for the ingress's own listener: records each request and answers what `answer` says. */
const received: Array<{ url: string; headers: IncomingMessage['headers']; body: string }> = [];
let answer: (res: ServerResponse) => void = (res) =>
  res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ deliveryId: 'dlv_x', status: 'queued' }));
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await ctx.close();
});

async function webhookWithKey(scheme = 'uptiq') {
  const agent = await ctx.domain.agents.create({ name: 'tester' });
  const webhook = await webhooks.create(agent.id, { workflow: 'echo', scheme });
  return { webhook, key: await keys.create(webhook.id, {}) };
}

describe('TestEventService', () => {
  it("previews the workflow's first example", async () => {
    const { webhook } = await webhookWithKey();
    expect(await testEvents.preview(webhook.id)).toMatchObject({ source: 'examples', payload: { type: 'hookflow.test_event' } });
    expect(await refusalOf(testEvents.preview(newId('wh')))).toMatchObject({ code: 'webhook_not_found', status: 404 });
  });

  it("signs the payload with the webhook's primary key, as a sender would, and answers with what the endpoint said", async () => {
    const { webhook, key } = await webhookWithKey('github');
    const sent = await testEvents.send(webhook.id, { payload: { order: 7 } }, port);
    expect(sent).toEqual({ payload: { order: 7 }, response: { status: 202, body: { deliveryId: 'dlv_x', status: 'queued' } } });
    const request = received.at(-1)!;
    expect(request.url).toBe(`/hooks/${webhook.id}`);
    expect(request.body).toBe('{"order":7}');
    const verdict = getScheme('github').verify({
      rawBody: Buffer.from(request.body),
      headers: request.headers,
      secrets: [key.privateKey],
      nowMs: Date.now(),
      parsedBody: () => JSON.parse(request.body),
    });
    expect(verdict).toEqual({ ok: true });
  });

  it('without a payload sends the preview; an answer that is not JSON is passed on as text', async () => {
    const { webhook } = await webhookWithKey();
    answer = (res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('not ready');
    try {
      const sent = await testEvents.send(webhook.id, {}, port);
      expect(sent.payload).toEqual((await testEvents.preview(webhook.id)).payload);
      expect(sent.response).toEqual({ status: 503, body: 'not ready' });
      expect(JSON.parse(received.at(-1)!.body)).toEqual(sent.payload);
    } finally {
      answer = (res) => res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
    }
  });

  it('needs a key (404 key_not_found), and says 503 unavailable when the endpoint cannot be reached', async () => {
    const agent = await ctx.domain.agents.create({ name: 'keyless' });
    const keyless = await webhooks.create(agent.id, { workflow: 'echo' });
    expect(await refusalOf(testEvents.send(keyless.id, { payload: 1 }, port))).toMatchObject({ code: 'key_not_found', status: 404 });

    const { webhook } = await webhookWithKey();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const unusedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await refusalOf(testEvents.send(webhook.id, { payload: 1 }, unusedPort))).toMatchObject({ code: 'unavailable', status: 503 });
  });
});
