import { afterAll, describe, expect, it } from 'vitest';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { createKeys } from '../redis/keys.js';
import { newId } from '../ids.js';
import { DeliveryStore } from './delivery-store.js';
import { DeliveryRetention } from './delivery-retention.js';
import type { NewDelivery } from './types.js';
import { newDelivery } from '../../../../test/support/new-delivery.js';

const prefix = testPrefix('retention');
const redis = testRedis();
const keys = createKeys(prefix);
const store = new DeliveryStore(redis, keys);

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

function delivery(webhookId: string, at: number, status: NewDelivery['status'] = 'queued'): NewDelivery {
  return newDelivery({
    webhookId,
    status,
    receivedAt: new Date(at).toISOString(),
    payloadJson: JSON.stringify({ filler: 'x'.repeat(1000) }),
  });
}

describe('DeliveryRetention.settle', () => {
  it('trims the index to maxCount, oldest finished first, deleting their records, and sets the age TTL', async () => {
    const retention = new DeliveryRetention(redis, keys, { maxCount: 3, maxAgeSeconds: 600 });
    const webhookId = newId('wh');
    const created = Array.from({ length: 10 }, (_, i) => delivery(webhookId, 1_000 + i));
    for (const d of created) await store.create(d);
    for (const [i, d] of created.entries()) {
      await store.markSucceededJson(d.id, 'null', new Date());
      const settled = await retention.settle(d.id);
      expect(settled.status).toBe('succeeded');
      expect(settled.workflow).toBe('echo');
      // Every settle removes as many finished deliveries as the index is over the count (7), as far as there are any.
      expect(await redis.zcard(keys.webhookDeliveries(webhookId))).toBe(10 - Math.min(7, i + 1));
    }
    const kept = created.slice(-3).map((d) => d.id);
    expect(await redis.zrange(keys.webhookDeliveries(webhookId), '0', '-1')).toEqual(kept);
    for (const d of created) expect(await redis.exists(keys.delivery(d.id))).toBe(kept.includes(d.id) ? 1 : 0);
    for (const id of kept) expect(await redis.ttl(keys.delivery(id))).toBeGreaterThan(590);
  });

  it('never removes held, queued or running deliveries, however many there are', async () => {
    const retention = new DeliveryRetention(redis, keys, { maxCount: 2, maxAgeSeconds: 600 }, { slack: 5 });
    const webhookId = newId('wh');
    const held = Array.from({ length: 4 }, (_, i) => delivery(webhookId, 1_000 + i, 'held'));
    const finished = Array.from({ length: 4 }, (_, i) => delivery(webhookId, 2_000 + i));
    for (const d of [...held, ...finished]) await store.create(d);
    for (const d of finished) {
      await store.markFailed(d.id, { code: 'x', message: 'y' }, new Date());
      await retention.settle(d.id);
    }
    const index = await redis.zrange(keys.webhookDeliveries(webhookId), '0', '-1');
    // All held ones stay; every finished one was over the count and could go.
    expect(index).toEqual(held.map((d) => d.id));
    for (const d of held) expect(await redis.ttl(keys.delivery(d.id))).toBe(-1);
  });

  it('removes at most removeAtMost old deliveries per call, so the rest of a large excess goes over the next finishes', async () => {
    const retention = new DeliveryRetention(redis, keys, { maxCount: 1, maxAgeSeconds: 600 }, { removeAtMost: 10 });
    const webhookId = newId('wh');
    const created = Array.from({ length: 30 }, (_, i) => delivery(webhookId, 1_000 + i));
    for (const d of created) await store.create(d);
    for (const d of created) await store.markSucceededJson(d.id, 'null', new Date()); // the store's own policy keeps 10 000
    const newest = created.at(-1)!.id;
    expect((await retention.settle(newest)).removed).toBe(10);
    expect((await retention.settle(newest)).removed).toBe(10);
    expect((await retention.settle(newest)).removed).toBe(9);
    expect(await redis.zrange(keys.webhookDeliveries(webhookId), '0', '-1')).toEqual([newest]);
  });

  it('looks at no more than removeAtMost + slack of the oldest entries per call, whatever the backlog behind them', async () => {
    const retention = new DeliveryRetention(redis, keys, { maxCount: 1, maxAgeSeconds: 600 }, { removeAtMost: 10, slack: 32 });
    const webhookId = newId('wh');
    // 40 unfinished deliveries (a backlog) are the oldest; 5 finished ones come after them.
    const queued = Array.from({ length: 40 }, (_, i) => delivery(webhookId, 1_000 + i));
    const finished = Array.from({ length: 5 }, (_, i) => delivery(webhookId, 2_000 + i));
    for (const d of [...queued, ...finished]) await store.create(d);
    for (const d of finished) await store.markSucceededJson(d.id, 'null', new Date());
    // The 42 entries looked at hold the 40 queued ones and the first 2 finished ones: only those 2 can go.
    expect((await retention.settle(finished.at(-1)!.id)).removed).toBe(2);
    const index = await redis.zrange(keys.webhookDeliveries(webhookId), '0', '-1');
    expect(index).toEqual([...queued, ...finished.slice(2)].map((d) => d.id));
  });

  it('keeps trimming behind more held deliveries than one window holds, by looking further along', async () => {
    const retention = new DeliveryRetention(redis, keys, { maxCount: 1, maxAgeSeconds: 600 }, { removeAtMost: 10, slack: 32 });
    const webhookId = newId('wh');
    // 50 held deliveries are the oldest, more than the 42 entries of the first window; 20 finished ones follow.
    const held = Array.from({ length: 50 }, (_, i) => delivery(webhookId, 1_000 + i, 'held'));
    const finished = Array.from({ length: 20 }, (_, i) => delivery(webhookId, 2_000 + i));
    for (const d of [...held, ...finished]) await store.create(d);
    for (const d of finished) await store.markSucceededJson(d.id, 'null', new Date());
    // Wherever the second window lands among the entries over the count, it reaches the newest of them, so every
    // call removes at least one finished delivery until only the count's newest is left.
    const removedPerCall: number[] = [];
    for (let i = 0; i < 19; i++) {
      const { removed } = await retention.settle(finished.at(-1)!.id);
      if (removed === 0) break;
      removedPerCall.push(removed);
    }
    expect(removedPerCall.reduce((a, b) => a + b, 0)).toBe(19);
    expect(await redis.zrange(keys.webhookDeliveries(webhookId), '0', '-1')).toEqual([...held, finished.at(-1)!].map((d) => d.id));
    for (const d of held) expect(await redis.exists(keys.delivery(d.id))).toBe(1);
  });

  it('leaves unfinished deliveries alone and reports a missing record as null', async () => {
    const retention = new DeliveryRetention(redis, keys, { maxCount: 1, maxAgeSeconds: 600 });
    const webhookId = newId('wh');
    const d = delivery(webhookId, 1_000);
    await store.create(d);
    await store.markRetrying(d.id, { code: 'timeout', message: 'slow' });
    expect(await retention.settle(d.id)).toEqual({ status: 'retrying', workflow: 'echo', removed: 0 });
    expect(await redis.ttl(keys.delivery(d.id))).toBe(-1);
    expect(await retention.settle('dlv_gone')).toEqual({ status: null, workflow: null, removed: 0 });
  });

  it('drops index entries whose record already expired', async () => {
    const retention = new DeliveryRetention(redis, keys, { maxCount: 1, maxAgeSeconds: 600 });
    const webhookId = newId('wh');
    const old = delivery(webhookId, 1_000);
    const fresh = delivery(webhookId, 2_000);
    await store.create(old);
    await store.create(fresh);
    await redis.del(keys.delivery(old.id)); // as if its TTL ran out
    await store.markSucceededJson(fresh.id, '1', new Date());
    expect((await retention.settle(fresh.id)).removed).toBe(1);
    expect(await redis.zrange(keys.webhookDeliveries(webhookId), '0', '-1')).toEqual([fresh.id]);
  });
});
