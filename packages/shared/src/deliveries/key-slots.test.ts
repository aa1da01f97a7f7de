import { afterAll, describe, expect, it } from 'vitest';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { createKeys } from '../redis/keys.js';
import { newId } from '../ids.js';
import { DeliveryStore } from './delivery-store.js';
import { keyScope } from './key-slots.js';
import type { NewDelivery } from './types.js';

const prefix = testPrefix('key-slots');
const redis = testRedis();
const keys = createKeys(prefix);
const store = new DeliveryStore(redis, keys);

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

function keyed(line: string, limit: number, extra: Partial<NewDelivery> = {}): NewDelivery {
  return {
    id: newId('dlv'),
    webhookId: 'wh_k',
    agentId: 'agt_k',
    workflow: 'w',
    status: 'queued',
    receivedAt: new Date().toISOString(),
    dedupeKey: null,
    headers: {},
    payloadJson: '{}',
    replayOf: null,
    queue: 'default',
    concurrency: { key: 'k', line, limit },
    ...extra,
  };
}

async function create(...deliveries: NewDelivery[]): Promise<void> {
  const tx = redis.multi();
  store.appendCreate(tx, deliveries);
  await tx.exec();
}

/** Collects the wakes published while `action` runs. */
async function wakesDuring(action: () => Promise<unknown>): Promise<string[]> {
  const subscriber = redis.duplicate();
  const wakes: string[] = [];
  subscriber.on('message', (_channel: string, message: string) => wakes.push(message));
  await subscriber.subscribe(keys.keySlotFreed);
  await action();
  await redis.ping();
  await new Promise((resolve) => setTimeout(resolve, 50));
  subscriber.disconnect();
  return wakes;
}

describe('key slots', () => {
  it('with limit 1: only the first in line starts; the others park behind it; its end wakes the next', async () => {
    const line = keys.keyLine(keyScope('agt_k', 'w', `one-${newId('dlv')}`));
    const [a, b, c] = [keyed(line, 1), keyed(line, 1), keyed(line, 1)];
    await create(a, b, c);
    expect(await redis.lrange(line, 0, -1)).toEqual([a.id, b.id, c.id]);

    expect((await store.start(c.id, 1, new Date()))?.parkedBehind).toBe(a.id);
    expect((await store.start(b.id, 1, new Date()))?.parkedBehind).toBe(a.id);
    expect(await store.get(b.id)).toMatchObject({ status: 'queued', waitingBehind: a.id, concurrencyKey: 'k' });
    expect(await redis.smembers(keys.keyParked)).toEqual(expect.arrayContaining([b.id, c.id]));
    const started = await store.start(a.id, 1, new Date());
    expect(started?.parkedBehind).toBeUndefined();
    expect(started?.delivery.status).toBe('running');

    // A retry keeps the slot: the next is still parked.
    await store.markRetrying(a.id, { code: 'http_unavailable', message: 'x' });
    expect((await store.start(b.id, 1, new Date()))?.parkedBehind).toBe(a.id);
    expect((await store.start(a.id, 2, new Date()))?.parkedBehind).toBeUndefined();

    const wakes = await wakesDuring(() => store.markSucceededJson(a.id, 'null', new Date()));
    expect(wakes).toEqual([`default\n${b.id}`]);
    expect(await redis.lrange(line, 0, -1)).toEqual([b.id, c.id]);
    expect((await store.start(b.id, 1, new Date()))?.delivery.status).toBe('running');
    expect(await store.get(b.id)).toMatchObject({ waitingBehind: null });
    expect(await redis.sismember(keys.keyParked, b.id)).toBe(0);
  });

  it('with limit 2: the first two run at once; a cancel releases its slot like an end', async () => {
    const line = keys.keyLine(keyScope('agt_k', 'w', `two-${newId('dlv')}`));
    const [a, b, c] = [keyed(line, 2), keyed(line, 2), keyed(line, 2)];
    await create(a, b, c);
    expect((await store.start(a.id, 1, new Date()))?.parkedBehind).toBeUndefined();
    expect((await store.start(b.id, 1, new Date()))?.parkedBehind).toBeUndefined();
    expect((await store.start(c.id, 1, new Date()))?.parkedBehind).toBe(a.id);
    const wakes = await wakesDuring(() => store.cancel(b.id, new Date()));
    expect(wakes).toEqual([`default\n${c.id}`]);
    expect((await store.start(c.id, 1, new Date()))?.parkedBehind).toBeUndefined();
  });

  it('drops entries at the head whose delivery is gone, and lets a delivery that left its line (a manual retry) join at the end', async () => {
    const line = keys.keyLine(keyScope('agt_k', 'w', `heal-${newId('dlv')}`));
    const [a, b] = [keyed(line, 1), keyed(line, 1)];
    await create(a, b);
    await redis.del(keys.delivery(a.id));
    expect((await store.start(b.id, 1, new Date()))?.parkedBehind).toBeUndefined();
    expect(await redis.lrange(line, 0, -1)).toEqual([b.id]);

    const c = keyed(line, 1);
    await create(c);
    await store.markFailed(b.id, { code: 'x', message: 'x' }, new Date());
    expect(await redis.lrange(line, 0, -1)).toEqual([c.id]);
    await store.resetForRetry(b.id);
    await redis.hset(keys.delivery(b.id), 'status', 'queued');
    expect((await store.start(b.id, 2, new Date()))?.parkedBehind).toBe(c.id);
    expect(await redis.lrange(line, 0, -1)).toEqual([c.id, b.id]);
  });

  it('a held delivery joins its line when it first starts, not at arrival', async () => {
    const line = keys.keyLine(keyScope('agt_k', 'w', `held-${newId('dlv')}`));
    const held = keyed(line, 1, { status: 'held' });
    await create(held);
    expect(await redis.exists(line)).toBe(0);
  });
});

describe('debounce', () => {
  function debounced(state: string, periodMs: number, at: number, maxWaitMs?: number): NewDelivery {
    return {
      ...keyed('', 1),
      concurrency: undefined,
      receivedAt: new Date(at).toISOString(),
      debounce: { key: 'd', state, periodMs, ...(maxWaitMs ? { maxWaitMs } : {}) },
    };
  }

  it('a newer delivery supersedes one that has not started; one that started is left to run', async () => {
    const state = keys.debounceState(keyScope('agt_k', 'w', `deb-${newId('dlv')}`));
    const [a, b, c] = [debounced(state, 1_000, 10_000), debounced(state, 1_000, 10_200), debounced(state, 1_000, 10_400)];
    await create(a);
    await create(b);
    expect(await store.get(a.id)).toMatchObject({ status: 'superseded', supersededBy: b.id, debounceKey: 'd', finishedAt: b.receivedAt });
    expect(await redis.ttl(keys.delivery(a.id))).toBeGreaterThan(0);
    await store.start(b.id, 1, new Date());
    await create(c);
    expect(await store.get(b.id)).toMatchObject({ status: 'running', supersededBy: null });
    expect(await store.get(c.id)).toMatchObject({ status: 'queued' });
  });

  it('maxWaitMs: a delivery is not superseded when that would postpone its burst past maxWaitMs', async () => {
    const state = keys.debounceState(keyScope('agt_k', 'w', `wait-${newId('dlv')}`));
    const a = debounced(state, 1_000, 20_000, 2_500);
    const b = debounced(state, 1_000, 20_900, 2_500);
    const c = debounced(state, 1_000, 21_800, 2_500); // would run at 22 800 > 20 000 + 2 500
    const d = debounced(state, 1_000, 22_000, 2_500); // a new burst began at c
    for (const x of [a, b, c, d]) await create(x);
    expect(await store.get(a.id)).toMatchObject({ status: 'superseded', supersededBy: b.id });
    expect(await store.get(b.id)).toMatchObject({ status: 'queued', supersededBy: null });
    expect(await store.get(c.id)).toMatchObject({ status: 'superseded', supersededBy: d.id });
  });
});
