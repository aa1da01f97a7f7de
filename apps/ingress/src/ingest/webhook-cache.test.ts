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

/** A registry whose reads wait until the test lets them go, so a test can act while a load is in flight. */
function gatedStore() {
  const gates: (() => void)[] = [];
  const store = Object.create(webhooks) as WebhookStore;
  store.find = async (id) => {
    const record = await webhooks.find(id);
    await new Promise<void>((resolve) => gates.push(resolve));
    return record;
  };
  return { store, pending: () => gates.length, release: () => gates.splice(0).forEach((open) => open()) };
}

const newWebhook = () => webhooks.create({ agentId: newId('agt'), workflow: 'echo' });

async function untilPending(gated: ReturnType<typeof gatedStore>, count: number): Promise<void> {
  await expect.poll(gated.pending).toBe(count);
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

  it('keeps a webhook until ttlMs has passed on its clock, then reads it again with what changed', async () => {
    let now = 5_000;
    const webhook = await newWebhook();
    const { store, reads } = countingStore();
    const cache = new WebhookCache(store, keyStore, 1_000, () => now);
    expect((await cache.get(webhook.id))?.webhook.status).toBe('enabled');
    await webhooks.update(webhook.id, { status: 'disabled' });

    now += 999;
    expect((await cache.get(webhook.id))?.webhook.status).toBe('enabled');
    expect(reads()).toBe(1);
    now += 1;
    expect(cache.peek(webhook.id)).toBeUndefined();
    expect((await cache.get(webhook.id))?.webhook.status).toBe('disabled');
    expect(reads()).toBe(2);
  });

  it('remembers an unknown id as unknown (a negative entry) until it expires or is invalidated', async () => {
    let now = 0;
    const [expiring, invalidated] = await Promise.all([newWebhook(), newWebhook()]);
    // The registry does not know them yet when they are first asked for; they are created meanwhile.
    const known = new Set<string>();
    let reads = 0;
    const store = Object.create(webhooks) as WebhookStore;
    store.find = async (id) => (reads++, known.has(id) ? webhooks.find(id) : null);
    const cache = new WebhookCache(store, keyStore, 1_000, () => now);

    for (const webhook of [expiring, invalidated]) expect(await cache.get(webhook.id)).toBeNull();
    // null: cached as unknown (undefined would be: not cached).
    expect(cache.peek(expiring.id)).toBeNull();
    expect(cache.size).toEqual({ found: 0, notFound: 2 });
    known.add(expiring.id).add(invalidated.id);

    now += 999;
    for (const webhook of [expiring, invalidated]) expect(await cache.get(webhook.id)).toBeNull();
    expect(reads).toBe(2);
    cache.invalidate(invalidated.id);
    expect((await cache.get(invalidated.id))?.webhook.id).toBe(invalidated.id);
    expect(await cache.get(expiring.id)).toBeNull();
    now += 1;
    expect((await cache.get(expiring.id))?.webhook.id).toBe(expiring.id);
    expect(reads).toBe(4);
  });

  it('answers an id that is not a webhook id null without reading the registry or keeping it', async () => {
    const { store, reads } = countingStore();
    const cache = new WebhookCache(store, keyStore);
    for (const id of ['', 'nope', newId('agt'), `${newId('wh')}x`, 'constructor']) expect(await cache.get(id)).toBeNull();
    expect(reads()).toBe(0);
    expect(cache.size).toEqual({ found: 0, notFound: 0 });
  });

  it('keeps the secrets with the webhook, and serves new keys only once the webhook is invalidated', async () => {
    const webhook = await newWebhook();
    const first = await keyStore.addPrimary(webhook.id, 'pk_first', 0);
    const cache = new WebhookCache(webhooks, keyStore);
    expect((await cache.get(webhook.id))?.secrets.map((key) => key.secret)).toEqual([first.secret]);
    await keyStore.addPrimary(webhook.id, 'pk_second', 60);
    expect((await cache.get(webhook.id))?.secrets.map((key) => key.secret)).toEqual([first.secret]);
    cache.invalidate(webhook.id);
    expect((await cache.get(webhook.id))?.secrets.map((key) => key.secret).sort()).toEqual(['pk_first', 'pk_second']);
  });

  it('shares one registry read among concurrent requests for the same id', async () => {
    const webhook = await newWebhook();
    const gated = gatedStore();
    const cache = new WebhookCache(gated.store, keyStore);
    const answers = Promise.all([cache.get(webhook.id), cache.get(webhook.id), cache.get(webhook.id)]);
    await untilPending(gated, 1);
    gated.release();
    expect((await answers).map((answer) => answer?.webhook.id)).toEqual([webhook.id, webhook.id, webhook.id]);
    expect(gated.pending()).toBe(0);
    expect(cache.size.found).toBe(1);
  });

  it('does not keep what a load read before an invalidation that came while it was in flight', async () => {
    const webhook = await newWebhook();
    const gated = gatedStore();
    const cache = new WebhookCache(gated.store, keyStore);
    const stale = cache.get(webhook.id);
    await untilPending(gated, 1);
    await webhooks.update(webhook.id, { status: 'paused' });
    cache.invalidate(webhook.id);
    gated.release();
    // The caller that asked before the change gets what was read for it; the cache does not keep it.
    expect((await stale)?.webhook.status).toBe('enabled');
    expect(cache.peek(webhook.id)).toBeUndefined();
    const fresh = cache.get(webhook.id);
    await untilPending(gated, 1);
    gated.release();
    expect((await fresh)?.webhook.status).toBe('paused');
    expect(cache.peek(webhook.id)?.webhook.status).toBe('paused');
  });

  it('clear() drops every entry, found and not found', async () => {
    const webhook = await newWebhook();
    const cache = new WebhookCache(webhooks, keyStore);
    await cache.get(webhook.id);
    await cache.get(newId('wh'));
    expect(cache.size).toEqual({ found: 1, notFound: 1 });
    cache.clear();
    expect(cache.size).toEqual({ found: 0, notFound: 0 });
  });

  it('drops the webhook a change announcement names, and everything when its subscription reconnects', async () => {
    const subscriber = testRedis();
    try {
      const [changed, kept] = await Promise.all([newWebhook(), newWebhook()]);
      const cache = new WebhookCache(webhooks, keyStore);
      await cache.listen(subscriber, keys);
      await Promise.all([cache.get(changed.id), cache.get(kept.id)]);

      await webhooks.update(changed.id, { status: 'disabled' });
      await expect.poll(() => cache.peek(changed.id)).toBeUndefined();
      expect(cache.peek(kept.id)?.webhook.id).toBe(kept.id);
      expect((await cache.get(changed.id))?.webhook.status).toBe('disabled');

      // Announcements sent while the subscription was down are lost: a reconnect forgets everything.
      expect(cache.size.found).toBe(2);
      subscriber.disconnect(true);
      await expect.poll(() => cache.size.found).toBe(0);
    } finally {
      subscriber.disconnect();
    }
  });
});
