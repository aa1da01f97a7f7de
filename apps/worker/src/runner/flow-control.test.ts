import { afterAll, describe, expect, it } from 'vitest';
import { Queue, Worker, type Job } from 'bullmq';
import { createKeys, createLogger, DeliveryStore, keyScope, newId, QueueSet, type NewDelivery } from '@hookflow/shared';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { listenForFreedSlots, parkBehindKey, parkedCount } from './flow-control.js';

const prefix = testPrefix('flow-control-unit');
const redis = testRedis();
const keys = createKeys(prefix);
const store = new DeliveryStore(redis, keys);
const log = createLogger({ name: 'test', level: 'silent' });
const queueName = 'flow';
const queue = new Queue(queueName, { connection: redis, prefix: keys.bullPrefix });
const queues = new QueueSet(redis, keys);
const subscriber = redis.duplicate();
const workers: Worker[] = [];

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await queue.close();
  await queues.close();
  subscriber.disconnect();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

function keyed(line: string): NewDelivery {
  return {
    id: newId('dlv'),
    webhookId: 'wh_f',
    agentId: 'agt_f',
    workflow: 'w',
    status: 'queued',
    receivedAt: new Date().toISOString(),
    dedupeKey: null,
    headers: {},
    payloadJson: '{}',
    replayOf: null,
    queue: queueName,
    concurrency: { key: 'k', line, limit: 1 },
  };
}

async function create(...deliveries: NewDelivery[]): Promise<void> {
  const tx = redis.multi();
  store.appendCreate(tx, deliveries);
  await tx.exec();
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Before parking a delivery, runs what the test set for it (to free the slot in the gap a wake would miss). */
const beforePark = new Map<string, () => Promise<unknown>>();

function startWorker(): Worker {
  const worker = new Worker(
    queueName,
    async (job: Job, token?: string) => {
      const deliveryId = (job.data as { deliveryId: string }).deliveryId;
      const started = await store.start(deliveryId, job.attemptsMade + 1, new Date());
      if (started?.parkedBehind) {
        await beforePark.get(deliveryId)?.();
        return parkBehindKey(redis, keys, job, token, deliveryId, started.parkedBehind, log);
      }
      await store.markSucceededJson(deliveryId, 'null', new Date());
    },
    { connection: redis.duplicate(), prefix: keys.bullPrefix, concurrency: 4 },
  );
  workers.push(worker);
  return worker;
}

const status = async (id: string) => (await store.get(id))?.status;

describe('parked deliveries', () => {
  startWorker();

  it('a delivery behind its key waits in the delayed set, counted by the gauge, and is woken when the slot frees', async () => {
    await listenForFreedSlots(subscriber, redis, keys, queues, [queueName], log);
    const line = keys.keyLine(keyScope('agt_f', 'w', newId('dlv')));
    const [holder, next] = [keyed(line), keyed(line)];
    await create(holder, next);
    await queue.add('run-delivery', { deliveryId: next.id }, { jobId: next.id });
    await until(async () => (await queue.getJobState(next.id)) === 'delayed', 'the job to be parked');
    expect(await status(next.id)).toBe('queued');
    expect(await store.get(next.id)).toMatchObject({ waitingBehind: holder.id });
    expect(await parkedCount(redis, keys)).toBeGreaterThanOrEqual(1);

    await store.markSucceededJson(holder.id, 'null', new Date());
    await until(async () => (await status(next.id)) === 'succeeded', 'the parked delivery to run after the wake');
    expect(await redis.sismember(keys.keyParked, next.id)).toBe(0);
  });

  it('a woken job goes to the front of its queue, before jobs that were waiting', async () => {
    // A queue no worker reads, so the order of its wait list can be looked at.
    const idle = new Queue('flow-idle', { connection: redis, prefix: keys.bullPrefix });
    const line = keys.keyLine(keyScope('agt_f', 'w', newId('dlv')));
    const [holder, next] = [keyed(line), { ...keyed(line), queue: 'flow-idle' }];
    await create(holder, next);
    expect((await store.start(next.id, 1, new Date()))?.parkedBehind).toBe(holder.id);
    await idle.add('run-delivery', { deliveryId: next.id }, { jobId: next.id, delay: 60_000 });
    for (let i = 0; i < 3; i++) await idle.add('run-delivery', { deliveryId: `other-${i}` }, { jobId: `other-${i}-${next.id}` });
    const listener = redis.duplicate();
    await listenForFreedSlots(listener, redis, keys, queues, ['flow-idle'], log);
    await store.markSucceededJson(holder.id, 'null', new Date());
    // Workers take jobs from the right end of the wait list.
    await until(async () => (await redis.lrange(idle.keys.wait!, -1, -1))[0] === next.id, 'the woken job at the front');
    expect(await redis.llen(idle.keys.wait!)).toBe(4);
    listener.disconnect();
    await idle.obliterate({ force: true });
    await idle.close();
  });

  it('a slot that frees between the failed look and the park is seen by the second look: the job promotes itself', async () => {
    // No wake reaches this one (its queue is not in the served list of any listener): only the second look can.
    const line = keys.keyLine(keyScope('agt_f', 'w', newId('dlv')));
    const [holder, next] = [keyed(line), keyed(line)];
    await create(holder, next);
    await subscriber.unsubscribe(keys.keySlotFreed);
    beforePark.set(next.id, () => store.markSucceededJson(holder.id, 'null', new Date()));
    await queue.add('run-delivery', { deliveryId: next.id }, { jobId: next.id });
    await until(async () => (await status(next.id)) === 'succeeded', 'the delivery to run without a wake (its park is 30 s)');
  });
});
