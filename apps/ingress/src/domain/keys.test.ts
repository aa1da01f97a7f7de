import { afterAll, describe, expect, it } from 'vitest';
import { newId } from '@hookflow/shared';
import { refusalOf, testIngressDomain } from '../../../../test/support/ingress-domain.js';

const ctx = testIngressDomain('domain-keys');
const { keys, webhooks } = ctx.domain;
const { cache } = ctx.services;

afterAll(() => ctx.close());

async function webhook(scheme?: string) {
  const agent = await ctx.domain.agents.create({ name: 'keys' });
  return webhooks.create(agent.id, { workflow: 'echo', ...(scheme ? { scheme } : {}) });
}

describe('KeyService', () => {
  it('has no key file before a key is made, and none for an unknown webhook', async () => {
    const { id } = await webhook();
    expect(await refusalOf(keys.primaryKeyFile(id))).toMatchObject({ code: 'key_not_found', status: 404 });
    expect(await refusalOf(keys.primaryKeyFile(newId('wh')))).toMatchObject({ code: 'webhook_not_found', status: 404 });
    expect(await refusalOf(keys.create(newId('wh'), {}))).toMatchObject({ code: 'webhook_not_found', status: 404 });
  });

  it("makes a primary key in the webhook's scheme and hands it out as the key file", async () => {
    const { id } = await webhook('standard-webhooks');
    const file = await keys.create(id, {});
    expect(file).toMatchObject({
      webhookId: id,
      keyId: expect.stringMatching(/^key_/),
      privateKey: expect.stringMatching(/^whsec_/),
      algorithm: 'HMAC-SHA256',
      scheme: 'standard-webhooks',
      signatureHeader: 'webhook-signature',
      endpoint: `https://hooks.example.test/hooks/${id}`,
    });
    expect(await keys.primaryKeyFile(id)).toEqual(file);
    expect((await webhooks.get(id)).keys).toEqual([{ id: file.keyId, primary: true, createdAt: file.createdAt, expiresAt: null }]);
  });

  it('the new key verifies here at once: the cached keys are forgotten', async () => {
    const { id } = await webhook();
    expect((await cache.get(id))?.secrets).toEqual([]);
    const file = await keys.create(id, { secret: 'provider-issued-secret' });
    expect(file.privateKey).toBe('provider-issued-secret');
    expect((await cache.get(id))?.secrets.map((s) => s.secret)).toEqual(['provider-issued-secret']);
  });

  it('keeps the previous key for the grace period, and revokes it at once without one', async () => {
    const { id } = await webhook();
    const first = await keys.create(id, {});
    const second = await keys.create(id, { graceSeconds: 3_600 });
    const listed = (await webhooks.get(id)).keys;
    expect(listed.map((k) => [k.id, k.primary])).toEqual([
      [second.keyId, true],
      [first.keyId, false],
    ]);
    expect(Date.parse(listed[1]!.expiresAt!)).toBeGreaterThan(Date.now());
    const third = await keys.create(id, {});
    expect((await webhooks.get(id)).keys.map((k) => k.id)).toEqual([third.keyId, first.keyId]);
  });
});
