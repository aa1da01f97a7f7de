import { afterAll, describe, expect, it } from 'vitest';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { createKeys } from '../redis/keys.js';
import { newId } from '../ids.js';
import { DeliveryRetention } from './delivery-retention.js';
import { DeliveryStore } from './delivery-store.js';
import type { NewDelivery } from './types.js';

const prefix = testPrefix('delivery-store');
const redis = testRedis();
const keys = createKeys(prefix);

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

function delivery(webhookId: string, at: number): NewDelivery {
  return {
    id: newId('dlv'),
    webhookId,
    agentId: 'agt_x',
    workflow: 'echo',
    status: 'queued',
    receivedAt: new Date(at).toISOString(),
    dedupeKey: null,
    headers: { 'x-a': '1' },
    payloadJson: '{"n":1}',
    replayOf: null,
    queue: 'default',
  };
}

describe('DeliveryStore.appendCreate', () => {
  it('adds one HSET per record and one ZADD per webhook, indexing each id by its arrival time', async () => {
    const store = new DeliveryStore(redis, keys);
    const [first, second] = [newId('wh'), newId('wh')];
    const batch = [delivery(first, 1_000), delivery(second, 2_000), delivery(first, 3_000)];
    const tx = redis.pipeline();
    store.appendCreate(tx, batch);
    expect(tx.length).toBe(3 + 2);
    await tx.exec();
    expect(await redis.zrange(keys.webhookDeliveries(first), '0', '-1', 'WITHSCORES')).toEqual([
      batch[0]!.id,
      '1000',
      batch[2]!.id,
      '3000',
    ]);
    expect(await redis.zrange(keys.webhookDeliveries(second), '0', '-1', 'WITHSCORES')).toEqual([batch[1]!.id, '2000']);
    for (const d of batch)
      expect(await store.get(d.id)).toMatchObject({
        id: d.id,
        webhookId: d.webhookId,
        receivedAt: d.receivedAt,
        status: 'queued',
        payload: { n: 1 },
      });
  });

  it('adds nothing for an empty batch', () => {
    const tx = redis.pipeline();
    new DeliveryStore(redis, keys).appendCreate(tx, []);
    expect(tx.length).toBe(0);
  });
});

describe('DeliveryStore.start', () => {
  const store = new DeliveryStore(redis, keys);

  it('marks an unfinished delivery running and returns it, keeping the first start time across attempts', async () => {
    const d = delivery(newId('wh'), 1_000);
    await store.create(d);
    await store.markRetrying(d.id, { code: 'timeout', message: 'slow' });
    const first = (await store.start(d.id, 1, new Date(5_000)))?.delivery;
    expect(first).toMatchObject({
      id: d.id,
      status: 'running',
      attempts: 1,
      startedAt: new Date(5_000).toISOString(),
      error: null,
      payload: { n: 1 },
      headers: { 'x-a': '1' },
    });
    const second = (await store.start(d.id, 2, new Date(9_000)))?.delivery;
    expect(second).toMatchObject({ status: 'running', attempts: 2, startedAt: new Date(5_000).toISOString() });
  });

  it('returns text fields exactly as stored, whatever characters they hold (the record comes back as JSON)', async () => {
    const payload = {
      text: 'é ü 漢字 🚀 "quoted" back\\slash a/b tab\t newline\n \u0001',
      n: -1.5e-7,
      nested: { list: [1, '2', null, true] },
    };
    const d = {
      ...delivery(newId('wh'), 1_000),
      payloadJson: JSON.stringify(payload),
      headers: { 'x-note': 'ünïcødé / "q"', 'x-empty': '' },
    };
    await store.create(d);
    const started = (await store.start(d.id, 1, new Date(2_000)))?.delivery;
    expect(started).toMatchObject({ id: d.id, payload, headers: d.headers, attempts: 1, status: 'running' });
    expect(await store.get(d.id)).toEqual(started);
  });

  it('returns the workflow pin of the record with the delivery, null until one is set', async () => {
    const d = delivery(newId('wh'), 1_000);
    await store.create(d);
    expect((await store.start(d.id, 1, new Date(2_000)))?.workflowPin).toBeNull();
    await store.pinWorkflow(d.id, { version: 3, job: `${d.id}:1700000000000` });
    const started = await store.start(d.id, 2, new Date(3_000));
    expect(started?.workflowPin).toEqual({ version: 3, job: `${d.id}:1700000000000` });
    expect(started?.delivery).not.toHaveProperty('workflowVersion');
  });

  it('returns a finished delivery unchanged and a missing one as null', async () => {
    const d = delivery(newId('wh'), 1_000);
    await store.create(d);
    await store.markSucceededJson(d.id, JSON.stringify({ ok: true }), new Date(7_000));
    const again = (await store.start(d.id, 3, new Date(8_000)))?.delivery;
    expect(again).toMatchObject({ status: 'succeeded', attempts: 0, startedAt: null, result: { ok: true } });
    expect(await store.start(newId('dlv'), 1, new Date())).toBeNull();
  });
});

describe('DeliveryStore.markSucceededJson / markFailed', () => {
  it('record the outcome and apply retention in the same call, and report what they recorded', async () => {
    const store = new DeliveryStore(redis, keys, new DeliveryRetention(redis, keys, { maxCount: 2, maxAgeSeconds: 600 }));
    const webhookId = newId('wh');
    const created = [1, 2, 3].map((i) => delivery(webhookId, 1_000 + i));
    for (const d of created) await store.create(d);
    expect(await store.markSucceededJson(created[0]!.id, '"r"', new Date())).toEqual({ status: 'succeeded', workflow: 'echo', removed: 1 });
    expect(await redis.exists(keys.delivery(created[0]!.id))).toBe(0);
    expect(await store.markFailed(created[1]!.id, { code: 'x', message: 'y' }, new Date())).toEqual({
      status: 'failed',
      workflow: 'echo',
      removed: 0,
    });
    expect(await redis.ttl(keys.delivery(created[1]!.id))).toBeGreaterThan(590);
    expect(await redis.ttl(keys.delivery(created[2]!.id))).toBe(-1);
  });

  it('do not bring back a record that is gone', async () => {
    const store = new DeliveryStore(redis, keys);
    const id = newId('dlv');
    expect(await store.markSucceededJson(id, '1', new Date())).toEqual({ status: null, workflow: null, removed: 0 });
    expect(await redis.exists(keys.delivery(id))).toBe(0);
  });
});

describe('DeliveryStore.cancel', () => {
  const store = new DeliveryStore(redis, keys);

  it('cancels a delivery that may still run, once, and announces it on the cancel channel', async () => {
    const listener = testRedis();
    const heard: string[] = [];
    listener.on('message', (_channel: string, id: string) => heard.push(id));
    await listener.subscribe(keys.deliveryCancels);
    try {
      const d = { ...delivery(newId('wh'), 1_000), status: 'held' as const };
      await store.create(d);
      expect(await store.cancel(d.id, new Date(4_000))).toEqual({ cancelled: true, previous: 'held', queue: 'default' });
      const at = new Date(4_000).toISOString();
      expect(await store.get(d.id)).toMatchObject({ status: 'cancelled', cancelledAt: at, finishedAt: at });
      expect(await store.cancel(d.id, new Date(5_000))).toEqual({ cancelled: false, status: 'cancelled' });
      expect(await store.cancel(newId('dlv'), new Date())).toBeNull();
      await expect.poll(() => heard).toEqual([d.id]);
    } finally {
      listener.disconnect();
    }
  });

  it('leaves a finished delivery as it is', async () => {
    const d = delivery(newId('wh'), 1_000);
    await store.create(d);
    await store.markSucceededJson(d.id, '"r"', new Date());
    expect(await store.cancel(d.id, new Date())).toEqual({ cancelled: false, status: 'succeeded' });
    expect(await store.get(d.id)).toMatchObject({ status: 'succeeded', cancelledAt: null });
    // A failure decided without running (quarantine) leaves it too; a run's own outcome still overwrites it.
    expect(await store.markFailed(d.id, { code: 'worker_crashed', message: 'x' }, new Date(), { onlyIfOpen: true })).toMatchObject({
      status: 'succeeded',
    });
    expect(await store.markFailed(d.id, { code: 'x', message: 'y' }, new Date())).toMatchObject({ status: 'failed' });
  });

  it('is never undone: no outcome, retry or start overwrites it, not even a rewrite of the whole record', async () => {
    const d = delivery(newId('wh'), 1_000);
    await store.create(d);
    await store.start(d.id, 1, new Date(2_000));
    await store.cancel(d.id, new Date(3_000));
    await store.markRetrying(d.id, { code: 'timeout', message: 'slow' });
    expect(await store.markSucceededJson(d.id, '"late"', new Date())).toMatchObject({ status: 'cancelled' });
    expect(await store.markFailed(d.id, { code: 'x', message: 'y' }, new Date())).toMatchObject({ status: 'cancelled' });
    expect((await store.start(d.id, 2, new Date()))?.delivery).toMatchObject({
      status: 'cancelled',
      attempts: 1,
      result: null,
      error: null,
    });
    // A release of held deliveries that read the record before the cancel stores it again as `queued`.
    await store.create(d);
    expect(await store.get(d.id)).toMatchObject({ status: 'cancelled' });
    expect((await store.start(d.id, 1, new Date()))?.delivery.status).toBe('cancelled');
    expect(await redis.hget(keys.delivery(d.id), 'status')).toBe('cancelled');
  });

  it('lets retention treat a cancelled delivery as finished', async () => {
    const trimming = new DeliveryStore(redis, keys, new DeliveryRetention(redis, keys, { maxCount: 1, maxAgeSeconds: 600 }));
    const webhookId = newId('wh');
    const [old, recent] = [delivery(webhookId, 1_000), delivery(webhookId, 2_000)];
    for (const d of [old, recent]) await trimming.create(d);
    await trimming.cancel(old.id, new Date());
    expect(await trimming.markSucceededJson(recent.id, '"r"', new Date())).toMatchObject({ status: 'succeeded', removed: 1 });
    expect(await redis.exists(keys.delivery(old.id))).toBe(0);
  });
});

describe('DeliveryStore run fencing (the job lock token)', () => {
  async function created() {
    const store = new DeliveryStore(redis, keys);
    const d = delivery(newId('wh'), Date.now());
    const tx = redis.pipeline();
    store.appendCreate(tx, [d]);
    await tx.exec();
    return { store, id: d.id };
  }

  it('records only the outcome of the run that holds the delivery; an earlier run whose lock lapsed records nothing', async () => {
    const { store, id } = await created();
    await store.start(id, 1, new Date(1_000), 'worker-a:1');
    // The lock lapsed, the job went to another worker, which started it again.
    await store.start(id, 1, new Date(2_000), 'worker-b:7');
    await store.markRetrying(id, { code: 'http_unavailable', message: 'late' }, { runToken: 'worker-a:1' });
    expect(await store.markSucceededJson(id, JSON.stringify({ from: 'a' }), new Date(3_000), { runToken: 'worker-a:1' })).toMatchObject({
      status: 'running',
    });
    expect(await store.markFailed(id, { code: 'x', message: 'late' }, new Date(3_000), { runToken: 'worker-a:1' })).toMatchObject({
      status: 'running',
    });
    expect(await store.get(id)).toMatchObject({ status: 'running', result: null, error: null });
    expect(await store.markSucceededJson(id, JSON.stringify({ from: 'b' }), new Date(4_000), { runToken: 'worker-b:7' })).toMatchObject({
      status: 'succeeded',
    });
    expect(await store.get(id)).toMatchObject({ status: 'succeeded', result: { from: 'b' }, finishedAt: new Date(4_000).toISOString() });
  });

  it('lets a run without a token record its outcome as before', async () => {
    const { store, id } = await created();
    await store.start(id, 1, new Date(1_000), 'worker-a:1');
    expect(await store.markSucceededJson(id, JSON.stringify({ ok: true }), new Date(2_000))).toMatchObject({ status: 'succeeded' });
  });
});
