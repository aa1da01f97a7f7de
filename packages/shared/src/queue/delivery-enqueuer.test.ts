import { afterAll, describe, expect, it, vi } from 'vitest';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../../../test/support/redis.js';
import { createKeys } from '../redis/keys.js';
import { createRedis, type RedisClient } from '../redis/connection.js';
import { DeliveryStore } from '../deliveries/delivery-store.js';
import type { NewDelivery } from '../deliveries/types.js';
import { newDelivery } from '../../../../test/support/new-delivery.js';
import { QueueSet } from './queues.js';
import { DeliveryEnqueuer, EnqueueError } from './delivery-enqueuer.js';

const prefix = testPrefix('enqueuer');
const keys = createKeys(prefix);
const admin = testRedis();
const producer = createRedis(testRedisUrl, 'producer');
const deliveries = new DeliveryStore(producer, keys);
const queues = new QueueSet(producer, keys);
const enqueuer = new DeliveryEnqueuer(producer, deliveries, queues);

afterAll(async () => {
  await queues.close();
  await cleanupPrefix(admin, prefix);
  producer.disconnect();
  admin.disconnect();
});

function delivery(overrides: Partial<NewDelivery> = {}): NewDelivery {
  return newDelivery({
    webhookId: 'wh_enqueuertest00000000000000',
    agentId: 'agt_enqueuertest0000000000000',
    receivedAt: new Date().toISOString(),
    headers: { 'content-type': 'application/json' },
    payloadJson: '{"n":1}',
    ...overrides,
  });
}

const jobOptions = { attempts: 4, backoff: { type: 'fixed', delay: 10 } };

describe('DeliveryEnqueuer', () => {
  it('stores every record and its job for requests that arrive in one event-loop turn', async () => {
    const batch = Array.from({ length: 40 }, (_, i) =>
      delivery({ payloadJson: JSON.stringify({ n: i }), queue: i % 2 === 0 ? 'default' : 'other' }),
    );
    await Promise.all(batch.map((d) => enqueuer.enqueue({ delivery: d, jobOptions })));
    for (const d of batch) {
      const stored = await deliveries.get(d.id);
      expect(stored).toMatchObject({ id: d.id, status: 'queued', payload: JSON.parse(d.payloadJson) });
      const job = await queues.get(d.queue).getJob(d.id);
      expect(job?.name).toBe('run-delivery');
      expect(job?.data).toEqual({ deliveryId: d.id });
      expect(job?.opts.attempts).toBe(4);
    }
    expect(await queues.get('default').getWaitingCount()).toBe(20);
    expect(await queues.get('other').getWaitingCount()).toBe(20);
    expect(await admin.zcard(keys.webhookDeliveries(batch[0]!.webhookId))).toBe(40);
  });

  it('stores a held delivery without a job', async () => {
    const held = delivery({ status: 'held' });
    await enqueuer.enqueue({ delivery: held, jobOptions });
    expect((await deliveries.get(held.id))?.status).toBe('held');
    expect(await queues.get('default').getJob(held.id)).toBeUndefined();
  });

  it('refuses only the request whose job BullMQ rejects, storing neither its record nor its job', async () => {
    const good = delivery();
    const bad = delivery({ id: 'dlv:not-a-valid-job-id' });
    const [goodResult, badResult] = await Promise.allSettled([
      enqueuer.enqueue({ delivery: good, jobOptions }),
      enqueuer.enqueue({ delivery: bad, jobOptions }),
    ]);
    expect(goodResult.status).toBe('fulfilled');
    expect(badResult).toMatchObject({ status: 'rejected', reason: expect.any(EnqueueError) });
    expect(await deliveries.get(good.id)).not.toBeNull();
    expect(await queues.get('default').getJob(good.id)).toBeDefined();
    expect(await admin.exists(keys.delivery(bad.id))).toBe(0);
    expect(await admin.zscore(keys.webhookDeliveries(bad.webhookId), bad.id)).toBeNull();
    expect(await admin.zscore(keys.webhookDeliveries(good.webhookId), good.id)).not.toBeNull();
  });

  it("sends batches with jobs on an insert connection of their own, holding only BullMQ's job-insert scripts, and hands it to afterStore", async () => {
    const ownQueues = new QueueSet(producer, keys);
    const storedOn: RedisClient[] = [];
    const withHook = new DeliveryEnqueuer(producer, deliveries, ownQueues, 3_000, async (connection) => {
      storedOn.push(connection);
    });
    const queued = delivery();
    await withHook.enqueue({ delivery: queued, jobOptions });
    const [insertConnection] = storedOn;
    expect(insertConnection).toBeDefined();
    expect(insertConnection).not.toBe(producer);
    const insertScripts = Object.keys(insertConnection!.scriptsSet);
    expect(insertScripts.some((name) => name.startsWith('addStandardJob:'))).toBe(true);
    expect(insertScripts.every((name) => /^add[A-Za-z]*Job:/.test(name))).toBe(true);
    // The shared connection holds all of BullMQ's scripts, which ioredis would copy onto every MULTI built there.
    expect(Object.keys(producer.scriptsSet).length).toBeGreaterThan(insertScripts.length + 10);
    expect((await ownQueues.get('default').getJob(queued.id))?.data).toEqual({ deliveryId: queued.id });
    // Later batches reuse it; a batch without jobs (held) goes on the shared connection.
    await withHook.enqueue({ delivery: delivery(), jobOptions });
    await withHook.enqueue({ delivery: delivery({ status: 'held' }), jobOptions });
    expect(storedOn).toEqual([insertConnection, insertConnection, producer]);

    await ownQueues.close();
    await vi.waitFor(() => expect(insertConnection!.status).toBe('end'));
  });

  it('rejects with EnqueueError, and stores nothing, when Redis is unreachable', async () => {
    const down = createRedis('redis://127.0.0.1:1', 'producer');
    const offline = new DeliveryEnqueuer(down, new DeliveryStore(down, keys), new QueueSet(down, keys), 500);
    const d = delivery();
    await expect(offline.enqueue({ delivery: d, jobOptions })).rejects.toBeInstanceOf(EnqueueError);
    expect(await admin.exists(keys.delivery(d.id))).toBe(0);
    down.disconnect();
  });
});
