import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createKeys } from '@hookflow/shared';
import { adminClient, waitForDelivery, type AdminClient } from '../support/client.js';
import { freePort, repoRoot, spawnEntry, startStack, type RunningProcess, type Stack } from '../support/processes.js';
import { cleanupPrefix, testPrefix, testRedis } from '../support/redis.js';
import { sendJson, startStub, type HttpStub, type RecordedRequest } from '../support/http-stub.js';

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
/** Where the receiver of docs/notify-verification.md listens when a test starts it. */
let snippetPort: number;

beforeAll(async () => {
  receiver = await startStub((_req, res) => sendJson(res, 202, { accepted: true }));
  snippetPort = await freePort();
  stack = await startStack({
    prefix,
    env: {
      HOOKFLOW_READONLY_TOKEN: readonlyToken,
      HOOKFLOW_VAR_RECEIVER_URL: receiver.url,
      HOOKFLOW_VAR_SNIPPET_URL: `http://127.0.0.1:${snippetPort}`,
      // The receivers are on loopback, which the worker's egress policy refuses unless allowed.
      HOOKFLOW_EGRESS_ALLOW: `${receiver.url.replace('http://', '')},127.0.0.1:${snippetPort}`,
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
  const headers = Object.fromEntries(
    ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(request.headers[name])]),
  );
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

  it('goes with its agent: deleting the agent deletes both secrets', async () => {
    const agent = (await api.post('/agents', { name: 'short-lived' })).body as { id: string };
    await api.get(`/agents/${agent.id}/outbound-secret`);
    await api.post(`/agents/${agent.id}/outbound-secret`, { graceSeconds: 600 });
    const keys = createKeys(prefix);
    expect(await redis.exists(keys.agentOutboundSecret(agent.id), keys.agentPreviousOutboundSecret(agent.id))).toBe(2);
    expect((await api.delete(`/agents/${agent.id}`)).status).toBe(204);
    expect(await redis.exists(keys.agentOutboundSecret(agent.id), keys.agentPreviousOutboundSecret(agent.id))).toBe(0);
    expect((await api.get(`/agents/${agent.id}/outbound-secret`)).status).toBe(404);
  });

  it('verifies a real notify call with the Standard Webhooks library, before, during and after a rotation', async () => {
    const first = await secretOf();
    expect(first).toEqual({
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
      scheme: 'standard-webhooks',
      previousExpiresAt: null,
    });
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

  it("docs/notify-verification.md's receiver verifies a real notify call with the secret from the API, and refuses a stale secret", async () => {
    const doc = readFileSync(join(repoRoot, 'docs/notify-verification.md'), 'utf8');
    const snippet = /```js\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(snippet).toContain("from 'standardwebhooks'");
    // Under the repository, so `standardwebhooks` resolves as it would after `npm install standardwebhooks`.
    mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
    const file = `test-results/${prefix}-receiver.mjs`;
    writeFileSync(join(repoRoot, file), snippet!);

    const put = await api.call('PUT', '/workflows/tell-snippet', {
      steps: [{ id: 'tell', type: 'notify', url: '{{ env.SNIPPET_URL }}/events', payload: { type: 'test.told', n: '{{ payload.n }}' } }],
    });
    expect(put.status).toBe(201);
    const setup = await api.setupWebhook('tell-snippet');
    const { secret } = (await api.get(`/agents/${setup.agentId}/outbound-secret`)).body as { secret: string };
    const send = async (n: number) => {
      const sent = await api.post(`/webhooks/${setup.webhookId}/test-event`, { payload: { n } });
      expect(sent.body.response?.status, JSON.stringify(sent.body)).toBe(202);
      return waitForDelivery(api, sent.body.response.body.deliveryId);
    };

    const snippetProcess: RunningProcess = spawnEntry(file, {
      HOOKFLOW_OUTBOUND_SECRET: secret,
      PORT: String(snippetPort),
      HOST: '127.0.0.1',
    });
    try {
      await waitForListening(snippetProcess);
      expect(await send(1)).toMatchObject({ status: 'succeeded' });
      expect(snippetProcess.output()).toMatch(/verified \S+ \{"type":"test\.told","n":1\}/);

      // Rotated with a grace: the receiver still holding the old secret keeps verifying.
      await api.post(`/agents/${setup.agentId}/outbound-secret`, { graceSeconds: 600 });
      expect(await send(2)).toMatchObject({ status: 'succeeded' });
      expect(snippetProcess.output()).toContain('"n":2');

      // The grace ended: the old secret no longer verifies, the receiver answers 401 and the step fails for good.
      await api.post(`/agents/${setup.agentId}/outbound-secret`, { graceSeconds: 0 });
      expect(await send(3)).toMatchObject({ status: 'failed', error: { code: 'http_error', message: expect.stringContaining('401') } });
      expect(snippetProcess.output()).not.toContain('"n":3');
    } finally {
      await snippetProcess.stop();
      rmSync(join(repoRoot, file), { force: true });
    }
  });
});

/** Waits until something accepts connections on the snippet's port (any answer will do). */
async function waitForListening(proc: RunningProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${snippetPort}/`, { method: 'POST', body: '{}' });
      return;
    } catch {
      if (proc.child.exitCode !== null) throw new Error(`the receiver exited:\n${proc.output()}`);
      if (Date.now() > deadline) throw new Error(`the receiver did not listen:\n${proc.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
