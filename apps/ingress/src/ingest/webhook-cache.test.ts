import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeys, KeyStore, newId, SecretBox, WebhookStore } from '@hookflow/shared';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { WebhookCache } from './webhook-cache.js';

const prefix = testPrefix('webhook-cache');
const keys = createKeys(prefix);
const redis = testRedis();
const webhooks = new WebhookStore(redis, keys);
const keyStore = new KeyStore(redis, keys, new SecretBox(randomBytes(32).toString('base64')));

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

/** Counts the registry reads the cache makes, so a test can tell a hit from a load. */
function countingStore() {
  let reads = 0;
  const store = Object.create(webhooks) as WebhookStore;
  store.find = (id) => {
    reads++;
    return webhooks.find(id);
  };
  return { store, reads: () => reads };
}

describe('WebhookCache (real Redis)', () => {
  it('keeps at most maxNotFound unknown ids, and a flood of them does not evict a known webhook', async () => {
    const known = await webhooks.create({ agentId: newId('agt'), workflow: 'echo' });
    const { store, reads } = countingStore();
    const cache = new WebhookCache(store, keyStore, 60_000, Date.now, { maxFound: 5, maxNotFound: 50 });
    expect((await cache.get(known.id))?.webhook.id).toBe(known.id);

    for (let i = 0; i < 500; i++) expect(await cache.get(newId('wh'))).toBeNull();
    expect(cache.size).toEqual({ found: 1, notFound: 50 });

    const before = reads();
    expect((await cache.get(known.id))?.webhook.id).toBe(known.id);
    expect(reads()).toBe(before);
  });

  it('answers a repeated unknown id from memory while it is among the recent ones', async () => {
    const { store, reads } = countingStore();
    const cache = new WebhookCache(store, keyStore, 60_000, Date.now, { maxNotFound: 10 });
    const unknown = newId('wh');
    await cache.get(unknown);
    await cache.get(unknown);
    expect(reads()).toBe(1);
  });

  it('drops the least recently used webhook past maxFound and reads it again when asked', async () => {
    const created = await Promise.all([1, 2, 3].map(() => webhooks.create({ agentId: newId('agt'), workflow: 'echo' })));
    const { store, reads } = countingStore();
    const cache = new WebhookCache(store, keyStore, 60_000, Date.now, { maxFound: 2 });
    for (const webhook of created) await cache.get(webhook.id);
    expect(cache.size.found).toBe(2);
    const before = reads();
    expect((await cache.get(created[0]!.id))?.webhook.id).toBe(created[0]!.id);
    expect(reads()).toBe(before + 1);
  });

  it('still expires entries after ttlMs and forgets an invalidated id', async () => {
    let now = 1_000;
    const { store, reads } = countingStore();
    const cache = new WebhookCache(store, keyStore, 100, () => now);
    const unknown = newId('wh');
    await cache.get(unknown);
    now += 101;
    await cache.get(unknown);
    expect(reads()).toBe(2);
    cache.invalidate(unknown);
    expect(cache.peek(unknown)).toBeUndefined();
  });
});
