import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys, QueueSet } from '@hookflow/shared';
import { adminClient, sendSigned, waitForDelivery, type AdminClient } from '../support/client.js';
import { useStack } from '../support/use-stack.js';
import { sendJson, startStub, type HttpStub } from '../support/http-stub.js';

const readonlyToken = `test-readonly-${randomBytes(12).toString('hex')}`;
const ctx = useStack('cancel', {
  // The test's upstream listens on loopback; an egress policy must let it through.
  env: { HOOKFLOW_READONLY_TOKEN: readonlyToken, HOOKFLOW_EGRESS_ALLOW: '127.0.0.1' },
});
const keys = createKeys(ctx.prefix);
const queues = new QueueSet(ctx.redis, keys);
let upstream: HttpStub;
let readonly: AdminClient;
/** Paths of requests whose connection closed before the stub answered (the run dropped them). */
const abandoned = new Set<string>();

beforeAll(async () => {
  upstream = await startStub((req, res, raw) => {
    if (req.path.startsWith('/hang')) {
      raw.socket.on('close', () => abandoned.add(req.path));
      return; // never answers
    }
    if (req.path.startsWith('/busy')) return sendJson(res, 503, { error: 'busy' });
    sendJson(res, 200, { ok: true });
  });
  readonly = adminClient(ctx.stack.baseUrl, readonlyToken);
  // A first step that hangs until it is cancelled, then one that must never be reached.
  const put = await ctx.api.call('PUT', '/workflows/hang-then-after', {
    name: 'hang-then-after',
    steps: [
      { id: 'hang', type: 'http', url: '{{ payload.url }}/hang/{{ payload.tag }}', timeoutMs: 600_000 },
      { id: 'after', type: 'http', url: '{{ payload.url }}/after/{{ payload.tag }}' },
    ],
  });
  expect(put.status).toBe(201);
  const busy = await ctx.api.call('PUT', '/workflows/always-busy', {
    name: 'always-busy',
    steps: [{ id: 'call', type: 'http', url: '{{ payload.url }}/busy/{{ payload.tag }}' }],
  });
  expect(busy.status).toBe(201);
});

afterAll(async () => {
  await queues.close();
  await upstream?.close();
});

async function webhook(workflow: string, options: Record<string, unknown> = {}) {
  const created = await ctx.api.setupWebhook(workflow, options);
  const endpoint = `${ctx.stack.baseUrl}/hooks/${created.webhookId}`;
  const send = async (payload: Record<string, unknown> = {}) => {
    const tag = randomBytes(4).toString('hex');
    const res = await sendSigned(endpoint, { url: upstream.url, tag, ...payload }, created.keyFile.privateKey);
    expect(res.status).toBe(202);
    return { deliveryId: res.body.deliveryId as string, tag };
  };
  return { ...created, send };
}

const jobState = (deliveryId: string) => queues.get('default').getJobState(deliveryId);

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('POST /deliveries/{id}/cancel', () => {
  it('cancels a held delivery of a paused webhook; resuming the webhook does not release it', async () => {
    const hook = await webhook('echo');
    expect((await ctx.api.patch(`/webhooks/${hook.webhookId}`, { status: 'paused' })).status).toBe(200);
    const { deliveryId } = await hook.send();
    expect((await ctx.api.get(`/deliveries/${deliveryId}`)).body.status).toBe('held');

    const res = await ctx.api.post(`/deliveries/${deliveryId}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: deliveryId, status: 'cancelled', cancelledAt: expect.any(String), startedAt: null });
    // Another delivery held alongside is released as usual: that release is what the cancelled one must stay out of.
    const other = await hook.send();
    expect((await ctx.api.patch(`/webhooks/${hook.webhookId}`, { status: 'enabled' })).status).toBe(200);
    await waitForDelivery(ctx.api, other.deliveryId, ['succeeded']);
    // The release runs a second pass shortly after a resume; by the time the released one ran, both passes looked.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await ctx.api.get(`/deliveries/${deliveryId}`)).toMatchObject({
      status: 200,
      body: { status: 'cancelled', attempts: 0, startedAt: null },
    });
    expect(await jobState(deliveryId)).toBe('unknown');
    // It never ran, so no run settled it: the cancel itself gave it the retention TTL.
    expect(await ctx.redis.ttl(keys.delivery(deliveryId))).toBeGreaterThan(0);
  });

  it('stops a running delivery at once: its hanging step is dropped and its later steps never run', async () => {
    const hook = await webhook('hang-then-after');
    const { deliveryId, tag } = await hook.send();
    await until('the first step to reach the upstream', () => upstream.hits(`/hang/${tag}`).length === 1);
    expect((await ctx.api.get(`/deliveries/${deliveryId}`)).body.status).toBe('running');

    const res = await ctx.api.post(`/deliveries/${deliveryId}/cancel`);
    expect(res).toMatchObject({ status: 200, body: { status: 'cancelled', cancelledAt: expect.any(String) } });
    // The worker abandoned the request (its timeout is ten minutes, so only the cancel can have ended it).
    await until('the hanging request to be dropped', () => abandoned.has(`/hang/${tag}`));
    await until('the job to end', async () => (await jobState(deliveryId)) !== 'active');
    const after = await ctx.api.get(`/deliveries/${deliveryId}`);
    expect(after.body).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(after.body.steps.map((s: { id: string }) => s.id)).toEqual(['hang']);
    expect(upstream.hits(`/after/${tag}`)).toHaveLength(0);
    expect(upstream.hits(`/hang/${tag}`)).toHaveLength(1);
  });

  it('cancels a retrying delivery and removes its delayed job', async () => {
    const hook = await webhook('always-busy', { options: { attempts: 5, backoff: { type: 'fixed', delayMs: 600_000 } } });
    const { deliveryId, tag } = await hook.send();
    await waitForDelivery(ctx.api, deliveryId, ['retrying']);
    // The record says `retrying` just before BullMQ moves the job to its backoff.
    await expect.poll(() => jobState(deliveryId), { timeout: 10_000, interval: 50 }).toBe('delayed');

    expect(await ctx.api.post(`/deliveries/${deliveryId}/cancel`)).toMatchObject({
      status: 200,
      body: { status: 'cancelled', error: { code: 'http_unavailable' } },
    });
    expect(await jobState(deliveryId)).toBe('unknown');
    expect(await ctx.redis.ttl(keys.delivery(deliveryId))).toBeGreaterThan(0);
    expect(upstream.hits(`/busy/${tag}`)).toHaveLength(1);
  });

  it('answers 409 delivery_finished for a delivery that already ended, and 404 for an unknown one', async () => {
    const hook = await webhook('echo');
    const { deliveryId } = await hook.send({ n: 1 });
    await waitForDelivery(ctx.api, deliveryId, ['succeeded']);
    const finished = await ctx.api.post(`/deliveries/${deliveryId}/cancel`);
    expect(finished.status).toBe(409);
    expect(finished.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(finished.body).toMatchObject({ code: 'delivery_finished', status: 409 });
    expect((await ctx.api.get(`/deliveries/${deliveryId}`)).body).toMatchObject({ status: 'succeeded', cancelledAt: null });

    const paused = await webhook('echo');
    await ctx.api.patch(`/webhooks/${paused.webhookId}`, { status: 'paused' });
    const held = await paused.send();
    expect((await ctx.api.post(`/deliveries/${held.deliveryId}/cancel`)).status).toBe(200);
    expect((await ctx.api.post(`/deliveries/${held.deliveryId}/cancel`)).body).toMatchObject({ code: 'delivery_finished' });

    expect(await ctx.api.post('/deliveries/dlv_doesnotexist/cancel')).toMatchObject({ status: 404, body: { code: 'delivery_not_found' } });
  });

  it('refuses the read-only token with 403 and leaves the delivery as it was', async () => {
    const hook = await webhook('echo');
    await ctx.api.patch(`/webhooks/${hook.webhookId}`, { status: 'paused' });
    const { deliveryId } = await hook.send();
    expect(await readonly.post(`/deliveries/${deliveryId}/cancel`)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect((await ctx.api.get(`/deliveries/${deliveryId}`)).body).toMatchObject({ status: 'held', cancelledAt: null });
  });
});
