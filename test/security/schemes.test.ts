import { beforeAll, describe, expect, it } from 'vitest';
import { waitForDelivery } from '../support/client.js';
import { useStack } from '../support/use-stack.js';
import { postHook, providerSigners } from './provider-signers.js';

const ctx = useStack('schemes');
const { prefix, redis } = ctx;

const secretFormats: Record<string, RegExp> = {
  uptiq: /^pk_/,
  'standard-webhooks': /^whsec_[A-Za-z0-9+/]{43}=$/,
  github: /^[0-9a-f]{64}$/,
  stripe: /^whsec_/,
  slack: /^[0-9a-f]{32}$/,
  shopify: /^shpss_/,
};

describe.each(providerSigners)('scheme $scheme, signed by the provider', (signer) => {
  let url: string;
  let secret: string;
  let webhookId: string;
  const deliveryCount = () => redis.zcard(`{${prefix}}:webhook:${webhookId}:deliveries`);

  beforeAll(async () => {
    const setup = await ctx.api.setupWebhook('echo', { scheme: signer.scheme });
    webhookId = setup.webhookId;
    url = `${ctx.stack.baseUrl}/hooks/${webhookId}`;
    secret = setup.keyFile.privateKey;
    expect(setup.keyFile).toMatchObject({ scheme: signer.scheme, signatureHeader: signer.signatureHeader });
  });

  it("generates a key in the scheme's own secret format", () => {
    expect(secret).toMatch(secretFormats[signer.scheme]!);
  });

  it('valid → 202 and the workflow runs; redelivery → 200 duplicate with the first id', async () => {
    const request = await signer.sign({ order: 1 }, secret, { id: `redeliver-${signer.scheme}` });
    const first = await postHook(url, request);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ deliveryId: expect.stringMatching(/^dlv_/), status: 'queued' });
    const again = await postHook(url, await signer.sign({ order: 1 }, secret, { id: `redeliver-${signer.scheme}` }));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ deliveryId: first.body.deliveryId, status: 'duplicate' });
    const delivery = await waitForDelivery(ctx.api, first.body.deliveryId);
    expect(delivery.status).toBe('succeeded');
    expect(delivery.dedupeKey).toBe(`redeliver-${signer.scheme}`);
    expect(delivery.headers[signer.signatureHeader]).toBeUndefined();
  });

  it('tampered body → 401 signature_invalid, nothing stored', async () => {
    const before = await deliveryCount();
    const request = await signer.sign({ amount: 100 }, secret);
    const res = await postHook(url, { ...request, body: request.body.replace('100', '1000') });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('signature_invalid');
    expect(await deliveryCount()).toBe(before);
  });

  it('wrong secret → 401 signature_invalid', async () => {
    const other = (await ctx.api.setupWebhook('echo', { scheme: signer.scheme })).keyFile.privateKey;
    const res = await postHook(url, await signer.sign({ amount: 1 }, other));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('signature_invalid');
    expect(JSON.stringify(res.body)).not.toContain(secret);
  });

  // Only timestamped schemes get this test (registered, not skipped, for the others).
  if (signer.timestamped)
    it('timestamp older or newer than 300 s → 401 timestamp_invalid', async () => {
      for (const atMs of [Date.now() - 600_000, Date.now() + 600_000]) {
        const res = await postHook(url, await signer.sign({ stale: true }, secret, { atMs }));
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('timestamp_invalid');
      }
    });

  it('missing signature header → 401 signature_missing', async () => {
    const request = await signer.sign({ unsigned: true }, secret);
    const { [signer.signatureHeader]: _dropped, ...headers } = request.headers;
    const res = await postHook(url, { ...request, headers });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('signature_missing');
  });

  it('accepts a provider-issued secret stored through POST /webhooks/{id}/keys', async () => {
    const issued = (await ctx.api.setupWebhook('echo', { scheme: signer.scheme })).keyFile.privateKey; // a valid secret of this format
    const key = await ctx.api.post(`/webhooks/${webhookId}/keys`, { secret: issued, graceSeconds: 60 });
    expect(key.status).toBe(201);
    expect(key.body.privateKey).toBe(issued);
    expect((await postHook(url, await signer.sign({ issued: true }, issued))).status).toBe(202);
    // The previous key is still in its grace period.
    expect((await postHook(url, await signer.sign({ previous: true }, secret))).status).toBe(202);
  });
});
