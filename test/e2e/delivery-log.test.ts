import { afterAll, describe, expect, it } from 'vitest';
import { createKeys, DeliveryStore, QueueSet } from '@hookflow/shared';
import { sendSigned, waitForDelivery, type ApiResponse } from '../support/client.js';
import { freePort, spawnEntry, waitForHttp, type RunningProcess } from '../support/processes.js';
import { useStack } from '../support/use-stack.js';

// The stack runs without a worker, so deliveries stay where the API put them until the test starts one.
const ctx = useStack('delivery-log', { worker: false });
const { prefix, redis } = ctx;
const keys = createKeys(prefix);
const store = new DeliveryStore(redis, keys);
const queues = new QueueSet(redis, keys);
let worker: RunningProcess | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setup(options: Record<string, unknown> = {}) {
  const created = await ctx.api.setupWebhook('echo', options);
  const endpoint = `${ctx.stack.baseUrl}/hooks/${created.webhookId}`;
  // Distinct arrival milliseconds, so "newest first" has one right answer.
  const send = async (payload: unknown) => {
    await sleep(3);
    const res = await sendSigned(endpoint, payload, created.keyFile.privateKey);
    expect(res.status).toBe(202);
    return res.body as { deliveryId: string; status: string };
  };
  return { ...created, send };
}

async function allPages(path: string): Promise<Array<{ id: string; status: string }>> {
  const items: Array<{ id: string; status: string }> = [];
  let cursor: string | null = null;
  do {
    const res: ApiResponse = await ctx.api.get(`${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

/** Ids of the jobs in a queue's wait list, in the order a worker takes them. */
async function waitingOrder(queue = 'default'): Promise<string[]> {
  const jobs = await queues.get(queue).getJobs(['wait'], 0, -1, true);
  return jobs.map((job) => job.id!);
}

afterAll(async () => {
  await worker?.stop();
  await queues.close();
});

let logged: Awaited<ReturnType<typeof setup>>;
const sent: string[] = [];
let failed: string[] = [];
const held: string[] = [];

describe('delivery log', () => {
  it('lists a webhook’s deliveries newest first, page by page with an opaque cursor', async () => {
    logged = await setup();
    for (let i = 0; i < 5; i++) sent.push((await logged.send({ n: i })).deliveryId);
    const newestFirst = [...sent].reverse();

    const first = await ctx.api.get(`/webhooks/${logged.webhookId}/deliveries?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((d: { id: string }) => d.id)).toEqual(newestFirst.slice(0, 2));
    expect(first.body.items[0]).toMatchObject({
      webhookId: logged.webhookId,
      workflow: 'echo',
      status: 'queued',
      payload: { n: 4 },
      replayOf: null,
    });
    expect(typeof first.body.nextCursor).toBe('string');

    const all = await allPages(`/webhooks/${logged.webhookId}/deliveries?limit=2`);
    expect(all.map((d) => d.id)).toEqual(newestFirst);
    const defaults = await ctx.api.get(`/webhooks/${logged.webhookId}/deliveries`);
    expect(defaults.body.items).toHaveLength(5);
    expect(defaults.body.nextCursor).toBeNull();
  });

  it('filters by status, still newest first and across pages', async () => {
    failed = [sent[1]!, sent[3]!];
    for (const id of failed) await store.markFailed(id, { code: 'step_failed', message: 'made to fail by the test' }, new Date());
    const onlyFailed = await allPages(`/webhooks/${logged.webhookId}/deliveries?status=failed&limit=1`);
    expect(onlyFailed.map((d) => d.id)).toEqual([sent[3], sent[1]]);
    expect(onlyFailed.every((d) => d.status === 'failed')).toBe(true);
    const queued = await allPages(`/webhooks/${logged.webhookId}/deliveries?status=queued&limit=50`);
    expect(queued.map((d) => d.id)).toEqual([sent[4], sent[2], sent[0]]);
    const none = await ctx.api.get(`/webhooks/${logged.webhookId}/deliveries?status=succeeded`);
    expect(none.body).toEqual({ items: [], nextCursor: null });
  });

  it('answers 400 invalid_request for a bad limit, status or cursor, and 404 for an unknown webhook', async () => {
    for (const query of ['limit=0', 'limit=201', 'limit=abc', 'status=done', 'cursor=not-a-cursor']) {
      const res = await ctx.api.get(`/webhooks/${logged.webhookId}/deliveries?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.code).toBe('invalid_request');
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    const unknown = await ctx.api.get('/webhooks/wh_00000000000000000000000000/deliveries');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('webhook_not_found');
  });

  it('retry-failed re-enqueues exactly the failed deliveries, as themselves', async () => {
    const res = await ctx.api.post(`/webhooks/${logged.webhookId}/deliveries/retry-failed`);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ retried: 2 });
    for (const id of failed) {
      const delivery = (await ctx.api.get(`/deliveries/${id}`)).body;
      expect(delivery).toMatchObject({ id, status: 'queued', error: null, finishedAt: null });
    }
    // Their jobs were put back at the end of the queue, behind the ones that were never failed.
    expect((await waitingOrder()).slice(-2)).toEqual(failed);
    expect((await ctx.api.post(`/webhooks/${logged.webhookId}/deliveries/retry-failed`)).body).toEqual({ retried: 0 });
    const unknown = await ctx.api.post('/webhooks/wh_00000000000000000000000000/deliveries/retry-failed');
    expect(unknown.status).toBe(404);
  });

  it('a paused webhook answers 202 held and stores deliveries without a job; enabled releases them in arrival order', async () => {
    const paused = await setup();
    expect((await ctx.api.patch(`/webhooks/${paused.webhookId}`, { status: 'paused' })).body.status).toBe('paused');
    for (let i = 0; i < 6; i++) {
      const accepted = await paused.send({ seq: i });
      expect(accepted.status).toBe('held');
      held.push(accepted.deliveryId);
    }
    const waitingBefore = await waitingOrder();
    for (const id of held) {
      expect((await ctx.api.get(`/deliveries/${id}`)).body.status).toBe('held');
      expect(waitingBefore).not.toContain(id);
    }

    const resumed = await ctx.api.patch(`/webhooks/${paused.webhookId}`, { status: 'enabled' });
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe('enabled');
    for (const id of held) expect((await ctx.api.get(`/deliveries/${id}`)).body.status).toBe('queued');
    const waitingAfter = await waitingOrder();
    expect(waitingAfter.filter((id) => held.includes(id))).toEqual(held);
    // Appended behind what was already waiting.
    expect(waitingAfter.slice(-held.length)).toEqual(held);
  });

  it('a worker started afterwards runs everything: released ones in arrival order, retried ones to success', async () => {
    const workerPort = await freePort();
    worker = spawnEntry('apps/worker/src/main.ts', { ...ctx.stack.env, WORKER_PORT: String(workerPort), WORKER_CONCURRENCY: '1' });
    await waitForHttp(`http://127.0.0.1:${workerPort}/healthz`, 20_000, worker);

    const released = await Promise.all(held.map((id) => waitForDelivery(ctx.api, id)));
    expect(released.map((d) => d.status)).toEqual(held.map(() => 'succeeded'));
    expect(released.map((d) => d.result)).toEqual(held.map((_, i) => ({ seq: i })));
    // One job at a time, so start times follow queue order.
    const starts = released.map((d) => Date.parse(d.startedAt));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));

    for (const id of failed) {
      const delivery = await waitForDelivery(ctx.api, id);
      expect(delivery).toMatchObject({ status: 'succeeded', error: null, attempts: 1 });
    }
  });

  it('replay runs the stored payload again as a new delivery that names the old one', async () => {
    const original = await waitForDelivery(ctx.api, sent[0]!);
    const res = await ctx.api.post(`/deliveries/${original.id}/replay`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ deliveryId: expect.stringMatching(/^dlv_/), replayOf: original.id });
    expect(res.body.deliveryId).not.toBe(original.id);
    const replayed = await waitForDelivery(ctx.api, res.body.deliveryId);
    expect(replayed).toMatchObject({
      status: 'succeeded',
      replayOf: original.id,
      webhookId: logged.webhookId,
      workflow: 'echo',
      payload: { n: 0 },
      result: { n: 0 },
    });
    expect(replayed.headers).toEqual(original.headers);
    // The replay is in the log too, newest first.
    const latest = await ctx.api.get(`/webhooks/${logged.webhookId}/deliveries?limit=1`);
    expect(latest.body.items[0].id).toBe(res.body.deliveryId);

    const unknown = await ctx.api.post('/deliveries/dlv_00000000000000000000000000/replay');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('delivery_not_found');
  });
});
