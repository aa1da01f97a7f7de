import { describe, expect, it } from 'vitest';
import { waitForDelivery } from '../support/client.js';
import { useStack } from '../support/use-stack.js';
import { postHook, providerSigners, type SignedRequest } from './provider-signers.js';

const ctx = useStack('dedupe', { worker: false });
const { prefix, redis } = ctx;

const signer = (scheme: string) => providerSigners.find((s) => s.scheme === scheme)!;
const deliveryCount = (webhookId: string) => redis.zcard(`{${prefix}}:webhook:${webhookId}:deliveries`);

async function hook(scheme: string, options?: Record<string, unknown>) {
  const setup = await ctx.api.setupWebhook('echo', { scheme, ...(options ? { options } : {}) });
  return { id: setup.webhookId, url: `${ctx.stack.baseUrl}/hooks/${setup.webhookId}`, secret: setup.keyFile.privateKey as string };
}

/** Ten identical requests at once: one 202, nine 200 duplicates naming the same id, one stored delivery. */
async function expectOneOfTen(url: string, webhookId: string, request: SignedRequest) {
  const before = await deliveryCount(webhookId);
  const results = await Promise.all(Array.from({ length: 10 }, () => postHook(url, request)));
  const accepted = results.filter((r) => r.status === 202);
  const duplicates = results.filter((r) => r.status === 200);
  expect(accepted).toHaveLength(1);
  expect(duplicates).toHaveLength(9);
  const id = accepted[0]!.body.deliveryId;
  for (const d of duplicates) expect(d.body).toEqual({ deliveryId: id, status: 'duplicate' });
  expect(await deliveryCount(webhookId)).toBe(before + 1);
  return id as string;
}

describe('dedupe at the ingress', () => {
  it('idempotency-key: ten identical concurrent requests give one 202 and nine 200 duplicate with the same id', async () => {
    const { id, url, secret } = await hook('uptiq');
    const request = await signer('uptiq').sign({ charge: 42 }, secret, { id: 'idem-1' });
    const deliveryId = await expectOneOfTen(url, id, request);
    const delivery = await ctx.api.get(`/deliveries/${deliveryId}`);
    expect(delivery.body.dedupeKey).toBe('idem-1');
    expect(delivery.body.headers['idempotency-key']).toBe('idem-1');
  });

  it("the scheme's own delivery id (x-github-delivery) dedupes concurrent redeliveries too", async () => {
    const { id, url, secret } = await hook('github');
    await expectOneOfTen(url, id, await signer('github').sign({ ref: 'main' }, secret, { id: '72d3162e-cc78-11e3-81ab-4c9367dc0958' }));
  });

  it('idempotency-key works for every scheme, above the scheme id', async () => {
    const { url, secret } = await hook('shopify');
    const first = await signer('shopify').sign({ n: 1 }, secret, { id: 'shop-a' });
    const second = await signer('shopify').sign({ n: 1 }, secret, { id: 'shop-b' });
    const a = await postHook(url, { ...first, headers: { ...first.headers, 'idempotency-key': 'same' } });
    const b = await postHook(url, { ...second, headers: { ...second.headers, 'idempotency-key': 'same' } });
    expect(a.status).toBe(202);
    expect(b).toMatchObject({ status: 200, body: { deliveryId: a.body.deliveryId, status: 'duplicate' } });
  });

  it('different keys, or no key, are separate deliveries', async () => {
    const { url, secret } = await hook('uptiq');
    const sign = signer('uptiq').sign;
    expect((await postHook(url, await sign({ n: 1 }, secret, { id: 'k1' }))).status).toBe(202);
    expect((await postHook(url, await sign({ n: 1 }, secret, { id: 'k2' }))).status).toBe(202);
    expect((await postHook(url, await sign({ n: 1 }, secret))).status).toBe(202);
    expect((await postHook(url, await sign({ n: 1 }, secret))).status).toBe(202);
  });

  it('honours the dedupe.header option and its window, and keeps only a hash of the key in Redis', async () => {
    const { id, url, secret } = await hook('uptiq', { dedupe: { header: 'X-Event-Id', windowSeconds: 1 } });
    const base = await signer('uptiq').sign({ evt: 'created' }, secret);
    const request = { ...base, headers: { ...base.headers, 'x-event-id': 'evt-private-value-77' } };
    const first = await postHook(url, request);
    expect(first.status).toBe(202);
    expect((await postHook(url, request)).body).toEqual({ deliveryId: first.body.deliveryId, status: 'duplicate' });
    const markers = await redis.keys(`{${prefix}}:dedupe:${id}:*`);
    expect(markers).toHaveLength(1);
    expect(markers[0]).not.toContain('evt-private-value-77');
    expect(await redis.get(markers[0]!)).not.toContain('evt-private-value-77');
    // Once the window has passed, the same key is a new delivery.
    while ((await redis.exists(markers[0]!)) === 1) await new Promise((r) => setTimeout(r, 100));
    const later = await postHook(url, request);
    expect(later.status).toBe(202);
    expect(later.body.deliveryId).not.toBe(first.body.deliveryId);
  });

  it('a duplicate of a held delivery (paused webhook) is still a duplicate', async () => {
    const { id, url, secret } = await hook('standard-webhooks');
    expect((await ctx.api.patch(`/webhooks/${id}`, { status: 'paused' })).status).toBe(200);
    const request = await signer('standard-webhooks').sign({ held: true }, secret, { id: 'msg_held' });
    const first = await postHook(url, request);
    expect(first.body.status).toBe('held');
    expect((await postHook(url, request)).body).toEqual({ deliveryId: first.body.deliveryId, status: 'duplicate' });
    expect((await waitForDelivery(ctx.api, first.body.deliveryId, ['held'])).dedupeKey).toBe('msg_held');
  });
});
