import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { adminClient, waitForDelivery, type AdminClient } from '../support/client.js';
import { startStack, type Stack } from '../support/processes.js';
import { cleanupPrefix, testPrefix, testRedis } from '../support/redis.js';
import { sendJson, startStub, type HttpStub, type RecordedRequest } from '../workflows/support/http-stub.js';

/**
 * API.md §5.2's outbound secret, end to end: a real worker's `notify` call to a receiver on loopback verifies with
 * the Standard Webhooks library and the secret the API gives, before, during and after a rotation's grace.
 */
const prefix = testPrefix('outbound-secret');
const redis = testRedis();
const readonlyToken = `test-readonly-${randomBytes(12).toString('hex')}`;
let stack: Stack;
let api: AdminClient;
let receiver: HttpStub;
let agentId: string;
let webhookId: string;

beforeAll(async () => {
  receiver = await startStub((_req, res) => sendJson(res, 202, { accepted: true }));
  stack = await startStack({
    prefix,
    env: {
      HOOKFLOW_READONLY_TOKEN: readonlyToken,
      HOOKFLOW_VAR_RECEIVER_URL: receiver.url,
      // The receiver is on loopback, which the worker's egress policy refuses unless allowed.
      HOOKFLOW_EGRESS_ALLOW: receiver.url.replace('http://', ''),
    },
  });
  api = adminClient(stack.baseUrl, stack.adminToken);
  const put = await api.call('PUT', '/workflows/tell-receiver', {
    input: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
    examples: [{ n: 0 }],
    steps: [{ id: 'tell', type: 'notify', url: '{{ env.RECEIVER_URL }}/events', payload: { type: 'test.told', n: '{{ payload.n }}' } }],
  });
  expect(put.status).toBe(201);
  ({ agentId, webhookId } = await api.setupWebhook('tell-receiver'));
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

/** Sends `{ n }` as a test event and returns the notify request the receiver got for it. */
async function notifyCall(n: number): Promise<RecordedRequest> {
  const sent = await api.post(`/webhooks/${webhookId}/test-event`, { payload: { n } });
  expect(sent.body.response?.status, JSON.stringify(sent.body)).toBe(202);
  const delivery = await waitForDelivery(api, sent.body.response.body.deliveryId);
  expect(delivery.status, JSON.stringify(delivery.error)).toBe('succeeded');
  const request = receiver.requests.find((r) => r.json?.n === n);
  expect(request).toBeDefined();
  return request!;
}

/** What a receiver does: the raw body and the three headers into the library's verify. */
function verifies(secret: string, request: RecordedRequest): boolean {
  const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(request.headers[name])]));
  try {
    new Webhook(secret).verify(request.body, headers);
    return true;
  } catch {
    return false;
  }
}

const secretOf = async () => {
  const answer = await api.get(`/agents/${agentId}/outbound-secret`);
  expect(answer.status).toBe(200);
  return answer.body as { secret: string; scheme: string; previousExpiresAt: string | null };
};

describe('the outbound secret', () => {
  it('is given to the admin token only, for agents that exist', async () => {
    const readonly = adminClient(stack.baseUrl, readonlyToken);
    expect((await readonly.get('/agents')).status).toBe(200);
    const refused = await readonly.get(`/agents/${agentId}/outbound-secret`);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    expect(JSON.stringify(refused.body)).not.toContain('whsec_');
    expect((await readonly.post(`/agents/${agentId}/outbound-secret`, {})).status).toBe(403);
    expect((await adminClient(stack.baseUrl, 'wrong-token').get(`/agents/${agentId}/outbound-secret`)).status).toBe(401);
    const missing = await api.get('/agents/agt_00000000000000000000000000/outbound-secret');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('agent_not_found');
    for (const graceSeconds of [-1, 1.5, 'soon', 30 * 86_400 + 1]) {
      const bad = await api.post(`/agents/${agentId}/outbound-secret`, { graceSeconds });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ code: 'invalid_request', errors: [{ path: 'graceSeconds' }] });
    }
  });

  it('verifies a real notify call with the Standard Webhooks library, before, during and after a rotation', async () => {
    const first = await secretOf();
    expect(first).toEqual({ secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/), scheme: 'standard-webhooks', previousExpiresAt: null });
    expect(await secretOf()).toEqual(first);
    const before = await notifyCall(1);
    expect(verifies(first.secret, before)).toBe(true);
    expect(String(before.headers['webhook-signature']).split(' ')).toHaveLength(1);

    const rotatedAt = Date.now();
    const rotation = await api.post(`/agents/${agentId}/outbound-secret`, { graceSeconds: 3_600 });
    expect(rotation.status).toBe(200);
    const second = rotation.body as typeof first;
    expect(second.secret).not.toBe(first.secret);
    const expiresAt = Date.parse(second.previousExpiresAt!);
    expect(expiresAt).toBeGreaterThan(rotatedAt + 3_000_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect((await secretOf()).secret).toBe(second.secret);

    // During the grace both secrets sign: a receiver that has switched verifies, and so does one that has not yet.
    const during = await notifyCall(2);
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(second.secret, during)).toBe(true);
    expect(verifies(first.secret, during)).toBe(true);

    const third = (await api.post(`/agents/${agentId}/outbound-secret`, { graceSeconds: 0 })).body as typeof first;
    expect(third.previousExpiresAt).toBeNull();
    const after = await notifyCall(3);
    expect(verifies(third.secret, after)).toBe(true);
    expect(verifies(second.secret, after)).toBe(false);
    expect(verifies(first.secret, after)).toBe(false);

    // The secrets reach no log line of either process.
    for (const { secret } of [first, second, third]) {
      expect(stack.ingress.output()).not.toContain(secret.slice(6));
      expect(stack.worker!.output()).not.toContain(secret.slice(6));
    }
  });
});
